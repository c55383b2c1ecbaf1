/**
 * mfa-config-rules as a CDK construct library: add the pack to your own CDK app.
 *
 *   import { MfaConfigRulesAccountPack } from 'mfa-config-rules';
 *   new MfaConfigRulesAccountPack(myStack, 'MfaRules');
 *
 * The public API is what a CDK user needs: the constructs and stacks with their props, the rule
 * names (as types editors complete) and the rules' metadata. Everything else (the rule functions,
 * permissions, templates, settings) is internal and may change in any release.
 *
 * This entry loads aws-cdk-lib and constructs (peer dependencies) and the rule catalog; it never
 * loads cdk-nag (the constructs acknowledge their findings through aws-cdk-lib's `Validations`).
 */

// The constructs and their props.
export {
  MfaConfigRulesAccountPack,
  type MfaConfigRulesAccountPackProps,
  type PackCommonProps,
  type RuleFunctionOptions,
} from './account-pack';
export {
  MfaConfigRulesOrganizationPack,
  type CallAs,
  type MfaConfigRulesOrganizationPackProps,
} from './organization-pack';
export {
  METRIC_NAMESPACE,
  MfaConfigRulesOperations,
  type MfaConfigRulesOperationsProps,
  type NotificationsProps,
  type OperationsOptions,
  type SecurityHubAutomationProps,
} from './operations';
// The protection SCPs for member accounts (docs/protection-scp.md), from the stack's own names.
export {
  configRulesProtectionScp,
  executionRoleProtectionScp,
  iamEventForwardingProtectionScp,
  type ProtectionScpOptions,
} from './execution-role';
export {
  DEFAULT_EXEMPTION_TABLE,
  EXEMPTION_SOURCES,
  type ExemptionSource,
} from '../rules/runtime/exemption-source';
export { type RuleDeployment } from './plain-rules';

// The ready-made stacks (`cdk deploy` of this package's app uses them).
export {
  MfaConfigRulesAccountStack,
  MfaConfigRulesOrganizationStack,
  type MfaConfigRulesAccountStackProps,
  type MfaConfigRulesOrganizationStackProps,
} from './stacks';

// Defaults the props documentation names.
export {
  ACCOUNT_STACK_NAME,
  DEFAULT_EXECUTION_FREQUENCY,
  DEFAULT_EXECUTION_ROLE_NAME,
  DEFAULT_PACK_NAME,
  DEFAULT_STACK_SET_NAME,
  EXECUTION_FREQUENCIES,
  ORGANIZATION_STACK_NAME,
  type ExecutionFrequency,
} from './settings';
export { DEFAULT_RULES_STACK_SET_NAME } from './organization-pack';

// The rules: names as string-literal types, and each rule's metadata (title, controls, severity,
// remediation, parameters, IAM actions).
export { COMMON_PARAMETERS, RULE_METADATA, RULE_NAMES } from '../rules/catalog';
export {
  RULE_NAME_LIST,
  RULE_PARAMETER_NAMES,
  type RuleName,
  type RuleParametersByRule,
  type RuleParameterValues,
} from '../rules/rule-names';
export type { FrameworkMapping, RuleMetadata } from '../rules/runtime/types';
