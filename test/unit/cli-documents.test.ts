/** The CSV and HTML documents: escaping, RFC 4180 quoting, formula neutralization, matching rules. */
import { parse } from 'csv-parse/sync';
import { CSV_COLUMNS, csvField, formatCsvRows } from '../../cli/csv';
import { escapeHtml, formatHtml, jsonForScript, pageData } from '../../cli/html';
import {
  catalogRuleOf,
  shortReason,
  sortReportRows,
  storedRow,
  type ReportDocument,
  type ReportRow,
} from '../../cli/report-model';

const row = (over: Partial<ReportRow> = {}): ReportRow => ({
  ...storedRow({
    accountId: '111111111111',
    region: 'eu-west-1',
    recordedAt: '2026-01-02T03:04:05.000Z',
    rule: 'iam-user-console-mfa',
    resourceType: 'AWS::IAM::User',
    resourceId: 'AIDAEXAMPLE1',
    resourceName: 'alice',
    compliance: 'NON_COMPLIANT',
    annotation: 'User alice has a console password and no MFA device.',
  }),
  ...over,
});

const doc = (rows: ReportRow[]): ReportDocument => ({
  kind: 'organization',
  title: 'MFA <report>',
  source: 'test',
  generatedAt: '2026-01-02T03:04:05.000Z',
  accountId: '999999999999',
  region: 'eu-west-1',
  rules: [...new Set(rows.map((r) => r.rule))],
  rows: sortReportRows(rows),
  notes: ['account 222222222222 could not be read: <AccessDenied>'],
});

describe('csv', () => {
  it('quotes commas, quotes and line breaks per RFC 4180 and round-trips through a parser', () => {
    // Prepare
    const tricky = row({ annotation: 'a "quoted", multi\r\nline note' });

    // Act
    const text = formatCsvRows([tricky, row({ resourceName: 'bob', compliance: 'COMPLIANT' })]);
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
    const text = formatCsvRows([
      row({ resourceName: '=1+2' }),
      row({ resourceName: '@x', exemptionReason: '=HYPERLINK("x")' }),
    ]);
    const records = parse<Record<string, string>>(text, { columns: true });

    // Assess
    expect(records.map((r) => r.resource_name).sort()).toEqual(["'=1+2", "'@x"]);
    expect(records[1]?.exemption_reason).toBe(`'=HYPERLINK("x")`);
    expect(csvField('-1')).toBe('-1'); // ids and numbers are left alone
  });
});

describe('html', () => {
  it('escapes every value that comes from AWS, in the HTML and in the data block', () => {
    // Prepare
    const evil = row({
      resourceName: '<img src=x onerror=alert(1)>',
      annotation: '</td></script><script>alert(2)</script><!--',
      accountId: '"><b>',
      exemptionReason: '</script><script>alert(3)</script>',
      exemptionStatus: 'expired',
      exemptionUntil: '2020-01-01',
    });

    // Act
    const html = formatHtml(doc([evil]));

    // Assess
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('</script><script>');
    expect(html).not.toContain('"><b>');
    expect(html).not.toContain('<!--');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;AccessDenied&gt;');
    expect(html.match(/<script[ >]/g)).toHaveLength(2); // the data block and the page's script
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
    // The data block gives the script back exactly what AWS said.
    const block = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(
      html,
    )?.[1];
    const data = JSON.parse(block ?? '') as ReturnType<typeof pageData>;
    expect(data.res[0]?.[3]).toBe(evil.resourceName);
    expect(jsonForScript({ a: '</script>&\u2028' })).toBe(
      '{"a":"\\u003c/script\\u003e\\u0026\\u2028"}',
    );
  });

  it('keeps annotations as templates of the name, and gives them back whole', () => {
    // Prepare: the same text for 3 users, one whose name is also a word of the text.
    const rows = ['alice', 'bob', 'has'].map((name, i) =>
      row({
        resourceName: name,
        resourceId: `AIDA${i}`,
        annotation: `User ${name} has a console password and no MFA device.`,
      }),
    );

    // Act
    const data = pageData(doc(rows), ['iam-user-console-mfa']);

    // Assess
    const text = (e: (string | number)[]) => {
      const i = e[3] as number;
      const name = data.res[e[0] as number]?.[3] as string;
      return i >= 0 ? (data.s[i] ?? '').split('\u0001').join(name) : data.s[-i - 1];
    };
    expect(data.ev.map(text)).toEqual(rows.map((r) => r.annotation));
    // alice's and bob's annotations share one template string.
    expect(new Set(data.ev.slice(0, 2).map((e) => e[3])).size).toBe(1);
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

  it('maps aggregated rule names (with a conformance-pack suffix) to the catalog rule', () => {
    expect(catalogRuleOf('iam-user-console-mfa-conformance-pack-abc123')?.name).toBe(
      'iam-user-console-mfa',
    );
    expect(catalogRuleOf('root-account-mfa-conformance-pack-q1')?.name).toBe('root-account-mfa');
    expect(catalogRuleOf('root-account-hardware-mfa-conformance-pack-q1')?.name).toBe(
      'root-account-hardware-mfa',
    );
    expect(catalogRuleOf('root-account-mfaX')).toBeUndefined();
    expect(catalogRuleOf('root-account-mfa-enabled')).toBeUndefined(); // the AWS managed rule
  });

  it('lists the summary in severity order, CRITICAL root rules first', () => {
    // Prepare
    const rows = [
      row({ rule: 'iam-user-mfa' }),
      row({ rule: 'iam-user-hardware-mfa' }),
      row({ rule: 'root-account-hardware-mfa', resourceType: 'AWS::::Account' }),
      row({ rule: 'root-account-mfa', resourceType: 'AWS::::Account' }),
    ];

    // Act
    const html = formatHtml(doc(rows));

    // Assess
    const order = [...html.matchAll(/<tr class="rule-summary" data-rule="([^"*]+)"/g)].map(
      (m) => m[1],
    );
    expect(order).toEqual([
      'root-account-mfa',
      'root-account-hardware-mfa',
      'iam-user-hardware-mfa',
      'iam-user-mfa',
    ]);
  });
});

describe('short reasons', () => {
  it.each([
    [
      'User bob has a console password and no MFA device (both facts checked live at x). Fix: y',
      {},
      'has a console password and no MFA device',
    ],
    [
      'Root user of account 123456789012 has no MFA at all. Fix: sign in',
      { resourceName: '123456789012' },
      'has no MFA at all',
    ],
    [
      'User bob: exemption expired on 2020-01-01 (mfa-exemption: r). User bob has…',
      { exemptionStatus: 'expired' as const, exemptionUntil: '2020-01-01' },
      'exemption expired 2020-01-01',
    ],
    [
      'User bob is exempt until 2027-01-01 …',
      { exemptionStatus: 'honoured' as const, exemptionUntil: '2027-01-01' },
      'exempt until 2027-01-01',
    ],
  ])('%s → a few words', (annotation, over, expected) => {
    expect(shortReason(row({ resourceName: 'bob', annotation, ...over }))).toBe(expected);
  });
});
