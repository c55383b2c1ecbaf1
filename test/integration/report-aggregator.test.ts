/**
 * `mfa-config-rules report --aggregator` (the real binary) against the moto harness's aggregator
 * extension (test/moto/server.py, section h): two member accounts whose conformance-pack rules
 * carry different suffixes, one look-alike managed rule, results in two Regions, >100 results for
 * one rule (paging, more than 64 KiB through a pipe).
 */
import { parse } from 'csv-parse/sync';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createAggregator } from '../support/moto';
import { useMoto } from '../support/use-moto';
import { runCli } from '../support/cli';

const A = '111111111111';
const B = '222222222222';
const AGGREGATOR = 'org-mfa';

interface Seed {
  accountId: string;
  region: string;
  rule: string;
  evaluations: {
    resourceType: string;
    resourceId: string;
    complianceType: 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';
    annotation?: string;
  }[];
}

async function store(endpoint: string, seed: Seed): Promise<void> {
  const response = await fetch(`${endpoint}/moto-ext/evaluations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(seed),
  });
  if (!response.ok) throw new Error(await response.text());
}

const users = (count: number, nonCompliant: number) =>
  Array.from({ length: count }, (_, i) => ({
    resourceType: 'AWS::IAM::User',
    resourceId: `AIDA${String(i).padStart(12, '0')}`,
    complianceType: i < nonCompliant ? ('NON_COMPLIANT' as const) : ('COMPLIANT' as const),
    annotation: `User user-${i} ${i < nonCompliant ? 'has a console password and no MFA device' : 'has MFA'}.`,
  }));

async function seedOrganization(endpoint: string): Promise<void> {
  const root = (account: string, type: 'COMPLIANT' | 'NON_COMPLIANT') => ({
    resourceType: 'AWS::::Account',
    resourceId: account,
    complianceType: type,
    annotation: `Root user of account ${account} ${type === 'COMPLIANT' ? 'has MFA' : 'has no MFA'}.`,
  });
  await store(endpoint, {
    accountId: A,
    region: 'us-east-1',
    rule: 'root-account-mfa-conformance-pack-aaaa1111',
    evaluations: [root(A, 'NON_COMPLIANT')],
  });
  await store(endpoint, {
    accountId: A,
    region: 'us-east-1',
    rule: 'iam-user-console-mfa-conformance-pack-aaaa2222',
    // 400 results (paging past 100, output past 64 KiB) and one NOT_APPLICABLE it does not return.
    evaluations: [
      ...users(400, 3),
      {
        resourceType: 'AWS::IAM::User',
        resourceId: 'AIDAAPIONLY',
        complianceType: 'NOT_APPLICABLE',
        annotation: 'API only',
      },
    ],
  });
  await store(endpoint, {
    accountId: A,
    region: 'us-east-1',
    rule: 'root-account-mfa-enabled', // the AWS managed rule's default name: not the pack's
    evaluations: [root(A, 'NON_COMPLIANT')],
  });
  await store(endpoint, {
    accountId: B,
    region: 'us-east-1',
    rule: 'root-account-mfa-conformance-pack-bbbb1111',
    evaluations: [root(B, 'COMPLIANT')],
  });
  await store(endpoint, {
    accountId: B,
    region: 'us-east-1',
    rule: 'root-account-hardware-mfa-conformance-pack-bbbb3333',
    evaluations: [root(B, 'COMPLIANT')],
  });
  await store(endpoint, {
    accountId: B,
    region: 'eu-west-1',
    rule: 'iam-user-console-mfa-conformance-pack-bbbb2222',
    evaluations: users(2, 0),
  });
}

interface Doc {
  rows: {
    accountId: string;
    region: string;
    rule: string;
    compliance: string;
    annotation: string;
  }[];
  notes: string[];
}

describe('report --aggregator', () => {
  const endpoint = useMoto();
  const aws = (): string[] => ['--endpoint-url', endpoint(), '--region', 'us-east-1'];

  beforeEach(async () => {
    await seedOrganization(endpoint());
    await createAggregator(endpoint(), AGGREGATOR, [A, B]);
  });

  it("reads both accounts' pack rules (each with its own suffix), all pages, and exits 1", async () => {
    // Act
    const out = await runCli(['report', '--aggregator', AGGREGATOR, ...aws(), '--output', 'json']);
    const doc = JSON.parse(out.stdout) as Doc;

    // Assess
    expect(out.stderr).toBe('');
    expect(out.code).toBe(1);
    const count = (account: string, compliance: string) =>
      doc.rows.filter((r) => r.accountId === account && r.compliance === compliance).length;
    expect([count(A, 'NON_COMPLIANT'), count(A, 'COMPLIANT')]).toEqual([1 + 3, 397]);
    expect(out.stdout.length).toBeGreaterThan(65_536); // whole through a pipe
    expect([count(B, 'NON_COMPLIANT'), count(B, 'COMPLIANT')]).toEqual([0, 1 + 1 + 2]);
    expect([...new Set(doc.rows.map((r) => r.rule))].sort()).toEqual([
      'iam-user-console-mfa',
      'root-account-hardware-mfa',
      'root-account-mfa',
    ]);
    expect(doc.rows.filter((r) => r.accountId === B && r.region === 'eu-west-1')).toHaveLength(2);
    expect(doc.rows.some((r) => r.compliance === 'NOT_APPLICABLE')).toBe(false);
    expect(doc.notes.join(' ')).toContain('NOT_APPLICABLE verdicts');
  });

  it('writes CSV and an HTML page with a per-account table', async () => {
    // Act
    const csv = await runCli(['report', '--aggregator', AGGREGATOR, ...aws(), '--output', 'csv']);
    const html = await runCli(['report', '--aggregator', AGGREGATOR, ...aws(), '--output', 'html']);
    const records = parse<Record<string, string>>(csv.stdout, { columns: true });

    // Assess
    expect(csv.code).toBe(1);
    expect(records).toHaveLength(405);
    expect(new Set(records.map((r) => r.account_id))).toEqual(new Set([A, B]));
    expect(html.code).toBe(1);
    expect(html.stdout).toContain('<table id="accounts" class="cards">');
    // Accounts × rules, the failing account first, with its count of failing results.
    const accounts = [
      ...html.stdout.matchAll(/<tr class="account-summary[^"]*" data-account="(\d+)">/g),
    ];
    expect(accounts.map((m) => m[1])).toEqual([A, B]);
    expect(html.stdout).toMatch(
      new RegExp(
        `<tr class="account-summary failing" data-account="${A}"><th scope="row" class="id">${A}</th><td class="num" data-label="Failing results">4</td>`,
      ),
    );
  });

  it('--failed lists the NON_COMPLIANT results only, with the row model; the table leads with the matrix', async () => {
    // Act
    const json = await runCli([
      'report',
      '--aggregator',
      AGGREGATOR,
      ...aws(),
      '--failed',
      '--output',
      'json',
    ]);
    const table = await runCli(['report', '--aggregator', AGGREGATOR, ...aws()]);
    const doc = JSON.parse(json.stdout) as Doc & { rows: Record<string, unknown>[] };

    // Assess
    expect(json.code).toBe(1);
    expect(doc.rows).toHaveLength(4);
    for (const row of doc.rows) {
      expect(row).toMatchObject({
        compliance: 'NON_COMPLIANT',
        accountId: A,
        exemptionStatus: null,
      });
      expect(['CRITICAL', 'MEDIUM']).toContain(row.severity);
      // Config's OrderingTimestamp: the time of the evidence the rule sent.
      expect(Number.isNaN(Date.parse(String(row.evidenceAt)))).toBe(false);
    }
    // Severity first: the root rule's failure before the users'.
    expect(doc.rows[0]).toMatchObject({ rule: 'root-account-mfa', severity: 'CRITICAL' });
    const lines = table.stdout.split('\n');
    const matrixStart = lines.findIndex((line) => line.startsWith('Accounts × rules'));
    const firstAccount = lines.slice(matrixStart).find((line) => /│ \d{12} /.test(line));
    expect(firstAccount).toContain(A);
  });

  it('--output-dir writes the four formats from one read of the aggregator', async () => {
    // Prepare
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfa-report-dir-'));

    // Act
    const out = await runCli(['report', '--aggregator', AGGREGATOR, ...aws(), '--output-dir', dir]);

    // Assess
    expect(out.stderr).toBe('');
    expect(out.code).toBe(1);
    const paths = out.stdout.trimEnd().split('\n').slice(-4);
    expect(paths.map((p) => path.extname(p))).toEqual(['.txt', '.json', '.csv', '.html']);
    for (const file of paths) {
      expect(path.basename(file)).toMatch(
        /^mfa-config-rules_org-org-mfa_\d{12}_us-east-1_\d{8}T\d{6}Z\./,
      );
    }
    expect(fs.readdirSync(dir)).toHaveLength(4);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 when the selected Region holds nothing NON_COMPLIANT, and prints a table', async () => {
    // Act
    const out = await runCli([
      'report',
      '--aggregator',
      AGGREGATOR,
      ...aws(),
      '--source-region',
      'eu-west-1',
    ]);

    // Assess
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Nothing NON_COMPLIANT.');
    expect(out.stdout).toContain(B);
    expect(out.stdout).not.toContain(A);
  });

  it('fails with one line for an unknown aggregator', async () => {
    // Act
    const out = await runCli(['report', '--aggregator', 'nope', ...aws()]);

    // Assess
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(
      /^mfa-config-rules: (InvalidInputError: )?no Config aggregator named 'nope' in us-east-1 \(check --aggregator and --region: aggregators are regional\)\n$/,
    );
  });
});
