/**
 * Verdicts that stay true, end to end: the credential report is generated, the user changes, a
 * change notification and periodic runs follow, and what Config holds is asserted. Config is
 * modelled both ways AWS leaves open: keeping the last evaluation written, or the one with the
 * newest OrderingTimestamp; the result must be right under both.
 */
import {
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeactivateMFADeviceCommand,
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  GenerateCredentialReportCommand,
  GetUserCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { findRule } from '../../rules/catalog';
import { ClientProvider } from '../../rules/runtime/clients';
import { createHandler, type ConfigRuleHandler } from '../../rules/runtime/handler';
import { logger } from '../../rules/runtime/logger';
import { changeEvent, scheduledEvent, type ConfigEvent } from '../support/events';
import { storedEvaluations, storedVerdicts } from '../support/stored';
import {
  motoClientConfig,
  seedUsers,
  setConfigStore,
  TEST_ACCOUNT_ID,
  type EvaluationKeep,
  type SeededUser,
} from '../support/moto';
import { setUserCreated } from '../support/moto-hardware';
import { useMoto } from '../support/use-moto';

const RULE = 'iam-user-console-mfa';

const periodic = (): ConfigEvent =>
  scheduledEvent(RULE, { notificationCreationTime: new Date().toISOString() });

const userChange = (user: SeededUser, status: string): ConfigEvent =>
  changeEvent(RULE, {
    resourceId: user.userId,
    resourceName: user.name,
    status,
    captureTime: new Date().toISOString(),
  });

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, Math.max(0, ms));
  });

async function generateReport(iam: IAMClient): Promise<void> {
  while ((await iam.send(new GenerateCredentialReportCommand({}))).State !== 'COMPLETE') {
    await sleep(25);
  }
}

beforeAll(() => {
  logger.setLogLevel('SILENT');
});

describe.each<EvaluationKeep>(['last-write', 'latest-ordering'])(
  'Config keeping the %s evaluation',
  (keep) => {
    const endpoint = useMoto({ env: { MOTO_EXT_REPORT_DELAY_MS: '100' } });
    let iam: IAMClient;
    let handler: ConfigRuleHandler;

    beforeEach(async () => {
      await setConfigStore(endpoint(), keep);
      iam = new IAMClient(motoClientConfig(endpoint()));
      const rule = findRule(RULE);
      if (!rule) throw new Error(`no rule ${RULE}`);
      handler = createHandler(rule, {
        clients: new ClientProvider({ endpoint: endpoint(), region: 'us-east-1' }),
        tuning: { pollIntervalMs: 50 },
      });
    });

    afterEach(() => {
      iam.destroy();
    });

    async function seedOne(
      name: string,
      mfa: 'none' | 'virtual' | 'hardware',
    ): Promise<SeededUser> {
      const [user] = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
        { name, consolePassword: true, mfa },
      ]);
      if (!user) throw new Error('not seeded');
      return user;
    }

    it('a flagged user who deletes the console password after the report is NOT_APPLICABLE on the next periodic run', async () => {
      // Prepare: the report is generated with a console password and no MFA.
      const user = await seedOne('password-dropper', 'none');
      await handler(periodic());
      const before = await storedVerdicts(endpoint(), RULE);
      await iam.send(new DeleteLoginProfileCommand({ UserName: user.name }));

      // Act: the next periodic run, on the same report.
      await handler(periodic());
      const [after] = await storedEvaluations(endpoint(), RULE);

      // Assess
      expect(before).toEqual({ [user.userId]: 'NON_COMPLIANT' });
      expect(after).toMatchObject({ resourceId: user.userId, compliance: 'NOT_APPLICABLE' });
      expect(after?.annotation).toContain('both facts checked live');
    });

    it("MFA removed after the report: a change notification's NON_COMPLIANT survives the next periodic run", async () => {
      // Prepare: the report is generated while the user has a hardware MFA device.
      const user = await seedOne('mfa-remover', 'hardware');
      await handler(periodic());
      const fromReport = await storedVerdicts(endpoint(), RULE);
      await iam.send(
        new DeactivateMFADeviceCommand({ UserName: user.name, SerialNumber: 'GAHT00000001' }),
      );
      await handler(userChange(user, 'OK'));
      const fromChange = await storedVerdicts(endpoint(), RULE);

      // Act: the next periodic run reads the same report, which still shows the device.
      const summary = await handler(periodic());
      const [afterPeriodic] = await storedEvaluations(endpoint(), RULE);

      // Assess
      expect(fromReport).toEqual({ [user.userId]: 'COMPLIANT' });
      expect(fromChange).toEqual({ [user.userId]: 'NON_COMPLIANT' });
      expect(afterPeriodic).toMatchObject({ resourceId: user.userId, compliance: 'NON_COMPLIANT' });
      expect(afterPeriodic?.annotation).toContain('checked live');
      expect(summary.counts.NON_COMPLIANT).toBe(1);
    });

    it.each(['ResourceNotRecorded', 'ResourceDeletedNotRecorded', 'OK'])(
      '%s for an existing user and the next periodic runs give one verdict',
      async (status) => {
        // Prepare
        const user = await seedOne(`unrecorded-${status.toLowerCase()}`, 'none');
        await handler(periodic());
        const seen: string[] = [(await storedVerdicts(endpoint(), RULE))[user.userId] ?? '-'];

        // Act: change notification, periodic run, change notification, periodic run.
        for (const event of [userChange(user, status), periodic(), userChange(user, status)]) {
          await handler(event);
          seen.push((await storedVerdicts(endpoint(), RULE))[user.userId] ?? '-');
        }

        // Assess
        expect(seen).toEqual(['NON_COMPLIANT', 'NON_COMPLIANT', 'NON_COMPLIANT', 'NON_COMPLIANT']);
      },
    );

    it('a deleted user is NOT_APPLICABLE on both paths (ResourceDeleted, then the periodic clean-up)', async () => {
      // Prepare
      const user = await seedOne('leaver', 'none');
      await handler(periodic());
      await iam.send(new DeleteLoginProfileCommand({ UserName: user.name }));
      await iam.send(new DeleteUserCommand({ UserName: user.name }));

      // Act
      await handler(userChange(user, 'ResourceDeleted'));
      const afterChange = await storedVerdicts(endpoint(), RULE);
      await handler(periodic());
      const afterPeriodic = await storedVerdicts(endpoint(), RULE);

      // Assess
      expect(afterChange).toEqual({ [user.userId]: 'NOT_APPLICABLE' });
      expect(afterPeriodic).toEqual({ [user.userId]: 'NOT_APPLICABLE' });
    });

    it('a user deleted and re-created under the same name 1–2 s later is checked live, not matched to the old row', async () => {
      // Prepare: the report is generated while the old user has a hardware MFA device; the user
      // is then replaced (as an infrastructure-as-code replacement does) just over a second after
      // its creation, so both creation times fall in neighbouring seconds (the old user is created
      // at the start of a second: a matcher with a two-second window would take the old row).
      // Both creation times are set through moto (IAM reports whole seconds), so the scenario does
      // not depend on how fast this machine deletes and re-creates the user.
      const oldCreated = new Date(Math.floor(Date.now() / 1_000) * 1_000 - 10_000);
      const old = await seedOne('replaced', 'hardware');
      await setUserCreated(endpoint(), 'replaced', oldCreated);
      await generateReport(iam);
      await iam.send(
        new DeactivateMFADeviceCommand({ UserName: 'replaced', SerialNumber: 'GAHT00000001' }),
      );
      await iam.send(new DeleteLoginProfileCommand({ UserName: 'replaced' }));
      await iam.send(new DeleteUserCommand({ UserName: 'replaced' }));
      const created = await iam.send(new CreateUserCommand({ UserName: 'replaced' }));
      await iam.send(
        new CreateLoginProfileCommand({ UserName: 'replaced', Password: 'Replaced-Passw0rd!' }),
      );
      await setUserCreated(endpoint(), 'replaced', new Date(oldCreated.getTime() + 1_050));
      const newCreated = (await iam.send(new GetUserCommand({ UserName: 'replaced' }))).User
        ?.CreateDate;
      const newId = created.User?.UserId ?? '';

      // Act: the next periodic run, on the report that still has the old user's row.
      await handler(periodic());
      const stored = await storedEvaluations(endpoint(), RULE);

      // Assess: IAM shows the two creation times one second apart.
      expect((newCreated?.getTime() ?? 0) - oldCreated.getTime()).toBe(1_000);
      expect(newId).not.toBe(old.userId);
      expect(stored).toEqual([
        expect.objectContaining({
          resourceId: newId,
          compliance: 'NON_COMPLIANT',
          annotation: expect.stringContaining('checked live') as unknown,
        }),
      ]);
    });
  },
);
