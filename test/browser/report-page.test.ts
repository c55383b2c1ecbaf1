/**
 * `evaluate --output html` and `--output csv` against the demo account (the account
 * `npm run demo` seeds), read by a real browser (Debian's Chromium through playwright-core) and a
 * real CSV parser. The page, screenshots and a PDF print are left in test/browser/output/
 * (git-ignored) for a person to look at.
 */
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { CSV_COLUMNS } from '../../cli/csv';
import { RULE_METADATA } from '../../rules/catalog';
import { SEVERITY_ORDER } from '../../cli/report-model';
import { TEST_ACCOUNT_ID } from '../support/moto';
import { DEMO_ACCOUNT, expectedByRule, expectedCounts, seedScenario } from '../support/scenarios';
import { useMoto } from '../support/use-moto';
import { runCli } from '../support/cli';
import { launchChromium, texts, widths, writeOutput } from './support';

/** The demo account of scripts/demo.ts, and what every rule's folder says it must conclude there. */
const seedDemoAccount = (endpoint: string): Promise<void> => seedScenario(endpoint, DEMO_ACCOUNT);
const BY_RULE = expectedByRule(DEMO_ACCOUNT);
const COUNTS = expectedCounts(DEMO_ACCOUNT);
/** Per rule: [NON_COMPLIANT, COMPLIANT, NOT_APPLICABLE]. */
const EXPECTED: Record<string, [number, number, number]> = Object.fromEntries(
  [...COUNTS.byRule].map(([rule, c]) => [rule, [c.NON_COMPLIANT, c.COMPLIANT, c.NOT_APPLICABLE]]),
);
/** The whole report: [NON_COMPLIANT, COMPLIANT, NOT_APPLICABLE, all]. */
const TOTALS = [
  COUNTS.total.NON_COMPLIANT,
  COUNTS.total.COMPLIANT,
  COUNTS.total.NOT_APPLICABLE,
  COUNTS.evaluations,
];
const TOTAL = COUNTS.evaluations;
const LABEL = {
  NON_COMPLIANT: 'Non-compliant',
  COMPLIANT: 'Compliant',
  NOT_APPLICABLE: 'Not applicable',
};
/** The summary lists rules by severity, then in the catalog's order. */
const SUMMARY_ORDER = RULE_METADATA.map((m, index) => ({ m, index }))
  .sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(a.m.severity) - SEVERITY_ORDER.indexOf(b.m.severity) ||
      a.index - b.index,
  )
  .map(({ m }) => m.name);
/** Users failing at least one rule, and the others. */
const userVerdicts = (name: string) =>
  [...BY_RULE.values()].map((verdicts) => verdicts.get(name)).filter((v) => v !== undefined);
const FAILING_USERS = DEMO_ACCOUNT.users
  .map((user) => user.name)
  .filter((name) => userVerdicts(name).includes('NON_COMPLIANT'));
const PASSING_USERS = DEMO_ACCOUNT.users
  .map((user) => user.name)
  .filter((name) => !FAILING_USERS.includes(name));
const ROOT_BADGES = RULE_METADATA.filter((m) => m.resourceTypes.includes('AWS::::Account')).map(
  (m) => LABEL[BY_RULE.get(m.name)?.get(TEST_ACCOUNT_ID) ?? 'NOT_APPLICABLE'],
);
const CONSOLE_FAILING = [...(BY_RULE.get('iam-user-console-mfa') ?? new Map<string, string>())]
  .filter(([, verdict]) => verdict === 'NON_COMPLIANT')
  .map(([name]) => name)
  .sort();

describe('evaluate --output html / csv on the demo account', () => {
  const endpoint = useMoto({ env: { MOTO_EXT_REPORT_DELAY_MS: '100' } });
  const aws = (): string[] => ['--endpoint-url', endpoint(), '--region', 'us-east-1'];
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser.close();
  });

  async function openPage(html: string): Promise<{ page: Page; external: string[] }> {
    const file = writeOutput('mfa.html', html);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const external: string[] = [];
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      external.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(file).href);
    return { page, external };
  }

  it('renders the summary counts, filters and sorts offline, and prints without controls', async () => {
    // Prepare
    await seedDemoAccount(endpoint());

    // Act
    const out = await runCli(['evaluate', ...aws(), '--output', 'html']);
    const { page, external } = await openPage(out.stdout);

    // Assess: the CLI gate and one self-contained page
    expect(out.stderr).toBe('');
    expect(out.code).toBe(1);
    expect(external).toEqual([]);
    expect(out.stdout).not.toMatch(/<(link|img|iframe)\b|\bsrc=|https?:\/\//i);
    expect(await page.title()).toBe(`MFA controls — account ${TEST_ACCOUNT_ID}`);

    // Assess: summary per rule, severity first: [NON_COMPLIANT, COMPLIANT, NOT_APPLICABLE, exempt, total]
    for (const [rule, [nc, ok, na]] of Object.entries(EXPECTED)) {
      const cells = await texts(page, `#summary tr[data-rule="${rule}"] td.num`);
      expect([rule, ...cells]).toEqual([rule, `${nc}`, `${ok}`, `${na}`, '0', `${nc + ok + na}`]);
    }
    expect(await texts(page, '#summary tbody tr th code')).toEqual(SUMMARY_ORDER);
    const [ncTotal, okTotal, naTotal, all] = TOTALS.map(String);
    expect(await texts(page, '#summary tfoot td.num')).toEqual([
      ncTotal,
      okTotal,
      naTotal,
      '0',
      all,
    ]);
    const shares = await widths(
      page,
      '#summary tr[data-rule="iam-user-console-mfa"] .bar-chart rect',
    );
    expect(shares.map(([cls]) => cls)).toEqual(['nc', 'ok', 'na']);
    const [ncWidth, okWidth, naWidth] = shares.map(([, width]) => width);
    expect(ncWidth).toBeGreaterThan(0); // drawn, not blocked by the page's CSP
    expect(Math.abs((ncWidth ?? 0) - 2 * (naWidth ?? 0))).toBeLessThanOrEqual(2);
    expect(okWidth).toBe(ncWidth);

    // Assess: the root panel, then users × rules with the failing users first
    expect((await texts(page, '#account-panel .badge')).sort()).toEqual(ROOT_BADGES.sort());
    const users = await texts(page, '#users-body tr .name');
    expect(users.slice(0, FAILING_USERS.length).sort()).toEqual(FAILING_USERS.sort());
    expect(users.slice(FAILING_USERS.length).sort()).toEqual(PASSING_USERS.sort());
    writeOutput('mfa.png', await page.screenshot({ fullPage: true }));

    // Assess: every evaluation, then a filtered view
    await page.click('[data-tab="evaluations"]');
    expect(await page.locator('#evaluations-body tr').count()).toBe(TOTAL);
    await page.selectOption('#evaluations-verdict', 'NON_COMPLIANT');
    expect(await page.locator('#evaluations-body tr').count()).toBe(TOTALS[0]);
    await page.selectOption('#evaluations-rule', { label: 'iam-user-console-mfa' });
    const failing = await texts(page, '#evaluations-body tr td[data-label="Resource"] .name');
    expect(failing.sort()).toEqual(CONSOLE_FAILING);
    expect(await page.locator('#evaluations-status').textContent()).toBe(
      `1–${CONSOLE_FAILING.length} of ${CONSOLE_FAILING.length} evaluations (of ${TOTAL})`,
    );
    await page.selectOption('#evaluations-verdict', '');
    await page.fill('#evaluations-text', 'deploy-bot');
    expect(await page.locator('#evaluations-body tr').count()).toBe(1);
    writeOutput('mfa-filtered.png', await page.screenshot({ fullPage: true }));

    // Assess: sorting by resource name
    await page.fill('#evaluations-text', '');
    await page.selectOption('#evaluations-rule', '');
    await page.click('#evaluations-table th[data-key="resource"] button');
    const names = await texts(page, '#evaluations-body tr td[data-label="Resource"] .name');
    expect(names).toEqual([...names].sort(new Intl.Collator('en', { numeric: true }).compare));

    // Assess: printed, the controls are gone and the PDF has content
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#bar').isVisible()).toBe(false);
    expect(await page.locator('#failures').isVisible()).toBe(true);
    const pdf = await page.pdf({ printBackground: true });
    writeOutput('mfa.pdf', pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.close();
  });

  it('writes CSV that a CSV reader parses into one record per evaluation', async () => {
    // Prepare
    await seedDemoAccount(endpoint());

    // Act
    const out = await runCli(['evaluate', ...aws(), '--output', 'csv']);
    writeOutput('mfa.csv', out.stdout);
    const records = parse<Record<string, string>>(out.stdout, { columns: true });

    // Assess
    expect(out.code).toBe(1);
    expect(out.stdout.split('\r\n')[0]).toBe(CSV_COLUMNS.join(','));
    expect(records).toHaveLength(TOTAL);
    for (const [rule, [nc, ok, na]] of Object.entries(EXPECTED)) {
      const mine = records.filter((r) => r.rule === rule).map((r) => r.compliance);
      expect([
        rule,
        mine.filter((c) => c === 'NON_COMPLIANT').length,
        mine.filter((c) => c === 'COMPLIANT').length,
        mine.filter((c) => c === 'NOT_APPLICABLE').length,
      ]).toEqual([rule, nc, ok, na]);
    }
    const bob = records.find((r) => r.resource_name === 'bob' && r.rule === 'iam-user-console-mfa');
    expect(bob).toMatchObject({
      account_id: TEST_ACCOUNT_ID,
      region: 'us-east-1',
      severity: 'MEDIUM',
      resource_type: 'AWS::IAM::User',
      compliance: 'NON_COMPLIANT',
      evidence_source: 'live',
    });
    expect(bob?.resource_id).toMatch(/^\w{16,}$/); // the user id, not the name
    expect(bob?.annotation).toContain('bob');
    expect(Number.isNaN(Date.parse(bob?.recorded_at ?? ''))).toBe(false);
  });
});
