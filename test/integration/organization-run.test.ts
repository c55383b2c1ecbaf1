/**
 * An organization run in moto through the real path (issue 19): the central function of each rule,
 * `AssumeRole` of the execution role into 21 member accounts with the rule's session policy, the
 * Config rule names of each deployment mode. Every account is evaluated, every verdict lands in
 * the account it is about and nowhere else, and each account costs the same calls.
 */
import { RULE_METADATA } from '../../rules/catalog';
import { sessionPolicy } from '../../rules/runtime/grants';
import { DEFAULT_EXECUTION_ROLE_NAME } from '../../infra/settings';
import { takeCallCounts, TEST_ACCOUNT_ID } from '../support/moto';
import {
  configRuleName,
  memberAccounts,
  runOrganization,
  seedOrganization,
  takeAssumeRoleCalls,
  type DeploymentMode,
  type SeededAccount,
} from '../support/organization-run';
import { storedEvaluations } from '../support/stored';
import { useMoto } from '../support/use-moto';

const endpoint = useMoto({ env: { MOTO_EXT_COUNT_CALLS: '1', MOTO_EXT_REPORT_DELAY_MS: '50' } });
const ACCOUNTS = memberAccounts(21);

describe.each<DeploymentMode>(['conformancePack', 'configRules'])(
  'organization run, %s',
  (mode) => {
    let seeded: SeededAccount[];

    beforeEach(async () => {
      seeded = await seedOrganization(endpoint(), ACCOUNTS);
      await takeCallCounts(endpoint());
      await takeAssumeRoleCalls(endpoint());
    });

    it(`evaluates all ${String(ACCOUNTS.length)} accounts through their execution role, each rule with its own session policy, and leaks nothing across accounts`, async () => {
      // Act
      const runs = await runOrganization(endpoint(), ACCOUNTS, mode);
      const calls = await takeCallCounts(endpoint());
      const assumed = await takeAssumeRoleCalls(endpoint());

      // Assess: one AssumeRole per account and rule (each rule's container caches its own session),
      // of the execution role in that account, narrowed to exactly that rule's actions.
      expect(assumed).toHaveLength(ACCOUNTS.length * RULE_METADATA.length);
      for (const account of ACCOUNTS) {
        const roleArn = `arn:aws:iam::${account}:role/${DEFAULT_EXECUTION_ROLE_NAME}`;
        const policies = assumed.filter((c) => c.roleArn === roleArn).map((c) => c.policy);
        expect(policies.sort()).toEqual(
          RULE_METADATA.map((rule) =>
            sessionPolicy([rule], { partition: 'aws', accountId: account }),
          ).sort(),
        );
      }
      // Every verdict is about its own account's root or users, stored in that account only.
      const ownIds = (s: SeededAccount) => new Set([s.account, ...s.users.map((u) => u.userId)]);
      const everyId = new Set(seeded.flatMap((s) => [...ownIds(s)]));
      for (const s of seeded) {
        for (const rule of RULE_METADATA) {
          const stored = await storedEvaluations(
            endpoint(),
            configRuleName(rule.name, s.account, mode),
            {
              accountId: s.account,
            },
          );
          const expected = rule.resourceTypes.includes('AWS::IAM::User') ? s.users.length : 1;
          expect(stored).toHaveLength(expected);
          for (const evaluation of stored) {
            expect(ownIds(s).has(evaluation.resourceId)).toBe(true);
          }
          expect(runs.find((r) => r.account === s.account)?.sent[rule.name]).toBe(expected);
        }
      }
      expect(everyId.size).toBe(ACCOUNTS.length * 4);
      // Nothing reported in the central account, under any of the names.
      for (const rule of RULE_METADATA) {
        for (const account of [ACCOUNTS[0] ?? '', TEST_ACCOUNT_ID]) {
          expect(
            await storedEvaluations(endpoint(), configRuleName(rule.name, account, mode), {
              accountId: TEST_ACCOUNT_ID,
            }),
          ).toEqual([]);
        }
      }
      // Root verdicts follow each account's own root (MFA in even accounts only).
      for (const [index, account] of ACCOUNTS.entries()) {
        const [root] = await storedEvaluations(
          endpoint(),
          configRuleName('root-account-mfa', account, mode),
          {
            accountId: account,
          },
        );
        expect(root?.compliance).toBe(index % 2 === 0 ? 'COMPLIANT' : 'NON_COMPLIANT');
      }
      // The same calls for every account: each operation's total is a whole multiple of the account
      // count, but for the credential report's polling and one GetCallerIdentity per container
      // (outside Lambda there is no function ARN to read the central account from).
      expect(calls.AssumeRole).toBe(ACCOUNTS.length * RULE_METADATA.length);
      expect(calls.GetCallerIdentity).toBe(RULE_METADATA.length);
      const polling = new Set([
        'GetCredentialReport',
        'GenerateCredentialReport',
        'GetCallerIdentity',
      ]);
      for (const [operation, count] of Object.entries(calls)) {
        if (!polling.has(operation))
          expect([operation, count % ACCOUNTS.length]).toEqual([operation, 0]);
      }
    });
  },
);
