/**
 * `report --aggregator` lists the exemption registry's active exemptions (issue 18): the users an
 * aggregator hides (it returns no NOT_APPLICABLE result), per account, soonest to end first, with
 * how many end within 14 days; in JSON (`registry`), the table, the HTML page and a note.
 */
import { runCli } from '../support/cli';
import { createAggregator } from '../support/moto';
import { createRegistryTable, inDays, putRegistryEntries } from '../support/registry';
import { useMoto } from '../support/use-moto';

const A = '111111111111';
const B = '222222222222';
const AGGREGATOR = 'org-mfa';

interface Doc {
  notes: string[];
  registry?: {
    table: string;
    endingSoon: number;
    soonDays: number;
    exemptions: { accountId: string; userId: string; until: string; daysLeft: number }[];
  };
}

describe('report --aggregator with the exemption registry', () => {
  const endpoint = useMoto();
  const aws = (): string[] => ['--endpoint-url', endpoint(), '--region', 'us-east-1'];

  beforeEach(async () => {
    const response = await fetch(`${endpoint()}/moto-ext/evaluations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        accountId: A,
        region: 'us-east-1',
        rule: 'root-account-mfa-conformance-pack-aaaa1111',
        evaluations: [
          {
            resourceType: 'AWS::::Account',
            resourceId: A,
            complianceType: 'COMPLIANT',
            annotation: 'Root user has MFA.',
          },
        ],
      }),
    });
    expect(response.ok).toBe(true);
    await createAggregator(endpoint(), AGGREGATOR, [A, B]);
  });

  it('lists the active exemptions per account, soonest first, and how many end within 14 days', async () => {
    await createRegistryTable(endpoint());
    await putRegistryEntries(endpoint(), [
      { accountId: B, userId: 'AIDABBBBBBBBBBBBBBBB1', rule: '*', until: inDays(40), reason: 'x' },
      {
        accountId: A,
        userId: 'AIDAAAAAAAAAAAAAAAAA1',
        rule: 'iam-user-mfa',
        until: inDays(5),
        reason: 'deploy-bot moves to a role',
      },
      {
        accountId: A,
        userId: 'AIDAAAAAAAAAAAAAAAAA2',
        rule: 'iam-user-mfa',
        until: inDays(-1),
        reason: 'expired yesterday',
      },
    ]);

    const json = await runCli(['report', '--aggregator', AGGREGATOR, ...aws(), '--output', 'json']);
    expect([json.code, json.stderr]).toEqual([0, '']);
    const doc = JSON.parse(json.stdout) as Doc;
    expect(
      doc.registry?.exemptions.map((e) => [e.accountId, e.userId, e.until, e.daysLeft]),
    ).toEqual([
      [A, 'AIDAAAAAAAAAAAAAAAAA1', inDays(5), 5],
      [B, 'AIDABBBBBBBBBBBBBBBB1', inDays(40), 40],
    ]);
    expect(doc.registry?.endingSoon).toBe(1);
    expect(doc.notes).toContainEqual(
      expect.stringContaining(
        'holds 2 active exemption(s) in 2 account(s), 1 ending within 14 days',
      ),
    );

    const table = await runCli(['report', '--aggregator', AGGREGATOR, ...aws()]);
    expect(table.stdout).toContain(
      'Registry exemptions (mfa-config-rules-exemptions), soonest to end first: 2 active, 1 ending within 14 days',
    );
    expect(table.stdout).toContain('deploy-bot moves to a role');
    expect(table.stdout).not.toContain('expired yesterday');

    const html = await runCli(['report', '--aggregator', AGGREGATOR, ...aws(), '--output', 'html']);
    expect(html.stdout).toContain('<h2>Registry exemptions</h2>');
    expect(html.stdout).toContain('AIDAAAAAAAAAAAAAAAAA1');
  });

  it('without a registry table, says so in a note; a named table that is missing is an error', async () => {
    const json = await runCli(['report', '--aggregator', AGGREGATOR, ...aws(), '--output', 'json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as Doc;
    expect(doc.registry).toBeUndefined();
    expect(doc.notes).toContainEqual(
      expect.stringMatching(/^Exemption registry not read \(no table mfa-config-rules-exemptions/),
    );
    const named = await runCli([
      'report',
      '--aggregator',
      AGGREGATOR,
      ...aws(),
      '--exemption-table',
      'nope',
    ]);
    expect(named.code).toBe(2);
    expect(named.stdout).toBe('');
    expect(named.stderr).toMatch(
      /^mfa-config-rules: (InvalidInputError: )?cannot read the exemption registry: no table nope in account \d{12}, us-east-1\n$/,
    );
  });
});
