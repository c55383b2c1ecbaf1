/**
 * What a rule promises, kept in its own folder (`rules/<name>/cases.ts`): the verdict it must
 * give each subject of the shared scenario accounts (test/support/scenarios.ts: the demo account,
 * the integration, consumer and browser fixtures), its decision rows, and the framework numbers
 * and severity it publishes. Every cross-rule test derives its expectations from these, so a new
 * rule brings its own and no test keeps a per-rule count by hand.
 *
 * A scenario is described by what an administrator set up, not by the facts a rule reads: the
 * verdict functions below are the rule's specification, written without its code.
 */
import type { AnyRule, ComplianceType, RuleMetadata } from './types';

export type ScenarioMfa = 'none' | 'virtual' | 'hardware';

/** The root user of a scenario account. */
export interface ScenarioRoot {
  /** `virtual`: a virtual device assigned to root; `hardware`: MFA without a virtual device. */
  mfa: ScenarioMfa;
  password: boolean;
  accessKeys: boolean;
  signingCertificates: boolean;
}

/** An IAM user of a scenario account (no privileged users: the hardware rule's own tests have those). */
export interface ScenarioUser {
  name: string;
  consolePassword: boolean;
  mfa: ScenarioMfa;
}

export interface ScenarioAccount {
  root: ScenarioRoot;
  users: readonly ScenarioUser[];
}

/** A decision row: facts in, the verdict (and what the annotation must say) out. */
export interface DecisionRow<Facts> {
  name: string;
  facts: Facts;
  params?: Record<string, unknown>;
  compliance: ComplianceType;
  annotation?: RegExp;
}

export interface Published {
  /** `formatCis` of the rule's CIS mappings, e.g. 'v1.4.0–v4.0.1 1.4, v5.0.0 1.3'; '' for none. */
  cis: string;
  securityHub: readonly string[];
  severity: RuleMetadata['severity'];
}

interface CommonCases<Facts> {
  /** The numbers the rule must publish (checked against its metadata by the catalog test). */
  published: Published;
  /** Decision rows run through the rule's pure `evaluate` by test/unit/rule-cases.test.ts. */
  decisions?: readonly DecisionRow<Facts>[];
}

export type RuleCases<Facts = unknown> =
  | (CommonCases<Facts> & { scope: 'account'; root: (root: ScenarioRoot) => ComplianceType })
  | (CommonCases<Facts> & { scope: 'user'; user: (user: ScenarioUser) => ComplianceType });

/** Types a rule's cases against its definition (`export const cases = casesOf(rule, {...})`). */
export function casesOf<Rule extends AnyRule>(
  _rule: Rule,
  cases: RuleCases<FactsOf<Rule>>,
): RuleCases<FactsOf<Rule>> {
  return cases;
}

type FactsOf<Rule> = Rule extends { evaluate: (facts: infer Facts, ...rest: never[]) => unknown }
  ? Facts
  : never;

export function rootHasCredentials(root: ScenarioRoot): boolean {
  return root.password || root.accessKeys || root.signingCertificates;
}

/** The verdicts a rule must give in a scenario account, by resource name (account id for root). */
export function expectedVerdicts(
  cases: RuleCases,
  account: ScenarioAccount,
  accountId: string,
): Map<string, ComplianceType> {
  if (cases.scope === 'account') return new Map([[accountId, cases.root(account.root)]]);
  return new Map(account.users.map((user) => [user.name, cases.user(user)]));
}

/** [NON_COMPLIANT, COMPLIANT, NOT_APPLICABLE] of a set of verdicts. */
export function countVerdicts(verdicts: Iterable<ComplianceType>): Record<ComplianceType, number> {
  const counts = { NON_COMPLIANT: 0, COMPLIANT: 0, NOT_APPLICABLE: 0 };
  for (const verdict of verdicts) {
    counts[verdict] += 1;
  }
  return counts;
}
