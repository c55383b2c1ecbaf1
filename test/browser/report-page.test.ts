/**
 * `evaluate --output html` and `--output csv` against the demo account (the account
 * `npm run demo` seeds), read by a real browser (Debian's Chromium through playwright-core) and a
 * real CSV parser. The page, screenshots and a PDF print are left in test/browser/output/
 * (git-ignored) for a person to look at.
 */
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { CSV_COLUMNS } from '../../rules/cli/csv';
import { seedUsers, setRootState, TEST_ACCOUNT_ID } from '../support/moto';
import { useMoto } from '../support/use-moto';
import { runCli } from '../support/cli';
import { launchChromium, texts, widths, writeOutput } from './support';

/** The demo account of scripts/demo.ts. */
async function seedDemoAccount(endpoint: string): Promise<void> {
  await setRootState(endpoint, { mfaEnabled: false, passwordPresent: true });
  await seedUsers(endpoint, TEST_ACCOUNT_ID, [
    { name: 'alice', consolePassword: true, mfa: 'virtual' },
    { name: 'bob', consolePassword: true },
    { name: 'carol', consolePassword: true, mfa: 'hardware' },
    { name: 'deploy-bot', consolePassword: false },
    { name: 'dave', consolePassword: true },
  ]);
}

/** Expected verdicts of the demo account, per rule: [NON_COMPLIANT, COMPLIANT, NOT_APPLICABLE]. */
const EXPECTED: Record<string, [number, number, number]> = {
  'root-account-mfa': [1, 0, 0],
  'root-account-hardware-mfa': [1, 0, 0],
  'iam-user-console-mfa': [2, 2, 1],
  // deploy-bot (API only) has no MFA either.
  'iam-user-mfa': [3, 2, 0],
  // Nobody in the demo account is privileged.
  'iam-user-hardware-mfa': [0, 0, 5],
};
/** The whole report: [NON_COMPLIANT, COMPLIANT, NOT_APPLICABLE, all]. */
const TOTALS = Object.values(EXPECTED).reduce<number[]>(
  (sums, [nc, ok, na]) => [
    (sums[0] ?? 0) + nc,
    (sums[1] ?? 0) + ok,
    (sums[2] ?? 0) + na,
    (sums[3] ?? 0) + nc + ok + na,
  ],
  [0, 0, 0, 0],
);
const TOTAL = TOTALS[3] ?? 0;

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
    expect(await texts(page, '#summary tbody tr th code')).toEqual([
      'root-account-mfa',
      'root-account-hardware-mfa',
      'iam-user-hardware-mfa',
      'iam-user-console-mfa',
      'iam-user-mfa',
    ]);
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
    expect(await texts(page, '#account-panel .badge')).toEqual(['Non-compliant', 'Non-compliant']);
    const users = await texts(page, '#users-body tr .name');
    expect(users.slice(0, 3).sort()).toEqual(['bob', 'dave', 'deploy-bot']);
    expect(users.slice(3).sort()).toEqual(['alice', 'carol']);
    writeOutput('mfa.png', await page.screenshot({ fullPage: true }));

    // Assess: every evaluation, then a filtered view
    await page.click('[data-tab="evaluations"]');
    expect(await page.locator('#evaluations-body tr').count()).toBe(TOTAL);
    await page.selectOption('#evaluations-verdict', 'NON_COMPLIANT');
    expect(await page.locator('#evaluations-body tr').count()).toBe(TOTALS[0]);
    await page.selectOption('#evaluations-rule', { label: 'iam-user-console-mfa' });
    const failing = await texts(page, '#evaluations-body tr td[data-label="Resource"] .name');
    expect(failing.sort()).toEqual(['bob', 'dave']);
    expect(await page.locator('#evaluations-status').textContent()).toBe(
      `1–2 of 2 evaluations (of ${TOTAL})`,
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
