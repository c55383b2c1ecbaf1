/**
 * The rule names and each rule's own parameter names as string-literal types, so editors complete
 * them in `rules`, `functionOptions` and `ruleParameters` and a typo is a compile error in
 * TypeScript (JavaScript callers get the same check at synth: infra/validate.ts).
 *
 * The catalog (rules/catalog.ts) stays the source of truth: test/unit/rule-names.test.ts fails when
 * this list and the catalog's names or parameters differ, so adding a rule means one more line
 * here (the type cannot be derived from `RULES`, whose entries are typed `AnyRule`).
 */
export const RULE_PARAMETER_NAMES = {
  'root-account-mfa': [],
  'root-account-hardware-mfa': [],
  'iam-user-console-mfa': [
    'GracePeriodDays',
    'ExemptionTagKey',
    'MaxExemptionDays',
    'ExemptionSource',
  ],
  'iam-user-mfa': ['ExemptionTagKey', 'MaxExemptionDays', 'ExemptionSource'],
  'iam-user-hardware-mfa': [
    'PrivilegedPolicyArns',
    'PrivilegedTagKey',
    'RequireCertifiedFido',
    'ExemptionTagKey',
    'MaxExemptionDays',
    'ExemptionSource',
  ],
} as const;

/** A rule of the pack, by its Config rule name: `'root-account-mfa' | 'root-account-hardware-mfa' | …`. */
export type RuleName = keyof typeof RULE_PARAMETER_NAMES;

/** The parameters a rule takes (values are strings, as AWS Config passes them). */
export type RuleParameterValues<Name extends RuleName> = Partial<
  Record<(typeof RULE_PARAMETER_NAMES)[Name][number], string>
>;

/** Per rule: its own parameters, e.g. `{ 'iam-user-console-mfa': { GracePeriodDays: '7' } }`. */
export type RuleParametersByRule = { readonly [Name in RuleName]?: RuleParameterValues<Name> };

/** Every rule name, in the catalog's order. */
export const RULE_NAME_LIST = Object.keys(RULE_PARAMETER_NAMES) as readonly RuleName[];

export function isRuleNameOfPack(value: unknown): value is RuleName {
  return typeof value === 'string' && Object.hasOwn(RULE_PARAMETER_NAMES, value);
}
