/**
 * What `evaluate` lists and where: counts first, `--compliance` / `--failed`, one row model behind
 * every format (and `--output-dir` writing all of them from one run), exemptions and evidence as
 * fields, help with examples and exit codes, the closest option for a typo, progress only on a
 * terminal. Every AWS client is mocked.
 */
import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  ListMFADevicesCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { config, iam, sts } from './aws-mocks';
import { parse } from 'csv-parse/sync';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RULE_METADATA } from '../../rules/catalog';
import { CSV_COLUMNS } from '../../cli/csv';
import { main, type Io } from '../../cli/main';
import { fileStem, writeOutputs } from '../../cli/outputs';
import { ROW_FIELDS, SEVERITY_ORDER, type ReportDocument } from '../../cli/report-model';
import {
  ACCOUNT,
  accountSummary,
  listedUser,
  reportCsv,
  reportRow,
  virtualMfaListing,
} from './helpers';

const REGION = ['--region', 'eu-west-1'];

interface FakeIo extends Io {
  out: string[];
  err: string[];
  progressed: string[];
}

function fakeIo(terminal = false): FakeIo {
  const out: string[] = [];
  const err: string[] = [];
  const progressed: string[] = [];
  return {
    out,
    err,
    progressed,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readStdin: () => Promise.resolve(''),
    ...(terminal ? { progress: (text: string) => progressed.push(text) } : {}),
  };
}

/**
 * Root without MFA; alice (console, no MFA), bob (console, MFA), carol (console, no MFA, exempt
 * until 2099-12-31… which is beyond MaxExemptionDays, so refused), dave (console, no MFA, exempt
 * for the next days: honoured).
 */
function mockAccount(): void {
  const until = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
  const users = ['alice', 'bob', 'carol', 'dave'];
  iam.on(GetAccountSummaryCommand).resolves(accountSummary({ AccountMFAEnabled: 0 }));
  iam
    .on(ListVirtualMFADevicesCommand)
    .resolves(virtualMfaListing(users.map((u) => reportRow(u, true, u === 'bob'))));
  iam.on(ListUsersCommand).resolves({ Users: users.map((u) => listedUser(u)), IsTruncated: false });
  iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
  iam.on(GetCredentialReportCommand).resolves({
    Content: reportCsv(users.map((u) => reportRow(u, true, u === 'bob'))),
    GeneratedTime: new Date('2026-01-01T00:00:00Z'),
  });
  iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
  iam.on(GetLoginProfileCommand).resolves({
    LoginProfile: { UserName: 'x', CreateDate: new Date('2025-01-01T00:00:00Z') },
  });
  const tags: Record<string, string> = {
    carol: '2099-12-31 forever, please',
    dave: `${until} waiting for a YubiKey`,
  };
  iam.on(ListUserTagsCommand).callsFake((input: { UserName: string }) => ({
    Tags: tags[input.UserName] ? [{ Key: 'mfa-exemption', Value: tags[input.UserName] }] : [],
  }));
  iam.on(GetAccountAuthorizationDetailsCommand).resolves({
    UserDetailList: users.map((u) => listedUser(u)),
    GroupDetailList: [],
    IsTruncated: false,
  });
  sts.on(GetCallerIdentityCommand).resolves({ Arn: `arn:aws:iam::${ACCOUNT}:user/x` });
}

beforeEach(() => {
  sts.reset();
  iam.reset();
  config.reset();
  mockAccount();
});

type JsonRow = Record<(typeof ROW_FIELDS)[number], string | null>;

async function evaluate(args: string[], io = fakeIo()) {
  const code = await main(['evaluate', ...REGION, ...args], io);
  return { code, io, stdout: io.out.join(''), stderr: io.err.join('') };
}

describe('evaluate: the row model', () => {
  it('gives every row account, Region, severity, exemption and evidence, in the report order', async () => {
    // Act
    const { code, stdout, stderr } = await evaluate(['--output', 'json']);
    const rows = JSON.parse(stdout) as JsonRow[];

    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(1);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual([...ROW_FIELDS]);
      expect(row).toMatchObject({ accountId: ACCOUNT, region: 'eu-west-1' });
      expect(row.severity).toBe(RULE_METADATA.find((m) => m.name === row.rule)?.severity);
      expect(Number.isNaN(Date.parse(row.evidenceAt ?? ''))).toBe(false);
      expect(['credential-report', 'virtual-mfa', 'live']).toContain(row.evidenceSource);
    }
    // Severity, then rule, then NON_COMPLIANT first, then the name.
    const rank = (row: JsonRow) =>
      SEVERITY_ORDER.indexOf(row.severity as (typeof SEVERITY_ORDER)[number]);
    expect(rows.map(rank)).toEqual(rows.map(rank).sort((a, b) => a - b));
    const consoleRows = rows.filter((row) => row.rule === 'iam-user-console-mfa');
    expect(consoleRows.map((row) => [row.resourceName, row.compliance])).toEqual([
      ['alice', 'NON_COMPLIANT'],
      ['carol', 'NON_COMPLIANT'],
      ['bob', 'COMPLIANT'],
      ['dave', 'NOT_APPLICABLE'],
    ]);
    // An exempt user is told apart from a user the rule does not apply to.
    expect(consoleRows.find((row) => row.resourceName === 'dave')).toMatchObject({
      compliance: 'NOT_APPLICABLE',
      complianceWithoutExemption: 'NON_COMPLIANT',
      exemptionStatus: 'honoured',
      exemptionSource: 'tag',
      exemptionKey: 'mfa-exemption',
      exemptionReason: 'waiting for a YubiKey',
      evidenceSource: 'live',
    });
    expect(consoleRows.find((row) => row.resourceName === 'carol')).toMatchObject({
      compliance: 'NON_COMPLIANT',
      complianceWithoutExemption: null,
      exemptionStatus: 'too-long',
      exemptionUntil: '2099-12-31',
    });
    expect(consoleRows.find((row) => row.resourceName === 'bob')).toMatchObject({
      evidenceSource: 'credential-report',
      evidenceAt: '2026-01-01T00:00:00.000Z',
      exemptionStatus: null,
    });
  });

  it('--failed lists NON_COMPLIANT rows only; the exit code still gates on everything', async () => {
    // Act
    const failed = await evaluate(['--failed', '--output', 'json']);
    const compliant = await evaluate(['--compliance', 'compliant', '--output', 'json']);

    // Assess
    const rows = JSON.parse(failed.stdout) as JsonRow[];
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((row) => row.compliance))).toEqual(new Set(['NON_COMPLIANT']));
    expect(failed.code).toBe(1);
    const passing = JSON.parse(compliant.stdout) as JsonRow[];
    expect(new Set(passing.map((row) => row.compliance))).toEqual(new Set(['COMPLIANT']));
    expect(compliant.code).toBe(1); // alice is NON_COMPLIANT though not listed
  });

  it('prints the counts per rule first, severity order, then the listed table', async () => {
    // Act
    const { stdout } = await evaluate(['--failed']);

    // Assess
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(
      `Account ${ACCOUNT} · Region eu-west-1 · evaluated ${lines[0]?.split('evaluated ')[1] ?? ''}`,
    );
    expect(lines[1]).toMatch(
      /^severity\s+rule\s+NON_COMPLIANT\s+COMPLIANT\s+NOT_APPLICABLE\s+exempt$/,
    );
    const summary = lines.slice(2, 2 + RULE_METADATA.length).map((line) => line.split(/\s+/));
    expect(summary.map(([severity]) => severity)).toEqual(
      [...RULE_METADATA.map((m) => m.severity)].sort(
        (a, b) => SEVERITY_ORDER.indexOf(a) - SEVERITY_ORDER.indexOf(b),
      ),
    );
    const consoleLine = summary.find(([, rule]) => rule === 'iam-user-console-mfa');
    // NON_COMPLIANT 2 (alice, carol), COMPLIANT 1 (bob), NOT_APPLICABLE 1 (dave), exempt 1.
    expect(consoleLine?.slice(2)).toEqual(['2', '1', '1', '1']);
    expect(stdout).toMatch(/Listed: NON_COMPLIANT only \(--compliance\): \d+ of \d+ evaluations\./);
    expect(stdout.indexOf('all rules')).toBeLessThan(stdout.indexOf('┌'));
    expect(stdout).not.toContain(' COMPLIANT      │');
  });

  it('--output-dir writes the four formats from one evaluation, the same rows in each', async () => {
    // Prepare
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfa-output-dir-'));

    // Act
    const { code, stdout } = await evaluate(['--output-dir', path.join(dir, 'new')]);

    // Assess
    expect(code).toBe(1);
    const paths = stdout.trimEnd().split('\n').slice(-4);
    expect(paths.map((p) => path.extname(p))).toEqual(['.txt', '.json', '.csv', '.html']);
    for (const file of paths) {
      expect(path.basename(file)).toMatch(
        new RegExp(`^mfa-config-rules_${ACCOUNT}_eu-west-1_\\d{8}T\\d{6}Z\\.`),
      );
      expect(fs.existsSync(file)).toBe(true);
    }
    const json = JSON.parse(fs.readFileSync(paths[1] ?? '', 'utf8')) as JsonRow[];
    const csv = parse<Record<string, string>>(fs.readFileSync(paths[2] ?? '', 'utf8'), {
      columns: true,
    });
    expect(Object.keys(csv[0] ?? {})).toEqual(CSV_COLUMNS);
    expect(csv.map((r) => [r.rule, r.resource_id, r.compliance])).toEqual(
      json.map((r) => [r.rule, r.resourceId, r.compliance]),
    );
    expect(fs.readFileSync(paths[3] ?? '', 'utf8')).toContain('<!DOCTYPE html>');
    // One evaluation: each IAM read once per rule that makes it.
    expect(iam.commandCalls(GetAccountSummaryCommand)).toHaveLength(
      RULE_METADATA.filter((m) => m.iamActions.includes('iam:GetAccountSummary')).length,
    );
    expect(fs.readdirSync(path.join(dir, 'new'))).toHaveLength(4);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('--output-dir never overwrites, and refuses --output beside it', async () => {
    // Prepare
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfa-output-dir-'));
    const doc: ReportDocument = {
      kind: 'account',
      title: 't',
      source: 's',
      generatedAt: '2026-01-02T03:04:05.678Z',
      accountId: ACCOUNT,
      region: 'eu-west-1',
      rules: [],
      rows: [],
      notes: [],
    };
    const renderers = { table: () => 'a', json: () => 'b', csv: () => 'c', html: () => 'd' };
    writeOutputs(doc, renderers, dir, fileStem(doc));

    // Act
    const again = () => writeOutputs(doc, renderers, dir, fileStem(doc));
    const both = await evaluate(['--output-dir', dir, '--output', 'json']);

    // Assess
    expect(fileStem(doc)).toBe(`mfa-config-rules_${ACCOUNT}_eu-west-1_20260102T030405Z`);
    expect(again).toThrow(/exists; not overwritten/);
    expect(fs.readdirSync(dir).sort()).toEqual(
      ['csv', 'html', 'json', 'txt'].map((ext) => `${fileStem(doc)}.${ext}`),
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(
      /^mfa-config-rules: option '--output-dir <dir>' cannot be used with option '--output <format>'\n$/,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('evaluate: usage', () => {
  it.each([
    [['--faild'], /unknown option '--faild' \(Did you mean --failed\?\)/],
    [['--complianse', 'NON_COMPLIANT'], /\(Did you mean --compliance\?\)/],
    [['--compliance', 'FAILED'], /expected one of NON_COMPLIANT, COMPLIANT, NOT_APPLICABLE/],
  ])('%j → one line naming the fix, exit 2, no AWS call', async (args, message) => {
    // Act
    const { code, stdout, stderr } = await evaluate(args);

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(sts.calls()).toHaveLength(0);
    expect(iam.calls()).toHaveLength(0);
  });

  it.each(['evaluate', 'report', 'invoke', 'rules', 'doctor'])(
    '%s --help shows two examples and the exit codes',
    async (command) => {
      // Prepare
      const io = fakeIo();

      // Act
      const code = await main([command, '--help'], io);

      // Assess
      const help = io.out.join('');
      expect(code).toBe(0);
      const examples = help.split('Examples:')[1]?.split('Exit codes:')[0] ?? '';
      expect(
        examples.split('\n').filter((line) => line.startsWith('  $ mfa-config-rules ')),
      ).toHaveLength(2);
      expect(help).toMatch(/Exit codes:\n {2}0 .*\n/);
      expect(help).toMatch(/\n {2}2 .*usage error/);
    },
  );
});

describe('progress', () => {
  it('goes to a terminal only, and leaves the line clean', async () => {
    // Act
    const terminal = await evaluate(['--output', 'json'], fakeIo(true));
    const pipe = await evaluate(['--output', 'json'], fakeIo(false));

    // Assess
    expect(terminal.io.progressed.join('')).toContain('iam-user-console-mfa');
    expect(terminal.io.progressed.at(-1)).toBe('\r\x1b[K');
    expect(terminal.stderr).toBe('');
    expect(pipe.stderr).toBe('');
    expect(terminal.stdout.length).toBeGreaterThan(0);
  });
});
