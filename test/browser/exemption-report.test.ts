/**
 * An exemption from the registry, visible everywhere (issue 18): `evaluate --exemptions FILE` on
 * the demo account exempts deploy-bot (API only, no MFA) from iam-user-mfa; the JSON carries where
 * the exemption came from, until when, why, who granted it and the verdict it replaced;
 * `--compliance exempt` lists it alone; the HTML page counts it per rule and shows it alone under
 * the "Exempt" filter, in a real browser. bob's own exemption tag is found and ignored.
 */
import { writeFileSync } from 'node:fs';
import { GetUserCommand, IAMClient, TagUserCommand } from '@aws-sdk/client-iam';
import type { Browser } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { isoDay } from '../../rules/runtime/exemptions';
import { runCli } from '../support/cli';
import { motoClientConfig, TEST_ACCOUNT_ID } from '../support/moto';
import { DEMO_ACCOUNT, seedScenario } from '../support/scenarios';
import { useMoto } from '../support/use-moto';
import { launchChromium, texts, writeOutput } from './support';

const GRANTOR = 'arn:aws:iam::123456789012:role/SecurityExemptionAdmin';
const until = isoDay(new Date(Date.now() + 30 * 86_400_000));

interface Row {
  rule: string;
  resourceName: string;
  compliance: string;
  complianceWithoutExemption: string | null;
  exemptionStatus: string | null;
  exemptionSource: string | null;
  exemptionUntil: string | null;
  exemptionReason: string | null;
  exemptionGrantedBy: string | null;
  annotation: string;
}

describe('a registry exemption in evaluate --output json / html', () => {
  const endpoint = useMoto({ env: { MOTO_EXT_REPORT_DELAY_MS: '100' } });
  const aws = (): string[] => ['--endpoint-url', endpoint(), '--region', 'us-east-1'];
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser.close();
  });

  it('carries the exemption fields for deploy-bot and shows it under the Exempt filter', async () => {
    // Prepare: the demo account; deploy-bot in the registry file, and its own tag (ignored).
    await seedScenario(endpoint(), DEMO_ACCOUNT);
    const iam = new IAMClient(motoClientConfig(endpoint()));
    const id = (await iam.send(new GetUserCommand({ UserName: 'deploy-bot' }))).User?.UserId;
    await iam.send(
      new TagUserCommand({
        UserName: 'bob',
        Tags: [{ Key: 'MFA-Exemption', Value: `${until} self-granted` }],
      }),
    );
    iam.destroy();
    const file = writeOutput(
      'exemptions.json',
      JSON.stringify([
        {
          accountId: TEST_ACCOUNT_ID,
          userId: id,
          rule: '*',
          until,
          reason: 'moving to an IAM role by then',
          grantedBy: GRANTOR,
          grantedAt: new Date().toISOString(),
        },
      ]),
    );

    // Act
    const json = await runCli(['evaluate', ...aws(), '--exemptions', file, '--output', 'json']);
    const exemptOnly = await runCli([
      'evaluate',
      ...aws(),
      '--exemptions',
      file,
      '--output',
      'json',
      '--compliance',
      'exempt',
    ]);
    const html = await runCli(['evaluate', ...aws(), '--exemptions', file, '--output', 'html']);

    // Assess: JSON
    expect(json.stderr).toBe('');
    const rows = JSON.parse(json.stdout) as Row[];
    const bot = rows.find((r) => r.resourceName === 'deploy-bot' && r.rule === 'iam-user-mfa');
    expect(bot).toMatchObject({
      compliance: 'NOT_APPLICABLE',
      complianceWithoutExemption: 'NON_COMPLIANT',
      exemptionStatus: 'honoured',
      exemptionSource: 'registry',
      exemptionUntil: until,
      exemptionReason: 'moving to an IAM role by then',
      exemptionGrantedBy: GRANTOR,
    });
    expect(bot?.annotation).toContain(`(registry, granted by ${GRANTOR})`);
    expect(rows.filter((r) => r.exemptionStatus === 'honoured')).toHaveLength(1);
    const bob = rows.filter((r) => r.resourceName === 'bob' && r.compliance === 'NON_COMPLIANT');
    expect(bob.length).toBeGreaterThan(0);
    for (const r of bob) {
      expect([r.exemptionStatus, r.exemptionSource]).toEqual(['ignored', 'tag']);
      expect(r.annotation).toContain(`self-granted" found and ignored`);
    }
    const listed = JSON.parse(exemptOnly.stdout) as Row[];
    expect(listed.map((r) => [r.resourceName, r.rule])).toEqual([['deploy-bot', 'iam-user-mfa']]);

    // Assess: the page, in a browser
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(writeOutput('mfa-exempt.html', html.stdout)).href);
    const cells = await texts(page, '#summary tr[data-rule="iam-user-mfa"] td.num');
    expect(cells[3]).toBe('1');
    expect((await texts(page, '#summary tfoot td.num'))[3]).toBe('1');
    await page.click('[data-tab="evaluations"]');
    await page.selectOption('#evaluations-verdict', 'EXEMPT');
    expect(await texts(page, '#evaluations-body tr td[data-label="Resource"] .name')).toEqual([
      'deploy-bot',
    ]);
    expect(await texts(page, '#evaluations-body tr td[data-label="Verdict"] .why')).toEqual([
      `exemption honoured by registry (${until}), was NON_COMPLIANT`,
    ]);
    writeOutput('mfa-exempt.png', await page.screenshot({ fullPage: true }));
    await page.close();
    writeFileSync(file, '');
  });
});
