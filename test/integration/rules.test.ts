/**
 * End to end through the real Lambda handlers: Config events in, PutEvaluations to moto, verdicts
 * read back with GetComplianceDetailsByConfigRule.
 */
import {
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  EnableMFADeviceCommand,
  GenerateCredentialReportCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { RULE_METADATA } from '../../rules/catalog';
import { expectedVerdicts } from '../../rules/runtime/cases';
import { logger } from '../../rules/runtime/logger';
import type { ComplianceType } from '../../rules/runtime/types';
import { changeEvent, type ConfigEvent } from '../support/events';
import { storedVerdicts } from '../support/stored';
import { motoClientConfig, seedUsers, TEST_ACCOUNT_ID, type SeededUser } from '../support/moto';
import { useMoto } from '../support/use-moto';
import { casesOf, ROOT_STATES, seedRoot } from '../support/scenarios';
import { motoHandler, nextTime, periodicEvent } from '../support/rule-runs';

const USER_RULE = 'iam-user-console-mfa';
const OTHER_ACCOUNT_ID = '111122223333';

/** A change of a seeded user with this configurationItemStatus, a minute after the previous event. */
function userChange(rule: string, user: SeededUser, status: string): ConfigEvent {
  return changeEvent(rule, {
    resourceId: user.userId,
    resourceName: user.name,
    status,
    captureTime: nextTime(),
  });
}

function byName(users: SeededUser[], name: string): SeededUser {
  const user = users.find((candidate) => candidate.name === name);
  if (!user) throw new Error(`user ${name} was not seeded`);
  return user;
}

beforeAll(() => {
  logger.setLogLevel('SILENT');
});

describe('rules end to end through the Lambda handlers', () => {
  const endpoint = useMoto({ env: { MOTO_EXT_REPORT_DELAY_MS: '100' } });
  let iam: IAMClient;

  beforeEach(() => {
    iam = new IAMClient(motoClientConfig(endpoint()));
  });

  afterEach(() => {
    iam.destroy();
  });

  describe(USER_RULE, () => {
    it('gives each user the exact verdict', async () => {
      // Prepare
      const users = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
        { name: 'virtual-user', consolePassword: true, mfa: 'virtual' },
        { name: 'hardware-user', consolePassword: true, mfa: 'hardware' },
        { name: 'no-mfa-user', consolePassword: true },
        { name: 'api-only', consolePassword: false },
        { name: 'api-only-mfa', consolePassword: false, mfa: 'virtual' },
      ]);

      // Act
      const summary = await motoHandler(endpoint(), USER_RULE)(periodicEvent(USER_RULE));
      const stored = await storedVerdicts(endpoint(), USER_RULE);

      // Assess
      expect(stored).toEqual({
        [byName(users, 'virtual-user').userId]: 'COMPLIANT',
        [byName(users, 'hardware-user').userId]: 'COMPLIANT',
        [byName(users, 'no-mfa-user').userId]: 'NON_COMPLIANT',
        [byName(users, 'api-only').userId]: 'NOT_APPLICABLE',
        [byName(users, 'api-only-mfa').userId]: 'NOT_APPLICABLE',
      });
      expect(summary.counts).toEqual({ COMPLIANT: 2, NON_COMPLIANT: 1, NOT_APPLICABLE: 2 });
    });

    it('counts a hardware MFA added after the credential report at once', async () => {
      // Prepare
      const [user] = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
        { name: 'late-fixer', consolePassword: true },
      ]);
      const handler = motoHandler(endpoint(), USER_RULE);
      await handler(periodicEvent(USER_RULE));
      const before = await storedVerdicts(endpoint(), USER_RULE);
      await iam.send(
        new EnableMFADeviceCommand({
          UserName: 'late-fixer',
          SerialNumber: 'GAHT90000001',
          AuthenticationCode1: '123456',
          AuthenticationCode2: '654321',
        }),
      );

      // Act
      await handler(periodicEvent(USER_RULE));
      const after = await storedVerdicts(endpoint(), USER_RULE);
      const report = await iam.send(new GenerateCredentialReportCommand({}));

      // Assess
      expect(before[user?.userId ?? '']).toBe('NON_COMPLIANT');
      expect(after[user?.userId ?? '']).toBe('COMPLIANT');
      expect(report.State).toBe('COMPLETE'); // the snapshot from the first run was reused
    });

    it('clears a user deleted since the last periodic run', async () => {
      // Prepare
      const users = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
        { name: 'leaver', consolePassword: true },
        { name: 'stayer', consolePassword: true, mfa: 'virtual' },
      ]);
      const handler = motoHandler(endpoint(), USER_RULE);
      await handler(periodicEvent(USER_RULE));
      await iam.send(new DeleteLoginProfileCommand({ UserName: 'leaver' }));
      await iam.send(new DeleteUserCommand({ UserName: 'leaver' }));

      // Act
      const summary = await handler(periodicEvent(USER_RULE));
      const stored = await storedVerdicts(endpoint(), USER_RULE);

      // Assess
      expect(stored).toEqual({
        [byName(users, 'leaver').userId]: 'NOT_APPLICABLE',
        [byName(users, 'stayer').userId]: 'COMPLIANT',
      });
      expect(summary.cleared + summary.counts.NOT_APPLICABLE).toBeGreaterThanOrEqual(1);
    });

    it('reports a deleted user NOT_APPLICABLE on a change notification', async () => {
      // Prepare
      const [user] = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
        { name: 'gone', consolePassword: true },
      ]);
      if (!user) throw new Error('not seeded');
      const handler = motoHandler(endpoint(), USER_RULE);
      await handler(periodicEvent(USER_RULE));
      await iam.send(new DeleteLoginProfileCommand({ UserName: 'gone' }));
      await iam.send(new DeleteUserCommand({ UserName: 'gone' }));

      // Act
      await handler(userChange(USER_RULE, user, 'ResourceDeleted'));
      const stored = await storedVerdicts(endpoint(), USER_RULE);

      // Assess
      expect(stored).toEqual({ [user.userId]: 'NOT_APPLICABLE' });
    });

    it('reports a vanished user NOT_APPLICABLE on an OK change notification', async () => {
      // Prepare
      const [user] = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
        { name: 'vanished', consolePassword: true },
      ]);
      if (!user) throw new Error('not seeded');
      await iam.send(new DeleteLoginProfileCommand({ UserName: 'vanished' }));
      await iam.send(new DeleteUserCommand({ UserName: 'vanished' }));

      // Act
      await motoHandler(endpoint(), USER_RULE)(userChange(USER_RULE, user, 'OK'));
      const stored = await storedVerdicts(endpoint(), USER_RULE);

      // Assess
      expect(stored).toEqual({ [user.userId]: 'NOT_APPLICABLE' });
    });

    it('evaluates one existing user on a change notification', async () => {
      // Prepare
      const [user] = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
        { name: 'changed', consolePassword: true },
        { name: 'untouched', consolePassword: true },
      ]);
      if (!user) throw new Error('not seeded');

      // Act
      await motoHandler(endpoint(), USER_RULE)(userChange(USER_RULE, user, 'OK'));
      const stored = await storedVerdicts(endpoint(), USER_RULE);

      // Assess
      expect(stored).toEqual({ [user.userId]: 'NON_COMPLIANT' });
    });

    it('gives users with a comma in the name the right verdict', async () => {
      // Prepare
      const users = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
        { name: 'doe,jane', consolePassword: true },
        { name: 'roe,rick', consolePassword: true, mfa: 'virtual' },
        { name: 'poe,ed', consolePassword: true, mfa: 'hardware' },
        { name: 'plain', consolePassword: true },
      ]);

      // Act
      await motoHandler(endpoint(), USER_RULE)(periodicEvent(USER_RULE));
      const stored = await storedVerdicts(endpoint(), USER_RULE);

      // Assess
      expect(stored).toEqual({
        [byName(users, 'doe,jane').userId]: 'NON_COMPLIANT',
        [byName(users, 'roe,rick').userId]: 'COMPLIANT',
        [byName(users, 'poe,ed').userId]: 'COMPLIANT',
        [byName(users, 'plain').userId]: 'NON_COMPLIANT',
      });
    });
  });

  describe('account rules, in every root state of the shared scenarios', () => {
    const accountRules = RULE_METADATA.filter((m) => m.resourceTypes.includes('AWS::::Account'));

    it.each(Object.entries(ROOT_STATES))('root with %s', async (_state, root) => {
      // Prepare: what each rule's folder says it must conclude
      await seedRoot(endpoint(), root);
      const expected = Object.fromEntries(
        accountRules.map((m) => [
          m.name,
          expectedVerdicts(casesOf(m.name), { root, users: [] }, TEST_ACCOUNT_ID).get(
            TEST_ACCOUNT_ID,
          ),
        ]),
      );

      // Act
      const stored: Record<string, ComplianceType | undefined> = {};
      for (const m of accountRules) {
        await motoHandler(endpoint(), m.name)(periodicEvent(m.name));
        stored[m.name] = (await storedVerdicts(endpoint(), m.name))[TEST_ACCOUNT_ID];
      }

      // Assess
      expect(stored).toEqual(expected);
    });
  });

  describe('cross-account', () => {
    it('evaluates the users of the account named by the event through ExecutionRoleName', async () => {
      // Prepare
      const theirs = await seedUsers(endpoint(), OTHER_ACCOUNT_ID, [
        { name: 'their-admin', consolePassword: true, mfa: 'virtual' },
        { name: 'their-intern', consolePassword: true },
      ]);
      await seedUsers(endpoint(), TEST_ACCOUNT_ID, [{ name: 'my-user', consolePassword: true }]);

      // Act
      const summary = await motoHandler(
        endpoint(),
        USER_RULE,
      )(
        periodicEvent(USER_RULE, {
          accountId: OTHER_ACCOUNT_ID,
          parameters: { ExecutionRoleName: 'Auditor' },
        }),
      );
      const stored = await storedVerdicts(endpoint(), USER_RULE, { accountId: OTHER_ACCOUNT_ID });
      const mine = await storedVerdicts(endpoint(), USER_RULE);

      // Assess
      expect(summary.accountId).toBe(OTHER_ACCOUNT_ID);
      expect(stored).toEqual({
        [byName(theirs, 'their-admin').userId]: 'COMPLIANT',
        [byName(theirs, 'their-intern').userId]: 'NON_COMPLIANT',
      });
      expect(mine).toEqual({});
    });

    it('refuses an event for another account without ExecutionRoleName', async () => {
      // Prepare
      await seedUsers(endpoint(), OTHER_ACCOUNT_ID, [{ name: 'x', consolePassword: true }]);

      // Act
      const run = motoHandler(
        endpoint(),
        USER_RULE,
      )(periodicEvent(USER_RULE, { accountId: OTHER_ACCOUNT_ID }));

      // Assess
      await expect(run).rejects.toThrow(/111122223333/);
      expect(await storedVerdicts(endpoint(), USER_RULE)).toEqual({});
    });
  });
});

describe('short ListUsers pages', () => {
  const endpoint = useMoto({ env: { MOTO_EXT_SHORT_PAGES: '1', MOTO_EXT_REPORT_DELAY_MS: '100' } });

  it('evaluates every user across many pages', async () => {
    // Prepare
    const users = await seedUsers(
      endpoint(),
      TEST_ACCOUNT_ID,
      Array.from({ length: 40 }, (_, i) => ({
        name: `paged-${String(i).padStart(2, '0')}`,
        consolePassword: i % 4 !== 3,
        mfa: i % 2 === 0 ? ('virtual' as const) : ('none' as const),
      })),
    );

    // Act
    const summary = await motoHandler(endpoint(), USER_RULE)(periodicEvent(USER_RULE));
    const stored = await storedVerdicts(endpoint(), USER_RULE);

    // Assess
    expect(Object.keys(stored).sort()).toEqual(users.map((user) => user.userId).sort());
    expect(summary.evaluations).toBe(40);
    expect(summary.counts).toEqual({ COMPLIANT: 20, NON_COMPLIANT: 10, NOT_APPLICABLE: 10 });
  });
});
