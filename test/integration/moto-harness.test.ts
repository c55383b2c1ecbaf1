/**
 * Tests of the moto extensions in test/moto/server.py, through the real AWS SDK v3 clients.
 * They pin down the AWS behaviour the rules depend on, so a moto upgrade that breaks the
 * harness fails here rather than as a confusing rule-test failure.
 */
import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  paginateGetComplianceDetailsByConfigRule,
  PutEvaluationsCommand,
  type Evaluation,
  type EvaluationResult,
} from '@aws-sdk/client-config-service';
import {
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GenerateCredentialReportCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  IAMClient,
  ListMFADevicesCommand,
  ListUsersCommand,
  ListVirtualMFADevicesCommand,
  paginateListUsers,
  type ReportStateType,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  expireCredentialReport,
  motoClientConfig,
  resetMoto,
  seedUsers,
  setConfigStore,
  setRootState,
  startMoto,
  TEST_ACCOUNT_ID,
  type SeedUser,
} from '../support/moto';

const OTHER_ACCOUNT_ID = '210987654321';
const RULE = 'console-users-mfa';

function motoEndpoint(): string {
  const endpoint = process.env.MOTO_ENDPOINT;
  if (endpoint === undefined) {
    throw new Error('MOTO_ENDPOINT is not set: run with the integration jest project');
  }
  return endpoint;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** Name of the error a promise rejects with (the SDK's modeled exception class name). */
async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof Error ? error.name : String(error);
  }
  throw new Error('expected the call to fail');
}

/** Calls GenerateCredentialReport until COMPLETE; returns every state seen, in order. */
async function generateReport(iam: IAMClient): Promise<ReportStateType[]> {
  const states: ReportStateType[] = [];
  for (let attempt = 0; attempt < 400; attempt++) {
    const { State } = await iam.send(new GenerateCredentialReportCommand({}));
    if (State !== undefined) {
      states.push(State);
    }
    if (State === 'COMPLETE') {
      return states;
    }
    await sleep(25);
  }
  throw new Error(`credential report never completed: ${states.join(',')}`);
}

/** The report's CSV lines (header first). */
async function reportLines(iam: IAMClient): Promise<string[]> {
  const { Content } = await iam.send(new GetCredentialReportCommand({}));
  return Buffer.from(Content ?? new Uint8Array())
    .toString('utf8')
    .trimEnd()
    .split('\n');
}

/** Column value of a row whose user name has no comma (moto does not quote names). */
function column(lines: string[], user: string, name: string): string | undefined {
  const header = lines[0]?.split(',') ?? [];
  const row = lines.find((line) => line.startsWith(`${user},`))?.split(',');
  return row?.[header.indexOf(name)];
}

function evaluation(id: string, compliance: string, at: Date, annotation?: string): Evaluation {
  return {
    ComplianceResourceType: 'AWS::IAM::User',
    ComplianceResourceId: id,
    ComplianceType: compliance as Evaluation['ComplianceType'],
    OrderingTimestamp: at,
    Annotation: annotation,
  };
}

async function allResults(
  config: ConfigServiceClient,
  input: { ConfigRuleName: string; ComplianceTypes?: ('COMPLIANT' | 'NON_COMPLIANT')[] },
): Promise<{ pages: number; results: EvaluationResult[] }> {
  let pages = 0;
  const results: EvaluationResult[] = [];
  for await (const page of paginateGetComplianceDetailsByConfigRule(
    { client: config, pageSize: 10 },
    input,
  )) {
    pages++;
    results.push(...(page.EvaluationResults ?? []));
  }
  return { pages, results };
}

async function listAllUserNames(iam: IAMClient): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListUsers({ client: iam, pageSize: 100 }, {})) {
    names.push(...(page.Users ?? []).map((user) => user.UserName ?? ''));
  }
  return names;
}

describe('moto harness extensions', () => {
  let iam: IAMClient;
  let config: ConfigServiceClient;

  beforeAll(() => {
    iam = new IAMClient(motoClientConfig(motoEndpoint()));
    config = new ConfigServiceClient(motoClientConfig(motoEndpoint()));
  });

  afterAll(() => {
    iam.destroy();
    config.destroy();
  });

  beforeEach(async () => {
    await resetMoto(motoEndpoint());
  });

  describe('Config PutEvaluations and GetComplianceDetailsByConfigRule', () => {
    it('keeps the last evaluation written per resource by default, even an older one', async () => {
      // Prepare
      const newer = new Date('2025-01-02T00:00:00Z');
      const older = new Date('2025-01-01T00:00:00Z');
      await config.send(
        new PutEvaluationsCommand({
          ResultToken: RULE,
          Evaluations: [evaluation('AIDAUSER00', 'NON_COMPLIANT', newer, 'live')],
        }),
      );
      const writtenAfter = Date.now();

      // Act
      await config.send(
        new PutEvaluationsCommand({
          ResultToken: RULE,
          Evaluations: [evaluation('AIDAUSER00', 'COMPLIANT', older, 'from an older report')],
        }),
      );
      const [kept] = (await allResults(config, { ConfigRuleName: RULE })).results;

      // Assess
      expect(kept?.ComplianceType).toBe('COMPLIANT');
      expect(kept?.Annotation).toBe('from an older report');
      expect(kept?.EvaluationResultIdentifier?.OrderingTimestamp).toEqual(older);
      expect(kept?.ResultRecordedTime?.getTime()).toBeGreaterThanOrEqual(writtenAfter - 1);
    });

    it('with keep=latest-ordering stores the newest evaluation per resource and pages through them in a stable order', async () => {
      // Prepare
      await setConfigStore(motoEndpoint(), 'latest-ordering');
      const at = new Date('2025-01-01T00:00:00Z');
      const earlier = new Date('2024-12-31T00:00:00Z');
      const later = new Date('2025-01-02T00:00:00Z');
      const ids = Array.from({ length: 25 }, (_, i) => `AIDAUSER${String(i).padStart(2, '0')}`);
      const first = ids.map((id, i) => evaluation(id, i % 2 ? 'NON_COMPLIANT' : 'COMPLIANT', at));

      // Act
      await config.send(
        new PutEvaluationsCommand({ ResultToken: `${RULE}/invocation-1`, Evaluations: first }),
      );
      await config.send(
        new PutEvaluationsCommand({
          ResultToken: RULE,
          Evaluations: [
            evaluation('AIDAUSER00', 'NON_COMPLIANT', earlier, 'stale, must be ignored'),
            evaluation('AIDAUSER01', 'COMPLIANT', later, 'MFA enabled since'),
          ],
        }),
      );
      const everything = await allResults(config, { ConfigRuleName: RULE });
      const nonCompliant = await allResults(config, {
        ConfigRuleName: RULE,
        ComplianceTypes: ['NON_COMPLIANT'],
      });
      const otherRule = await config.send(
        new GetComplianceDetailsByConfigRuleCommand({ ConfigRuleName: 'root-account-mfa' }),
      );

      // Assess
      expect(everything.pages).toBe(3);
      const resultIds = everything.results.map(
        (r) => r.EvaluationResultIdentifier?.EvaluationResultQualifier?.ResourceId,
      );
      expect(resultIds).toEqual(ids);
      const byId = new Map(everything.results.map((r, i) => [resultIds[i], r]));
      expect(byId.get('AIDAUSER00')?.ComplianceType).toBe('COMPLIANT');
      expect(byId.get('AIDAUSER00')?.Annotation).toBeUndefined();
      const replaced = byId.get('AIDAUSER01');
      expect(replaced?.ComplianceType).toBe('COMPLIANT');
      expect(replaced?.Annotation).toBe('MFA enabled since');
      expect(replaced?.EvaluationResultIdentifier).toEqual({
        EvaluationResultQualifier: {
          ConfigRuleName: RULE,
          ResourceType: 'AWS::IAM::User',
          ResourceId: 'AIDAUSER01',
          EvaluationMode: 'DETECTIVE',
        },
        OrderingTimestamp: later,
      });
      expect(replaced?.ResultRecordedTime).toBeInstanceOf(Date);
      expect(replaced?.ConfigRuleInvokedTime).toBeInstanceOf(Date);
      expect(nonCompliant.results).toHaveLength(11);
      expect(nonCompliant.results.every((r) => r.ComplianceType === 'NON_COMPLIANT')).toBe(true);
      expect(otherRule.EvaluationResults).toEqual([]);
      expect(otherRule.NextToken).toBeUndefined();
    });

    it('stores nothing in TestMode', async () => {
      // Prepare
      const input = {
        ResultToken: RULE,
        Evaluations: [evaluation('AIDAUSER00', 'NON_COMPLIANT', new Date())],
        TestMode: true,
      };

      // Act
      const response = await config.send(new PutEvaluationsCommand(input));
      const stored = await config.send(
        new GetComplianceDetailsByConfigRuleCommand({ ConfigRuleName: RULE }),
      );

      // Assess
      expect(response.FailedEvaluations).toEqual([]);
      expect(stored.EvaluationResults).toEqual([]);
    });

    it('rejects what AWS rejects: empty annotation, INSUFFICIENT_DATA, 0 or >100 evaluations, bad token', async () => {
      // Prepare
      const now = new Date();
      const put = (Evaluations: Evaluation[], ResultToken = RULE) =>
        config.send(new PutEvaluationsCommand({ ResultToken, Evaluations }));
      const many = Array.from({ length: 101 }, (_, i) => evaluation(`U${i}`, 'COMPLIANT', now));

      // Act
      const names = await Promise.all([
        errorName(put([evaluation('U1', 'COMPLIANT', now, '')])),
        errorName(put([evaluation('U1', 'COMPLIANT', now, 'x'.repeat(257))])),
        errorName(put([evaluation('U1', 'INSUFFICIENT_DATA', now)])),
        errorName(put([])),
        errorName(put(many)),
        errorName(put([evaluation('U1', 'COMPLIANT', now)], '/no-rule-name')),
      ]);
      const stored = await config.send(
        new GetComplianceDetailsByConfigRuleCommand({ ConfigRuleName: RULE }),
      );

      // Assess
      expect(names).toEqual([
        'InvalidParameterValueException',
        'ValidationException',
        'InvalidParameterValueException',
        'ValidationException',
        'ValidationException',
        'InvalidResultTokenException',
      ]);
      expect(stored.EvaluationResults).toEqual([]);
    });
  });

  describe('IAM ListUsers pagination', () => {
    it('honours MaxItems and Marker', async () => {
      // Prepare
      const users = Array.from({ length: 25 }, (_, i) => ({
        name: `user-${String(i).padStart(2, '0')}`,
      }));
      await seedUsers(motoEndpoint(), TEST_ACCOUNT_ID, users);

      // Act
      const first = await iam.send(new ListUsersCommand({ MaxItems: 10 }));
      const second = await iam.send(new ListUsersCommand({ MaxItems: 10, Marker: first.Marker }));
      const all = await listAllUserNames(iam);

      // Assess
      expect(first.Users).toHaveLength(10);
      expect(first.IsTruncated).toBe(true);
      expect(first.Marker).toEqual(expect.any(String));
      expect(second.Users?.[0]?.UserName).toBe('user-10');
      expect(all).toEqual(users.map((u) => u.name));
    });

    it('returns short pages with MOTO_EXT_SHORT_PAGES=1, so clients must follow IsTruncated', async () => {
      // Prepare
      const shortPages = await startMoto({ env: { MOTO_EXT_SHORT_PAGES: '1' } });
      const shortIam = new IAMClient(motoClientConfig(shortPages.endpoint));
      try {
        const users = Array.from({ length: 20 }, (_, i) => ({
          name: `short-${String(i).padStart(2, '0')}`,
        }));
        await seedUsers(shortPages.endpoint, TEST_ACCOUNT_ID, users);

        // Act
        const first = await shortIam.send(new ListUsersCommand({ MaxItems: 100 }));
        const all = await listAllUserNames(shortIam);

        // Assess
        expect(first.Users).toHaveLength(7);
        expect(first.IsTruncated).toBe(true);
        expect(all).toEqual(users.map((u) => u.name));
      } finally {
        shortIam.destroy();
        await shortPages.stop();
      }
    });
  });

  describe('credential report', () => {
    it('is not present until generated, then goes STARTED -> COMPLETE', async () => {
      // Prepare: nothing beyond the reset in beforeEach

      // Act
      const before = await errorName(iam.send(new GetCredentialReportCommand({})));
      const states = await generateReport(iam);
      const report = await iam.send(new GetCredentialReportCommand({}));

      // Assess
      expect(before).toBe('CredentialReportNotPresentException');
      expect(states[0]).toBe('STARTED');
      expect(states.at(-1)).toBe('COMPLETE');
      expect(report.ReportFormat).toBe('text/csv');
      expect(report.GeneratedTime).toBeInstanceOf(Date);
      expect(report.Content).toBeInstanceOf(Uint8Array);
    });

    it('is INPROGRESS and not ready while generating', async () => {
      // Prepare
      const slow = await startMoto({ env: { MOTO_EXT_REPORT_DELAY_MS: '3600000' } });
      const slowIam = new IAMClient(motoClientConfig(slow.endpoint));
      try {
        // Act
        const started = await slowIam.send(new GenerateCredentialReportCommand({}));
        const again = await slowIam.send(new GenerateCredentialReportCommand({}));
        const get = await errorName(slowIam.send(new GetCredentialReportCommand({})));

        // Assess
        expect(started.State).toBe('STARTED');
        expect(again.State).toBe('INPROGRESS');
        expect(get).toBe('CredentialReportNotReadyException');
      } finally {
        slowIam.destroy();
        await slow.stop();
      }
    });

    it('is a snapshot: changes after generation are not in it; root row comes first', async () => {
      // Prepare
      await iam.send(new CreateUserCommand({ UserName: 'alice' }));
      await iam.send(new CreateLoginProfileCommand({ UserName: 'alice', Password: 'Passw0rd!x' }));
      await iam.send(new CreateUserCommand({ UserName: 'a,b' }));
      await generateReport(iam);

      // Act
      const device = await iam.send(
        new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'alice' }),
      );
      await iam.send(
        new EnableMFADeviceCommand({
          UserName: 'alice',
          SerialNumber: device.VirtualMFADevice?.SerialNumber,
          AuthenticationCode1: '123456',
          AuthenticationCode2: '654321',
        }),
      );
      await iam.send(new CreateUserCommand({ UserName: 'bob' }));
      const lines = await reportLines(iam);

      // Assess
      expect(lines[0]?.startsWith('user,arn,user_creation_time,password_enabled,')).toBe(true);
      expect(lines[1]?.split(',').slice(0, 2)).toEqual([
        '<root_account>',
        `arn:aws:iam::${TEST_ACCOUNT_ID}:root`,
      ]);
      expect(column(lines, '<root_account>', 'password_enabled')).toBe('not_supported');
      expect(column(lines, '<root_account>', 'mfa_active')).toBe('false');
      expect(column(lines, 'alice', 'password_enabled')).toBe('true');
      expect(column(lines, 'alice', 'mfa_active')).toBe('false');
      expect(lines.some((line) => line.startsWith('bob,'))).toBe(false);
      expect(lines.filter((line) => line.startsWith('a,b,arn:aws:iam::'))).toHaveLength(1);
      expect(lines).toHaveLength(4);
    });

    it('expires after 4 hours and a new generation sees the current state', async () => {
      // Prepare
      await iam.send(new CreateUserCommand({ UserName: 'carol' }));
      await generateReport(iam);
      const first = await iam.send(new GetCredentialReportCommand({}));
      await iam.send(new CreateUserCommand({ UserName: 'dave' }));

      // Act
      await expireCredentialReport(motoEndpoint(), TEST_ACCOUNT_ID);
      const expired = await errorName(iam.send(new GetCredentialReportCommand({})));
      const states = await generateReport(iam);
      const lines = await reportLines(iam);
      const second = await iam.send(new GetCredentialReportCommand({}));

      // Assess
      expect(expired).toBe('CredentialReportExpiredException');
      expect(states[0]).toBe('STARTED');
      expect(lines.some((line) => line.startsWith('dave,'))).toBe(true);
      expect(second.GeneratedTime?.getTime()).toBeGreaterThanOrEqual(
        first.GeneratedTime?.getTime() ?? Infinity,
      );
    });
  });

  describe('root account state', () => {
    it('defaults to a root with a password and no MFA, keys or certificates', async () => {
      // Prepare: nothing beyond the reset in beforeEach

      // Act
      const { SummaryMap } = await iam.send(new GetAccountSummaryCommand({}));

      // Assess
      expect(SummaryMap).toMatchObject({
        AccountMFAEnabled: 0,
        AccountPasswordPresent: 1,
        AccountAccessKeysPresent: 0,
        AccountSigningCertificatesPresent: 0,
      });
    });

    it('reports root MFA, a root virtual device and omitted summary keys', async () => {
      // Prepare
      const created = await iam.send(
        new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'root-account-mfa-device' }),
      );
      const serial = created.VirtualMFADevice?.SerialNumber ?? '';
      await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'spare' }));

      // Act
      await setRootState(motoEndpoint(), {
        accountId: TEST_ACCOUNT_ID,
        mfaEnabled: true,
        accessKeysPresent: true,
        signingCertificatesPresent: true,
        virtualMfaSerial: serial,
        omitSummaryKeys: ['AccountPasswordPresent'],
      });
      const { SummaryMap } = await iam.send(new GetAccountSummaryCommand({}));
      const assigned = await iam.send(
        new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned' }),
      );
      await generateReport(iam);
      const lines = await reportLines(iam);
      await setRootState(motoEndpoint(), { accountId: TEST_ACCOUNT_ID, virtualMfaSerial: null });
      const afterUnassign = await iam.send(
        new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned' }),
      );

      // Assess
      expect(SummaryMap).toMatchObject({
        AccountMFAEnabled: 1,
        AccountAccessKeysPresent: 1,
        AccountSigningCertificatesPresent: 1,
      });
      expect(SummaryMap).not.toHaveProperty('AccountPasswordPresent');
      expect(assigned.VirtualMFADevices).toHaveLength(1);
      const rootDevice = assigned.VirtualMFADevices?.[0];
      expect(rootDevice?.SerialNumber).toBe(serial);
      expect(rootDevice?.EnableDate).toBeInstanceOf(Date);
      expect(rootDevice?.User).toMatchObject({
        Arn: `arn:aws:iam::${TEST_ACCOUNT_ID}:root`,
        UserId: TEST_ACCOUNT_ID,
        UserName: '<root_account>',
      });
      expect(column(lines, '<root_account>', 'mfa_active')).toBe('true');
      expect(column(lines, '<root_account>', 'access_key_1_active')).toBe('true');
      expect(column(lines, '<root_account>', 'cert_1_active')).toBe('true');
      expect(afterUnassign.VirtualMFADevices).toEqual([]);
    });

    it('keeps state per account; assumed-role credentials address the role account', async () => {
      // Prepare
      await setRootState(motoEndpoint(), { accountId: OTHER_ACCOUNT_ID, mfaEnabled: true });
      const sts = new STSClient(motoClientConfig(motoEndpoint()));
      const { Credentials } = await sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${OTHER_ACCOUNT_ID}:role/audit`,
          RoleSessionName: 'harness',
        }),
      );
      sts.destroy();
      const otherAccount = {
        ...motoClientConfig(motoEndpoint()),
        credentials: {
          accessKeyId: Credentials?.AccessKeyId ?? '',
          secretAccessKey: Credentials?.SecretAccessKey ?? '',
          sessionToken: Credentials?.SessionToken,
        },
      };
      const other = new IAMClient(otherAccount);
      const otherConfig = new ConfigServiceClient(otherAccount);

      try {
        // Act
        const mine = await iam.send(new GetAccountSummaryCommand({}));
        const theirs = await other.send(new GetAccountSummaryCommand({}));
        await otherConfig.send(
          new PutEvaluationsCommand({
            ResultToken: RULE,
            Evaluations: [evaluation('AIDAOTHER', 'COMPLIANT', new Date())],
          }),
        );
        const mineResults = await config.send(
          new GetComplianceDetailsByConfigRuleCommand({ ConfigRuleName: RULE }),
        );
        const theirResults = await otherConfig.send(
          new GetComplianceDetailsByConfigRuleCommand({ ConfigRuleName: RULE }),
        );

        // Assess
        expect(mine.SummaryMap?.AccountMFAEnabled).toBe(0);
        expect(theirs.SummaryMap?.AccountMFAEnabled).toBe(1);
        expect(mineResults.EvaluationResults).toEqual([]);
        expect(theirResults.EvaluationResults).toHaveLength(1);
      } finally {
        other.destroy();
        otherConfig.destroy();
      }
    });
  });

  describe('seed-users', () => {
    it('creates users with the requested password and MFA mix', async () => {
      // Prepare
      const mfaKinds = ['none', 'virtual', 'hardware'] as const;
      const users: SeedUser[] = Array.from({ length: 300 }, (_, i) => ({
        name: `seed-${String(i).padStart(3, '0')}`,
        path: i % 10 === 0 ? '/contractors/' : '/',
        consolePassword: i % 2 === 0,
        mfa: mfaKinds[i % 3],
      }));

      // Act
      const seeded = await seedUsers(motoEndpoint(), TEST_ACCOUNT_ID, users);
      const names = await listAllUserNames(iam);
      await generateReport(iam);
      const rows = (await reportLines(iam)).slice(2).map((line) => line.split(','));
      const virtual = await iam.send(
        new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned', MaxItems: 1000 }),
      );
      const hardware = await iam.send(new ListMFADevicesCommand({ UserName: 'seed-002' }));

      // Assess
      expect(seeded).toHaveLength(300);
      expect(seeded[10]).toMatchObject({
        name: 'seed-010',
        arn: `arn:aws:iam::${TEST_ACCOUNT_ID}:user/contractors/seed-010`,
      });
      expect(new Set(seeded.map((user) => user.userId)).size).toBe(300);
      expect(names).toHaveLength(300);
      expect(rows).toHaveLength(300);
      expect(rows.filter((row) => row[3] === 'true')).toHaveLength(150);
      expect(rows.filter((row) => row[7] === 'true')).toHaveLength(200);
      expect(virtual.VirtualMFADevices).toHaveLength(100);
      expect(hardware.MFADevices?.[0]?.SerialNumber).toMatch(/^GAHT\d{8}$/);
    });

    it('rejects a duplicate name without creating anything', async () => {
      // Prepare
      await seedUsers(motoEndpoint(), TEST_ACCOUNT_ID, [{ name: 'taken' }]);

      // Act
      const failure = seedUsers(motoEndpoint(), TEST_ACCOUNT_ID, [
        { name: 'fresh' },
        { name: 'taken' },
      ]);

      // Assess
      await expect(failure).rejects.toThrow(/HTTP 400/);
      expect(await listAllUserNames(iam)).toEqual(['taken']);
    });
  });
});
