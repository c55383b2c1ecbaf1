/** Every rule of the pack, in the order the README, the CLI and the CDK construct list them. */
import { rule as iamUserConsoleMfa } from './iam-user-console-mfa/rule';
import { rule as iamUserMfa } from './iam-user-mfa/rule';
import { rule as iamUserHardwareMfa } from './iam-user-hardware-mfa/rule';
import { rule as rootAccountHardwareMfa } from './root-account-hardware-mfa/rule';
import { rule as rootAccountMfa } from './root-account-mfa/rule';
import type { AnyRule, RuleMetadata } from './runtime/types';

export const RULES: readonly AnyRule[] = [
  rootAccountMfa,
  rootAccountHardwareMfa,
  iamUserConsoleMfa,
  iamUserMfa,
  iamUserHardwareMfa,
];

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
