/**
 * Regressions at the next periodic run, whatever the credential report's age (issue 22, part 1): the
 * report is generated while every user has MFA and stays frozen; a user whose virtual device is then
 * deactivated and deleted is NON_COMPLIANT on the next run, read live, while a user whose hardware
 * token is still assigned stays COMPLIANT. Both user rules that read the report.
 */
import {
  DeactivateMFADeviceCommand,
  DeleteVirtualMFADeviceCommand,
  IAMClient,
  ListMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { findRule } from '../../rules/catalog';
import { ClientProvider } from '../../rules/runtime/clients';
import { createHandler } from '../../rules/runtime/handler';
import { logger } from '../../rules/runtime/logger';
import { scheduledEvent } from '../support/events';
import { storedEvaluations } from '../support/stored';
import { motoClientConfig, seedUsers, TEST_ACCOUNT_ID, takeCallCounts } from '../support/moto';
import { useMoto } from '../support/use-moto';

beforeAll(() => {
  logger.setLogLevel('SILENT');
});

describe.each(['iam-user-console-mfa', 'iam-user-mfa'])('%s', (ruleName) => {
  const endpoint = useMoto({
    env: { MOTO_EXT_REPORT_DELAY_MS: '0', MOTO_EXT_COUNT_CALLS: '1' },
  });

  it('a virtual device deactivated and deleted after the report is NON_COMPLIANT on the next periodic run; a hardware token still assigned stays COMPLIANT', async () => {
    // Prepare: the report is generated while both users have MFA.
    const rule = findRule(ruleName);
    if (!rule) throw new Error(`no rule ${ruleName}`);
    const handler = createHandler(rule, {
      clients: new ClientProvider({ endpoint: endpoint(), region: 'us-east-1' }),
      tuning: { pollIntervalMs: 20 },
    });
    const [remover, holder] = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
      { name: 'virtual-remover', consolePassword: true, mfa: 'virtual' },
      { name: 'token-holder', consolePassword: true, mfa: 'hardware' },
    ]);
    if (!remover || !holder) throw new Error('not seeded');
    const periodic = () =>
      scheduledEvent(ruleName, { notificationCreationTime: new Date().toISOString() });
    await handler(periodic());
    const fromReport = await storedEvaluations(endpoint(), ruleName);
    const iam = new IAMClient(motoClientConfig(endpoint()));
    const [device] =
      (await iam.send(new ListMFADevicesCommand({ UserName: remover.name }))).MFADevices ?? [];
    const serial = device?.SerialNumber ?? '';
    await iam.send(
      new DeactivateMFADeviceCommand({ UserName: remover.name, SerialNumber: serial }),
    );
    await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial }));
    iam.destroy();
    await takeCallCounts(endpoint());

    // Act: the next periodic run, on the same report (it still shows both users with MFA).
    await handler(periodic());
    const after = await storedEvaluations(endpoint(), ruleName);
    const calls = await takeCallCounts(endpoint());

    // Assess
    expect(serial).toMatch(/:mfa\//);
    expect(fromReport.map((e) => [e.resourceId, e.compliance])).toEqual(
      expect.arrayContaining([
        [remover.userId, 'COMPLIANT'],
        [holder.userId, 'COMPLIANT'],
      ]),
    );
    expect(after).toHaveLength(2);
    expect(after).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          resourceId: remover.userId,
          compliance: 'NON_COMPLIANT',
          annotation: expect.stringMatching(/live/) as unknown,
        }),
        expect.objectContaining({
          resourceId: holder.userId,
          compliance: 'COMPLIANT',
          annotation: expect.stringContaining('MFA devices listed live') as unknown,
        }),
      ]),
    );
    // One ListMFADevices each to confirm the report's MFA; the user found without a device is then
    // checked live whole (the console rule reads the password too).
    expect(calls.ListMFADevices).toBe(3);
    expect(calls.GetLoginProfile ?? 0).toBe(ruleName === 'iam-user-console-mfa' ? 1 : 0);
    expect(calls.GenerateCredentialReport).toBe(1);
  });
});
