/**
 * Exemption tags, the console rule's grace period and iam-user-mfa against the moto harness, through
 * the real Lambda handlers: parameters as Config sends them (strings), verdicts read back from
 * Config, and the IAM calls counted by operation.
 */
import {
  CreateLoginProfileCommand,
  EnableMFADeviceCommand,
  IAMClient,
  TagUserCommand,
  UntagUserCommand,
} from '@aws-sdk/client-iam';
import { isoDay } from '../../rules/runtime/exemptions';
import { logger } from '../../rules/runtime/logger';
import { changeEvent } from '../support/events';
import {
  motoClientConfig,
  seedUsers,
  takeCallCounts,
  TEST_ACCOUNT_ID,
  type SeededUser,
} from '../support/moto';
import { storedEvaluations } from '../support/stored';
import { useMoto } from '../support/use-moto';
import { motoHandler, nextTime, periodicEvent } from '../support/rule-runs';

const CONSOLE = 'iam-user-console-mfa';
const USER_MFA = 'iam-user-mfa';
const DAY_MS = 86_400_000;

function run(endpoint: string, rule: string, parameters?: Record<string, string>) {
  return motoHandler(endpoint, rule)(periodicEvent(rule, parameters ? { parameters } : {}));
}

/** Stored verdicts and annotations by user name. */
async function verdicts(
  endpoint: string,
  rule: string,
  users: SeededUser[],
): Promise<Record<string, { compliance: string; annotation: string }>> {
  const byId = new Map(users.map((user) => [user.userId, user.name]));
  const stored = await storedEvaluations(endpoint, rule);
  return Object.fromEntries(
    stored.map((evaluation) => [
      byId.get(evaluation.resourceId) ?? evaluation.resourceId,
      { compliance: evaluation.compliance, annotation: evaluation.annotation ?? '' },
    ]),
  );
}

const today = () => new Date();
const inDays = (days: number) => isoDay(new Date(Date.now() + days * DAY_MS));

beforeAll(() => {
  logger.setLogLevel('SILENT');
});

describe('exemptions, grace and iam-user-mfa against moto', () => {
  const endpoint = useMoto({
    env: { MOTO_EXT_REPORT_DELAY_MS: '100', MOTO_EXT_COUNT_CALLS: '1' },
  });
  let iam: IAMClient;

  beforeEach(() => {
    iam = new IAMClient(motoClientConfig(endpoint()));
  });

  afterEach(() => {
    iam.destroy();
  });

  async function tag(userName: string, value: string, key = 'mfa-exemption'): Promise<void> {
    await iam.send(new TagUserCommand({ UserName: userName, Tags: [{ Key: key, Value: value }] }));
  }

  it('GracePeriodDays "7": a new console password without MFA is NOT_APPLICABLE, "MFA due by" a week on', async () => {
    // Prepare
    const users = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
      { name: 'new-hire', consolePassword: true },
      { name: 'set-up', consolePassword: true, mfa: 'hardware' },
    ]);

    // Act
    const withGrace = await run(endpoint(), CONSOLE, { GracePeriodDays: '7' });
    const graced = await verdicts(endpoint(), CONSOLE, users);
    const withoutGrace = await run(endpoint(), CONSOLE, { GracePeriodDays: '0' });
    const enforced = await verdicts(endpoint(), CONSOLE, users);

    // Assess
    expect(withGrace.counts).toEqual({ COMPLIANT: 1, NON_COMPLIANT: 0, NOT_APPLICABLE: 1 });
    expect(graced['new-hire']?.compliance).toBe('NOT_APPLICABLE');
    expect(graced['new-hire']?.annotation).toContain(`MFA due by ${inDays(7)}`);
    expect(graced['set-up']?.compliance).toBe('COMPLIANT');
    expect(withoutGrace.counts.NON_COMPLIANT).toBe(1);
    expect(enforced['new-hire']?.compliance).toBe('NON_COMPLIANT');
  });

  it('the grace runs from the console password, not the user: a password added later starts it', async () => {
    // Prepare: the user exists first without a password (API only), then gets one.
    const users = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [{ name: 'late-console' }]);
    const before = await run(endpoint(), CONSOLE, { GracePeriodDays: '3' });
    await iam.send(
      new CreateLoginProfileCommand({ UserName: 'late-console', Password: 'Passw0rd!Passw0rd!' }),
    );

    // Act: a change event, as Config sends when the user changes.
    await motoHandler(
      endpoint(),
      CONSOLE,
    )(
      changeEvent(
        CONSOLE,
        {
          resourceId: users[0]?.userId ?? '',
          resourceName: 'late-console',
          status: 'OK',
          captureTime: nextTime(),
        },
        { parameters: { GracePeriodDays: '3' } },
      ),
    );
    const after = await verdicts(endpoint(), CONSOLE, users);

    // Assess
    expect(before.counts.NOT_APPLICABLE).toBe(1);
    expect(after['late-console']?.compliance).toBe('NOT_APPLICABLE');
    expect(after['late-console']?.annotation).toContain(`MFA due by ${inDays(3)}`);
  });

  it('exemption tags: valid, expired, unreadable and too long; never on a compliant user', async () => {
    // Prepare
    const users = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
      { name: 'break-glass', consolePassword: true },
      { name: 'expired', consolePassword: true },
      { name: 'garbled', consolePassword: true },
      { name: 'too-long', consolePassword: true },
      { name: 'untagged', consolePassword: true },
      { name: 'compliant', consolePassword: true, mfa: 'virtual' },
    ]);
    await tag('break-glass', `${inDays(90)} break-glass, approved SEC-42`);
    await tag('expired', `${isoDay(new Date(today().getTime() - DAY_MS))} old approval`);
    await tag('garbled', 'until March');
    await tag('too-long', `${inDays(400)} forever`);
    await tag('compliant', `${inDays(10)} not needed`);
    await takeCallCounts(endpoint());

    // Act
    const summary = await run(endpoint(), CONSOLE);
    const calls = await takeCallCounts(endpoint());
    const stored = await verdicts(endpoint(), CONSOLE, users);

    // Assess
    expect(stored['break-glass']?.compliance).toBe('NOT_APPLICABLE');
    expect(stored['break-glass']?.annotation).toContain(`exempt until ${inDays(90)}`);
    expect(stored['break-glass']?.annotation).toContain('break-glass, approved SEC-42');
    expect(stored.expired?.compliance).toBe('NON_COMPLIANT');
    expect(stored.expired?.annotation).toContain('exemption expired on');
    expect(stored.garbled?.compliance).toBe('NON_COMPLIANT');
    expect(stored.garbled?.annotation).toContain('exemption tag unreadable');
    expect(stored['too-long']?.compliance).toBe('NON_COMPLIANT');
    expect(stored['too-long']?.annotation).toContain('exemption longer than 365 days');
    expect(stored.untagged?.compliance).toBe('NON_COMPLIANT');
    expect(stored.compliant?.compliance).toBe('COMPLIANT');
    expect(summary.counts).toEqual({ COMPLIANT: 1, NON_COMPLIANT: 4, NOT_APPLICABLE: 1 });
    // Tags are read for the five users who would be NON_COMPLIANT, and for no one else.
    expect(calls.ListUserTags).toBe(5);
  });

  it('in either order: an exemption tagged (change event) survives the periodic run; untagged, the next run reports the finding', async () => {
    // Prepare
    const users = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
      { name: 'on-call', consolePassword: true },
    ]);
    const user = users[0];
    if (!user) throw new Error('not seeded');
    await run(endpoint(), CONSOLE);
    const before = await verdicts(endpoint(), CONSOLE, users);
    await tag('on-call', `${inDays(30)} hardware key on order`);
    const change = () =>
      motoHandler(
        endpoint(),
        CONSOLE,
      )(
        changeEvent(CONSOLE, {
          resourceId: user.userId,
          resourceName: 'on-call',
          status: 'OK',
          captureTime: nextTime(),
        }),
      );

    // Act
    await change();
    const afterChange = await verdicts(endpoint(), CONSOLE, users);
    await run(endpoint(), CONSOLE);
    const afterPeriodic = await verdicts(endpoint(), CONSOLE, users);
    await iam.send(new UntagUserCommand({ UserName: 'on-call', TagKeys: ['mfa-exemption'] }));
    await run(endpoint(), CONSOLE);
    const untagged = await verdicts(endpoint(), CONSOLE, users);

    // Assess
    expect(before['on-call']?.compliance).toBe('NON_COMPLIANT');
    expect(afterChange['on-call']?.compliance).toBe('NOT_APPLICABLE');
    expect(afterPeriodic['on-call']?.compliance).toBe('NOT_APPLICABLE');
    expect(afterPeriodic['on-call']?.annotation).toContain(`exempt until ${inDays(30)}`);
    expect(untagged['on-call']?.compliance).toBe('NON_COMPLIANT');
  });

  it('MaxExemptionDays and ExemptionTagKey come from the rule parameters', async () => {
    // Prepare
    const users = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
      { name: 'waived', consolePassword: true },
    ]);
    await tag('waived', `${inDays(60)} migration`, 'security:mfa-waiver');

    // Act
    await run(endpoint(), CONSOLE, { ExemptionTagKey: 'security:mfa-waiver' });
    const honoured = await verdicts(endpoint(), CONSOLE, users);
    await run(endpoint(), CONSOLE, {
      ExemptionTagKey: 'security:mfa-waiver',
      MaxExemptionDays: '30',
    });
    const tooLong = await verdicts(endpoint(), CONSOLE, users);
    await takeCallCounts(endpoint());
    await run(endpoint(), CONSOLE, { ExemptionTagKey: '' });
    const off = await verdicts(endpoint(), CONSOLE, users);
    const callsWhenOff = await takeCallCounts(endpoint());

    // Assess
    expect(honoured.waived?.compliance).toBe('NOT_APPLICABLE');
    expect(tooLong.waived?.compliance).toBe('NON_COMPLIANT');
    expect(tooLong.waived?.annotation).toContain('exemption longer than 30 days');
    expect(off.waived?.compliance).toBe('NON_COMPLIANT');
    expect(callsWhenOff.ListUserTags).toBeUndefined();
  });

  it('a malformed parameter is one error naming it, and nothing is sent', async () => {
    // Prepare
    await seedUsers(endpoint(), TEST_ACCOUNT_ID, [{ name: 'someone', consolePassword: true }]);
    await takeCallCounts(endpoint());

    // Act
    const result = run(endpoint(), CONSOLE, { GracePeriodDays: 'seven' });

    // Assess
    await expect(result).rejects.toThrow(/GracePeriodDays must be a whole number from 0 to 365/);
    const calls = await takeCallCounts(endpoint());
    expect(calls.PutEvaluations).toBeUndefined();
    expect(await storedEvaluations(endpoint(), CONSOLE)).toEqual([]);
  });

  describe(USER_MFA, () => {
    it('every user needs MFA, password or not; an exempt API user is NOT_APPLICABLE', async () => {
      // Prepare
      const users = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
        { name: 'console-mfa', consolePassword: true, mfa: 'virtual' },
        { name: 'api-mfa', mfa: 'hardware' },
        { name: 'api-none' },
        { name: 'console-none', consolePassword: true },
        { name: 'api-exempt' },
      ]);
      await tag('api-exempt', `${inDays(20)} service user, moving to a role`);
      await takeCallCounts(endpoint());

      // Act
      const summary = await run(endpoint(), USER_MFA);
      const calls = await takeCallCounts(endpoint());
      const stored = await verdicts(endpoint(), USER_MFA, users);

      // Assess
      expect(Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, v.compliance]))).toEqual(
        {
          'console-mfa': 'COMPLIANT',
          'api-mfa': 'COMPLIANT',
          'api-none': 'NON_COMPLIANT',
          'console-none': 'NON_COMPLIANT',
          'api-exempt': 'NOT_APPLICABLE',
        },
      );
      expect(summary.counts).toEqual({ COMPLIANT: 2, NON_COMPLIANT: 2, NOT_APPLICABLE: 1 });
      // The three the report shows without MFA are listed live, and the one whose MFA no virtual
      // device explains (a hardware token: issue 22's regression check); no login profiles.
      expect(calls.ListMFADevices).toBe(4);
      expect(calls.GetLoginProfile).toBeUndefined();
      expect(calls.ListUserTags).toBe(3);
    });

    it('a user who adds MFA after the credential report is COMPLIANT on the next run', async () => {
      // Prepare
      const users = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [{ name: 'fixer' }]);
      await run(endpoint(), USER_MFA);
      const before = await verdicts(endpoint(), USER_MFA, users);
      await iam.send(
        new EnableMFADeviceCommand({
          UserName: 'fixer',
          SerialNumber: 'GAHT90000002',
          AuthenticationCode1: '123456',
          AuthenticationCode2: '654321',
        }),
      );

      // Act: the report from the first run is reused (under four hours old).
      await run(endpoint(), USER_MFA);
      const after = await verdicts(endpoint(), USER_MFA, users);

      // Assess
      expect(before.fixer?.compliance).toBe('NON_COMPLIANT');
      expect(after.fixer?.compliance).toBe('COMPLIANT');
      expect(after.fixer?.annotation).toContain('MFA devices listed live at');
    });
  });
});
