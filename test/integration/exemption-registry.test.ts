/**
 * The central exemption registry (issue 18) in an organization run against moto: the central
 * functions of the three user rules, `ExemptionSource: 'registry'`, two member accounts read
 * through their execution role, the registry a DynamoDB table in the central account read with
 * the functions' own credentials. Exactly the registry's users (by id) are exempt; a member's own
 * exemption tag is found and ignored; a user re-created under the same name is not covered; an
 * expired entry is NON_COMPLIANT "exemption expired on …".
 */
import {
  CreateUserCommand,
  DeleteUserCommand,
  IAMClient,
  TagUserCommand,
} from '@aws-sdk/client-iam';
import { RULE_METADATA } from '../../rules/catalog';
import {
  DEFAULT_EXEMPTION_TABLE,
  EXEMPTION_SOURCE_ENV,
  tableReader,
} from '../../rules/runtime/exemption-registry';
import { ClientProvider } from '../../rules/runtime/clients';
import { createHandler } from '../../rules/runtime/handler';
import { logger } from '../../rules/runtime/logger';
import type { ComplianceType } from '../../rules/runtime/types';
import { DEFAULT_EXECUTION_ROLE_NAME } from '../../infra/settings';
import { findRule } from '../../rules/catalog';
import { scheduledEvent } from '../support/events';
import { motoClientConfig, takeCallCounts } from '../support/moto';
import {
  configRuleName,
  memberAccounts,
  seedOrganization,
  type SeededAccount,
} from '../support/organization-run';
import {
  createRegistryTable,
  inDays,
  putRegistryEntries,
  registryClient,
} from '../support/registry';
import { storedEvaluations } from '../support/stored';
import { useMoto } from '../support/use-moto';

const USER_RULES = RULE_METADATA.filter((rule) => rule.resourceTypes.includes('AWS::IAM::User'));
const [A = '', B = ''] = memberAccounts(2);

beforeAll(() => {
  logger.setLogLevel('SILENT');
});

/** IAM in a member account (moto serves the account named in x-moto-account-id). */
function memberIam(endpoint: string, account: string): IAMClient {
  const iam = new IAMClient(motoClientConfig(endpoint));
  iam.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['x-moto-account-id'] = account;
      return next(args);
    },
    { step: 'build' },
  );
  return iam;
}

function handlerFor(endpoint: string, rule: string, table = DEFAULT_EXEMPTION_TABLE) {
  const found = findRule(rule);
  if (!found) throw new Error(rule);
  return createHandler(found, {
    clients: new ClientProvider({ endpoint, region: 'us-east-1' }),
    tuning: { pollIntervalMs: 50 },
    registry: tableReader(registryClient(endpoint), table),
  });
}

async function runAccounts(
  endpoint: string,
  accounts: readonly string[],
  parameters: Record<string, string> = { ExemptionSource: 'registry' },
  table?: string,
): Promise<void> {
  for (const rule of USER_RULES) {
    const handler = handlerFor(endpoint, rule.name, table);
    for (const account of accounts) {
      const name = configRuleName(rule.name, account, 'conformancePack');
      await handler(
        scheduledEvent(name, {
          accountId: account,
          resultToken: name,
          parameters: { ExecutionRoleName: DEFAULT_EXECUTION_ROLE_NAME, ...parameters },
        }),
      );
    }
  }
}

interface Verdict {
  rule: string;
  account: string;
  resourceId: string;
  compliance: ComplianceType;
  annotation: string;
}

async function allVerdicts(endpoint: string, accounts: readonly string[]): Promise<Verdict[]> {
  const out: Verdict[] = [];
  for (const rule of USER_RULES) {
    for (const account of accounts) {
      const stored = await storedEvaluations(
        endpoint,
        configRuleName(rule.name, account, 'conformancePack'),
        { accountId: account },
      );
      for (const s of stored) {
        out.push({
          rule: rule.name,
          account,
          resourceId: s.resourceId,
          compliance: s.compliance,
          annotation: s.annotation ?? '',
        });
      }
    }
  }
  return out;
}

const userId = (seeded: SeededAccount[], account: string, prefix: string): string => {
  const found = seeded
    .find((s) => s.account === account)
    ?.users.find((u) => u.name === `${prefix}-${account}`);
  if (!found) throw new Error(`${prefix} in ${account}`);
  return found.userId;
};

describe('central exemption registry, organization run against moto', () => {
  const endpoint = useMoto({
    env: { MOTO_EXT_COUNT_CALLS: '1', MOTO_EXT_REPORT_DELAY_MS: '50' },
  });
  let seeded: SeededAccount[];

  beforeEach(async () => {
    seeded = await seedOrganization(endpoint(), [A, B]);
    await createRegistryTable(endpoint());
  });

  afterEach(() => {
    process.env[EXEMPTION_SOURCE_ENV] = '';
  });

  it("exempts exactly the registry's users by id, ignores a member's own tag, never covers a re-created user, and refuses an expired entry", async () => {
    // Arrange: A's user without MFA exempted for every user rule; A's API-only user tags itself;
    // B's user without MFA has an entry that ended yesterday; B's API-only user has an entry for
    // iam-user-mfa, then is deleted and re-created under the same name (a new id).
    const exemptA = userId(seeded, A, 'without-mfa');
    const apiOnlyA = userId(seeded, A, 'api-only');
    const expiredB = userId(seeded, B, 'without-mfa');
    const recreatedOld = userId(seeded, B, 'api-only');
    const yesterday = inDays(-1);
    await putRegistryEntries(endpoint(), [
      { accountId: A, userId: exemptA, rule: '*', until: inDays(30), reason: 'token on order' },
      { accountId: B, userId: expiredB, rule: '*', until: yesterday, reason: 'was on leave' },
      {
        accountId: B,
        userId: recreatedOld,
        rule: 'iam-user-mfa',
        until: inDays(10),
        reason: 'old pipeline user',
      },
    ]);
    await memberIam(endpoint(), A).send(
      new TagUserCommand({
        UserName: `api-only-${A}`,
        Tags: [{ Key: 'MFA-Exemption', Value: `${inDays(20)} I exempt myself` }],
      }),
    );
    const iamB = memberIam(endpoint(), B);
    await iamB.send(new DeleteUserCommand({ UserName: `api-only-${B}` }));
    const recreated = await iamB.send(new CreateUserCommand({ UserName: `api-only-${B}` }));
    const recreatedId = recreated.User?.UserId ?? '';
    expect(recreatedId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(recreatedId).not.toBe(recreatedOld);
    await takeCallCounts(endpoint());

    // Act
    await runAccounts(endpoint(), [A, B]);
    const calls = await takeCallCounts(endpoint());
    const verdicts = await allVerdicts(endpoint(), [A, B]);

    // Assess: exactly two exempt evaluations, both of A's user, each from the registry.
    const exempt = verdicts.filter((v) => v.annotation.includes(' is exempt until '));
    expect(exempt.map((v) => [v.rule, v.account, v.resourceId, v.compliance]).sort()).toEqual(
      [
        ['iam-user-console-mfa', A, exemptA, 'NOT_APPLICABLE'],
        ['iam-user-mfa', A, exemptA, 'NOT_APPLICABLE'],
      ].sort(),
    );
    for (const v of exempt) {
      expect(v.annotation).toContain(`exempt until ${inDays(30)}`);
      expect(v.annotation).toContain('(registry, granted by arn:aws:iam::123456789012:role/');
    }
    // A's own tag: found and ignored, still NON_COMPLIANT.
    const tagged = verdicts.find((v) => v.rule === 'iam-user-mfa' && v.resourceId === apiOnlyA);
    expect(tagged?.compliance).toBe('NON_COMPLIANT');
    expect(tagged?.annotation).toContain(
      'exemption tag mfa-exemption="' +
        `${inDays(20)} I exempt myself" found and ignored: only the central exemption registry exempts users.`,
    );
    // The expired entry: NON_COMPLIANT, saying when it ended.
    for (const rule of ['iam-user-console-mfa', 'iam-user-mfa']) {
      const v = verdicts.find((x) => x.rule === rule && x.resourceId === expiredB);
      expect(v?.compliance).toBe('NON_COMPLIANT');
      expect(v?.annotation).toContain(`exemption expired on ${yesterday} (registry: was on leave)`);
    }
    // The re-created user: a new id, not covered by the old entry.
    const again = verdicts.find((v) => v.rule === 'iam-user-mfa' && v.resourceId === recreatedId);
    expect(again?.compliance).toBe('NON_COMPLIANT');
    expect(again?.annotation).not.toContain('exempt');
    // One Query per account and rule, nothing else on DynamoDB.
    expect(calls.Query).toBe(2 * USER_RULES.length);
    expect(Object.keys(calls).filter((op) => /Scan|GetItem|PutItem|BatchGet/.test(op))).toEqual([]);
  });

  it('with ExemptionSource tags, the same member tag exempts (the account stack’s behaviour)', async () => {
    const apiOnlyA = userId(seeded, A, 'api-only');
    await memberIam(endpoint(), A).send(
      new TagUserCommand({
        UserName: `api-only-${A}`,
        Tags: [{ Key: 'MFA-Exemption', Value: `${inDays(20)} my own` }],
      }),
    );
    await runAccounts(endpoint(), [A], { ExemptionSource: 'tags' });
    const verdicts = await allVerdicts(endpoint(), [A]);
    const tagged = verdicts.find((v) => v.rule === 'iam-user-mfa' && v.resourceId === apiOnlyA);
    expect(tagged?.compliance).toBe('NOT_APPLICABLE');
    expect(tagged?.annotation).toContain('(tag mfa-exemption)');
  });

  it('refuses a run whose ExemptionSource differs from the deployed one, and reports nothing', async () => {
    process.env[EXEMPTION_SOURCE_ENV] = 'registry';
    const handler = handlerFor(endpoint(), 'iam-user-mfa');
    const name = configRuleName('iam-user-mfa', A, 'configRules');
    await expect(
      handler(
        scheduledEvent(name, {
          accountId: A,
          resultToken: name,
          parameters: { ExecutionRoleName: DEFAULT_EXECUTION_ROLE_NAME, ExemptionSource: 'tags' },
        }),
      ),
    ).rejects.toThrow(
      "ExemptionSource 'tags' differs from the 'registry' this function was deployed with",
    );
    expect(await storedEvaluations(endpoint(), name, { accountId: A })).toEqual([]);
  });

  it('fails the run, reporting nothing, when the registry cannot be read', async () => {
    await expect(
      runAccounts(endpoint(), [A], { ExemptionSource: 'registry' }, 'no-such-table'),
    ).rejects.toThrow(/cannot read the exemption registry no-such-table for account/);
    expect(await allVerdicts(endpoint(), [A])).toEqual([]);
  });
});
