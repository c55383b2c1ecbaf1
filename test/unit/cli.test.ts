/** The CLI: argument errors, exit codes and the JSON output, with every AWS client mocked. */
import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  ListMFADevicesCommand,
  ListUserTagsCommand,
  ListUsersCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { config, iam, sts } from './aws-mocks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULE_METADATA, RULE_NAMES } from '../../rules/catalog';
import { formatTable } from '../../cli/format';
import { main, type Io } from '../../cli/main';
import { ROW_FIELDS, storedRow, type ReportRow } from '../../cli/report-model';
import { formatCis, formatSecurityHub } from '../../rules/frameworks';
import type { RuleMetadata } from '../../rules/runtime/types';
import {
  ACCOUNT,
  accountSummary,
  listedUser,
  reportCsv,
  reportRow,
  virtualMfaListing,
} from './helpers';

const packageJson = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'),
) as { version: string };

interface FakeIo extends Io {
  out: string[];
  err: string[];
}

function fakeIo(): FakeIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readStdin: () => Promise.resolve(''),
  };
}

function mockAccount(aliceHasMfa: boolean): void {
  iam.on(GetAccountSummaryCommand).resolves(accountSummary());
  iam
    .on(ListVirtualMFADevicesCommand)
    .resolves(virtualMfaListing([reportRow('alice', true, aliceHasMfa)]));
  iam.on(ListUsersCommand).resolves({ Users: [listedUser('alice')], IsTruncated: false });
  iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
  iam.on(GetCredentialReportCommand).resolves({
    Content: reportCsv([reportRow('alice', true, aliceHasMfa)]),
    GeneratedTime: new Date('2026-01-01T00:00:00Z'),
  });
  iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
  // iam-user-hardware-mfa: alice holds no privilege, so it is NOT_APPLICABLE there.
  iam.on(GetAccountAuthorizationDetailsCommand).resolves({
    UserDetailList: [listedUser('alice')],
    GroupDetailList: [],
    IsTruncated: false,
  });
}

beforeEach(() => {
  sts.reset();
  iam.reset();
  config.reset();
  // No exemption tags unless a test sets some.
  iam.on(ListUserTagsCommand).resolves({ Tags: [] });
  // A console password, created long ago, unless a test says otherwise.
  iam.on(GetLoginProfileCommand).resolves({
    LoginProfile: { UserName: 'x', CreateDate: new Date('2025-01-01T00:00:00Z') },
  });
  sts.on(GetCallerIdentityCommand).resolves({ Arn: `arn:aws:iam::${ACCOUNT}:user/x` });
});

describe('usage errors', () => {
  it.each<[string, string[]]>([
    ['unknown flag', ['evaluate', '--bogus']],
    ['unknown rule', ['evaluate', '--rule', 'no-such-rule']],
    ['bad --parameters JSON', ['evaluate', '--parameters', '{bad']],
    ['--parameters not an object', ['evaluate', '--parameters', '[1]']],
    ['unknown parameter', ['evaluate', '--parameters', '{"Foo":"x"}']],
  ])('%s → exit 2 with one line on stderr', async (_label, argv) => {
    // Prepare
    const io = fakeIo();

    // Act
    const code = await main(argv, io);

    // Assess
    expect(code).toBe(2);
    const err = io.err.join('');
    expect(err.split('\n').filter(Boolean)).toHaveLength(1);
    expect(err.startsWith('mfa-config-rules: ')).toBe(true);
    expect(io.out.join('')).toBe('');
    expect(iam.calls()).toHaveLength(0);
  });

  it('names the unknown rule and the known ones', async () => {
    // Prepare
    const io = fakeIo();

    // Act
    await main(['evaluate', '--rule', 'no-such-rule'], io);

    // Assess
    expect(io.err.join('')).toContain("unknown rule 'no-such-rule'");
    expect(io.err.join('')).toContain('iam-user-console-mfa');
  });
});

describe('rules', () => {
  it('lists every rule of the catalog with each CIS version and its Security Hub control', async () => {
    // Prepare
    const io = fakeIo();

    // Act
    const code = await main(['rules'], io);

    // Assess
    expect(code).toBe(0);
    const text = io.out.join('');
    for (const rule of RULE_METADATA) {
      expect(text).toContain(rule.name);
      expect(text).toContain(` ${formatSecurityHub(rule)} `);
      for (const line of formatCis(rule).split(', ')) expect(text).toContain(line);
    }
    expect(text).toContain('v2.0.0–v4.0.1 1.6 (manual)');
    expect(sts.calls()).toHaveLength(0);
  });

  it('prints every rule and its mappings as one JSON array with --output json', async () => {
    // Prepare
    const io = fakeIo();

    // Act
    const code = await main(['rules', '--output', 'json'], io);

    // Assess
    expect(code).toBe(0);
    expect(io.err).toEqual([]);
    const listed = JSON.parse(io.out.join('')) as RuleMetadata[];
    expect(listed.map((rule) => rule.name)).toEqual(RULE_NAMES);
    expect(listed).toEqual(JSON.parse(JSON.stringify(RULE_METADATA)));
    const console = listed.find((rule) => rule.name === 'iam-user-console-mfa');
    expect(console?.frameworks).toContainEqual(
      expect.objectContaining({ version: 'v7.0.0', control: '2.10', assessment: 'Automated' }),
    );
    expect(console?.frameworks).toContainEqual(
      expect.objectContaining({ framework: 'AWS Security Hub', control: 'IAM.5' }),
    );
  });

  it('refuses an unknown --output with one line and exit 2', async () => {
    // Prepare
    const io = fakeIo();

    // Act
    const code = await main(['rules', '--output', 'xml'], io);

    // Assess
    expect(code).toBe(2);
    expect(io.out).toEqual([]);
    expect(io.err.join('')).toMatch(/^mfa-config-rules: .*'xml' is invalid.*\n$/);
    expect(io.err.join('').split('\n')).toHaveLength(2);
  });
});

describe('evaluate --parameters with several rules', () => {
  it('gives each rule the keys it takes: GracePeriodDays reaches the console rule, the root rules run', async () => {
    // Prepare: alice was created a day ago and has no MFA yet.
    mockAccount(false);
    iam.on(ListUsersCommand).resolves({
      Users: [{ ...listedUser('alice'), CreateDate: new Date(Date.now() - 86_400_000) }],
      IsTruncated: false,
    });
    const io = fakeIo();

    // Act
    const code = await main(
      [
        'evaluate',
        '--output',
        'json',
        '--region',
        'us-east-1',
        '--parameters',
        '{"GracePeriodDays":"7"}',
      ],
      io,
    );

    // Assess
    expect(io.err).toEqual([]);
    const rows = JSON.parse(io.out.join('')) as {
      rule: string;
      compliance: string;
      annotation: string;
    }[];
    const consoleRow = rows.find((row) => row.rule === 'iam-user-console-mfa');
    expect(consoleRow?.compliance).toBe('NOT_APPLICABLE');
    expect(consoleRow?.annotation).toContain('MFA due by');
    // Every rule ran; iam-user-mfa takes no grace, so alice fails it.
    expect(new Set(rows.map((row) => row.rule))).toEqual(new Set(RULE_NAMES));
    expect(rows.find((row) => row.rule === 'iam-user-mfa')?.compliance).toBe('NON_COMPLIANT');
    expect(code).toBe(1);
  });

  it('refuses a key no selected rule takes, naming what each rule takes, and reads nothing', async () => {
    // Prepare
    const io = fakeIo();

    // Act
    const code = await main(
      ['evaluate', '--region', 'us-east-1', '--parameters', '{"GracePeriod":"7"}'],
      io,
    );

    // Assess
    expect(code).toBe(2);
    expect(io.out).toEqual([]);
    const err = io.err.join('');
    expect(err.split('\n')).toHaveLength(2);
    expect(err).toContain("no selected rule takes 'GracePeriod'");
    expect(err).toContain(
      'GracePeriodDays, ExemptionTagKey, MaxExemptionDays, ExemptionSource (iam-user-console-mfa)',
    );
    expect(iam.calls()).toHaveLength(0);
  });
});

describe('evaluate --output json', () => {
  it('prints exactly one JSON array of rows and exits 1 when something is NON_COMPLIANT', async () => {
    // Prepare
    mockAccount(false);
    const io = fakeIo();

    // Act
    const code = await main(['evaluate', '--output', 'json', '--region', 'us-east-1'], io);

    // Assess
    expect(io.err).toEqual([]);
    expect(code).toBe(1);
    expect(io.out).toHaveLength(1);
    const rows = JSON.parse(io.out.join('')) as Record<string, unknown>[];
    expect(Array.isArray(rows)).toBe(true);
    expect(new Set(rows.map((row) => row.rule))).toEqual(new Set(RULE_NAMES));
    for (const row of rows) {
      expect(Object.keys(row)).toEqual([...ROW_FIELDS]);
      expect(row).toMatchObject({ accountId: ACCOUNT, region: 'us-east-1' });
    }
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: 'root-account-mfa',
          resourceType: 'AWS::::Account',
          resourceId: ACCOUNT,
          compliance: 'COMPLIANT',
        }),
        expect.objectContaining({
          rule: 'root-account-hardware-mfa',
          resourceId: ACCOUNT,
          compliance: 'COMPLIANT',
        }),
        expect.objectContaining({
          rule: 'iam-user-console-mfa',
          resourceType: 'AWS::IAM::User',
          resourceId: 'AIDAALICE',
          resourceName: 'alice',
          compliance: 'NON_COMPLIANT',
        }),
      ]),
    );
    // read-only: nothing is sent to AWS Config
    expect(config.calls()).toHaveLength(0);
    expect(iam).toHaveReceivedCommandWith(ListMFADevicesCommand, { UserName: 'alice' });
  });

  it('exits 0 when nothing is NON_COMPLIANT', async () => {
    // Prepare
    mockAccount(true);
    const io = fakeIo();

    // Act
    const code = await main(
      ['evaluate', '--output', 'json', '--rule', 'iam-user-console-mfa', '--region', 'us-east-1'],
      io,
    );

    // Assess
    expect(code).toBe(0);
    const rows = JSON.parse(io.out.join('')) as { rule: string; compliance: string }[];
    expect(rows).toEqual([
      expect.objectContaining({ rule: 'iam-user-console-mfa', compliance: 'COMPLIANT' }),
    ]);
    expect(iam).toHaveReceivedCommandTimes(GetAccountSummaryCommand, 0);
    expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 0);
  });

  it('exits 2 with one line when AWS cannot be read', async () => {
    // Prepare
    mockAccount(true);
    iam.on(GetAccountSummaryCommand).rejects(new Error('AccessDenied'));
    const io = fakeIo();

    // Act
    const code = await main(
      ['evaluate', '--output', 'json', '--rule', 'root-account-mfa', '--region', 'us-east-1'],
      io,
    );

    // Assess
    expect(code).toBe(2);
    expect(io.out).toEqual([]);
    expect(io.err.join('').split('\n').filter(Boolean)).toHaveLength(1);
    expect(io.err.join('')).toContain('DataLoadError');
  });
});

describe('usage and version', () => {
  it('no arguments: the usage on stderr, exit 2, nothing on stdout', async () => {
    // Prepare
    const io = fakeIo();

    // Act
    const code = await main([], io);

    // Assess
    expect(code).toBe(2);
    expect(io.out).toEqual([]);
    expect(io.err.join('')).toMatch(/^Usage: mfa-config-rules /);
  });

  it('--version prints the version of package.json', async () => {
    // Prepare
    const io = fakeIo();

    // Act
    const code = await main(['--version'], io);

    // Assess
    expect(code).toBe(0);
    expect(io.out.join('')).toBe(`${packageJson.version}\n`);
  });
});

describe('table output', () => {
  it('fits the longest rule name, a user id and every verdict in their columns', () => {
    // Prepare
    const row = (fields: Partial<ReportRow>): ReportRow =>
      storedRow({
        accountId: ACCOUNT,
        region: 'us-east-1',
        rule: 'iam-user-console-mfa',
        resourceType: 'AWS::IAM::User',
        resourceId: ACCOUNT,
        resourceName: ACCOUNT,
        compliance: 'COMPLIANT',
        annotation: '',
        recordedAt: '2026-01-01T00:00:00Z',
        ...fields,
      });
    const rows: ReportRow[] = [
      row({
        rule: 'root-account-hardware-mfa',
        resourceType: 'AWS::::Account',
        compliance: 'NON_COMPLIANT',
        annotation: 'The root user has a virtual MFA device.',
      }),
      row({
        resourceId: 'AIDAEXAMPLEUSERID0001',
        resourceName: 'alice',
        annotation: 'alice has MFA.',
      }),
      row({
        resourceId: 'AIDAEXAMPLEUSERID0002',
        resourceName: 'deploy-bot',
        compliance: 'NOT_APPLICABLE',
        annotation: 'deploy-bot has no console password.',
      }),
    ];

    // Act
    const table = formatTable(rows, 110);

    // Assess
    expect(table).toContain(' root-account-hardware-mfa ');
    expect(table).toContain(' AIDAEXAMPLEUSERID0001 ');
    expect(table).toContain(' iam-user-console-mfa ');
    for (const verdict of ['NON_COMPLIANT', 'COMPLIANT', 'NOT_APPLICABLE']) {
      expect(table).toContain(` ${verdict} `);
    }
    expect(table).not.toContain('…');
    for (const line of table.split('\n')) expect(line.length).toBeLessThanOrEqual(110);
  });
});
