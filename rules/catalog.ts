/**
 * Every rule of the pack: one line each, in the order the docs, the CLI and the CDK construct list
 * them. A rule is its folder (`rules/<name>/`: `rule.ts` with its metadata and pure `evaluate`,
 * `cases.ts` with what it must conclude, a facts reader if no other rule shares it) and its line
 * here; `npm run docs` then regenerates the docs and rules/rule-names.ts (docs/adding-a-rule.md).
 */
import type { AnyRule, RuleMetadata } from './runtime/types';

/* eslint-disable @typescript-eslint/no-require-imports -- one line per rule: `entry(require(…))` */
export const RULES: readonly AnyRule[] = [
  entry(require('./root-account-mfa/rule'), 'root-account-mfa'),
  entry(require('./root-account-hardware-mfa/rule'), 'root-account-hardware-mfa'),
  entry(require('./root-account-access-keys/rule'), 'root-account-access-keys'),
  entry(require('./iam-user-console-mfa/rule'), 'iam-user-console-mfa'),
  entry(require('./iam-user-mfa/rule'), 'iam-user-mfa'),
  entry(require('./iam-user-hardware-mfa/rule'), 'iam-user-hardware-mfa'),
];
/* eslint-enable @typescript-eslint/no-require-imports */

/** A catalog line: the folder's `rule` export, checked to be the rule the folder is named after. */
function entry(module: unknown, folder: string): AnyRule {
  const rule = (module as { rule?: AnyRule } | undefined)?.rule;
  if (rule?.metadata.name !== folder || typeof rule.evaluate !== 'function') {
    throw new Error(`rules/${folder}/rule.ts must export \`rule\` named '${folder}'`);
  }
  return rule;
}

export const RULE_NAMES = RULES.map((rule) => rule.metadata.name);

export function findRule(name: string): AnyRule | undefined {
  return RULES.find((rule) => rule.metadata.name === name);
}

export {
  isRuleNameOfPack,
  RULE_NAME_LIST,
  RULE_PARAMETER_NAMES,
  type RuleName,
  type RuleParametersByRule,
  type RuleParameterValues,
} from './rule-names';

/** Metadata only (for the CDK construct and docs, which must not pull in the runtime). */
export const RULE_METADATA: readonly RuleMetadata[] = RULES.map((rule) => rule.metadata);

/** Runtime parameters every rule accepts, with their meaning (for the CDK construct and docs). */
export const COMMON_PARAMETERS = {
  ExecutionRoleName:
    'Name of a role in the evaluated account that the function assumes to read IAM and report to Config (organization deployments). Empty: the function uses its own role.',
} as const;
