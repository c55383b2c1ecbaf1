/** The CSV and HTML documents: escaping, RFC 4180 quoting, formula neutralization, matching rules. */
import { parse } from 'csv-parse/sync';
import { CSV_COLUMNS, csvField, formatCsv } from '../../rules/cli/csv';
import { escapeHtml, formatHtml } from '../../rules/cli/html';
import { catalogRuleOf, type ReportDocument, type ReportRow } from '../../rules/cli/report-model';

const row = (over: Partial<ReportRow> = {}): ReportRow => ({
  accountId: '111111111111',
  region: 'eu-west-1',
  recordedAt: '2026-01-02T03:04:05.000Z',
  rule: 'iam-user-console-mfa',
  resourceType: 'AWS::IAM::User',
  resourceId: 'AIDAEXAMPLE1',
  resourceName: 'alice',
  compliance: 'NON_COMPLIANT',
  annotation: 'User alice has a console password and no MFA device.',
  ...over,
});

const doc = (rows: ReportRow[]): ReportDocument => ({
  title: 'MFA <report>',
  source: 'test',
  generatedAt: '2026-01-02T03:04:05.000Z',
  rows,
  byAccount: true,
  notes: ['account 222222222222 could not be read: <AccessDenied>'],
});

describe('csv', () => {
  it('quotes commas, quotes and line breaks per RFC 4180 and round-trips through a parser', () => {
    // Prepare
    const tricky = row({ annotation: 'a "quoted", multi\r\nline note' });

    // Act
    const text = formatCsv([tricky, row({ resourceName: 'bob', compliance: 'COMPLIANT' })]);
    const records = parse<Record<string, string>>(text, { columns: true });

    // Assess
    expect(text.startsWith(`${CSV_COLUMNS.join(',')}\r\n`)).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(records).toHaveLength(2);
    expect(records[0]?.annotation).toBe('a "quoted", multi\r\nline note');
    expect(records[1]?.resource_name).toBe('bob');
  });

  it('neutralizes a user name a spreadsheet would run as a formula', () => {
    // Prepare / Act
    const text = formatCsv([row({ resourceName: '=1+2' }), row({ resourceName: '@x' })]);
    const records = parse<Record<string, string>>(text, { columns: true });

    // Assess
    expect(records.map((r) => r.resource_name).sort()).toEqual(["'=1+2", "'@x"]);
    expect(csvField('-1')).toBe('-1'); // ids and numbers are left alone
  });
});

describe('html', () => {
  it('escapes every value that comes from AWS', () => {
    // Prepare
    const evil = row({
      resourceName: '<img src=x onerror=alert(1)>',
      annotation: '</td><script>alert(2)</script>',
      accountId: '"><b>',
    });

    // Act
    const html = formatHtml(doc([evil]));

    // Assess
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('"><b>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;AccessDenied&gt;');
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('allows only its own inline script and style, by hash, and loads nothing', () => {
    // Prepare / Act
    const html = formatHtml(doc([row()]));

    // Assess
    expect(html).toMatch(
      /default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; script-src 'sha256-[A-Za-z0-9+/=]+'/,
    );
    expect(html).not.toMatch(/https?:\/\/|<link|\bsrc=/);
  });

  it('groups aggregated rule names (with a conformance-pack suffix) under the catalog rule', () => {
    // Prepare
    const rows = [
      row({ rule: 'iam-user-console-mfa-conformance-pack-abc123' }),
      row({ rule: 'iam-user-console-mfa-conformance-pack-xyz789', accountId: '222222222222' }),
    ];

    // Act
    const html = formatHtml(doc(rows));

    // Assess
    expect(html).toContain('<tr class="rule-summary" data-rule="iam-user-console-mfa">');
    expect(html).toContain('data-account="222222222222"');
    expect(catalogRuleOf('root-account-mfa-conformance-pack-q1')?.name).toBe('root-account-mfa');
    expect(catalogRuleOf('root-account-hardware-mfa-conformance-pack-q1')?.name).toBe(
      'root-account-hardware-mfa',
    );
    expect(catalogRuleOf('root-account-mfaX')).toBeUndefined();
    expect(catalogRuleOf('root-account-mfa-enabled')).toBeUndefined(); // the AWS managed rule
  });
});
