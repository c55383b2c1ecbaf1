/**
 * mfa-config-rules as a CDK construct library: add the pack to your own CDK app.
 *
 *   import { MfaConfigRulesAccountPack } from 'mfa-config-rules';
 *   new MfaConfigRulesAccountPack(myStack, 'MfaRules');
 *
 * This entry loads aws-cdk-lib and constructs (peer dependencies) and the rule catalog; it never
 * loads cdk-nag (the constructs acknowledge their findings through aws-cdk-lib's `Validations`).
 */
export {
  MfaConfigRulesAccountPack,
  type MfaConfigRulesAccountPackProps,
  type PackCommonProps,
  type RuleFunctionOptions,
} from './account-pack';
export {
  CALL_AS_VALUES,
  DEFAULT_RULES_STACK_SET_NAME,
  MAX_SOURCE_ACCOUNT_PERMISSIONS,
  MfaConfigRulesOrganizationPack,
  type CallAs,
  type MfaConfigRulesOrganizationPackProps,
} from './organization-pack';
export {
  automationRuleProps,
  complianceChangeMessage,
  complianceChangePattern,
  FAILURE_METRICS,
  METRIC_NAMESPACE,
  MfaConfigRulesOperations,
  type MfaConfigRulesOperationsProps,
  type NotificationsProps,
  type OperationsOptions,
  type SecurityHubAutomationProps,
} from './operations';
export {
  retentionDays,
  RUNTIME,
  RuleFunction,
  type ConfigInvokeOptions,
  type ExecutionRoleAccess,
  type RuleFunctionProps,
} from './rule-function';
export {
  configRulesProtectionScp,
  ExecutionRole,
  executionRoleProtectionScp,
  executionRoleTemplate,
  type ExecutionRoleProps,
  type ExecutionRoleSpec,
  type ProtectionScpOptions,
} from './execution-role';
export {
  ExemptionRegistry,
  REGISTRY_READ_ACTIONS,
  REGISTRY_WRITE_ACTIONS,
  type ExemptionRegistryProps,
} from './exemption-registry';
export {
  DEFAULT_EXEMPTION_TABLE,
  EXEMPTION_SOURCES,
  type ExemptionSource,
} from '../rules/runtime/exemption-source';
export {
  conformancePackTemplate,
  conformancePackTemplateBody,
  EXECUTION_ROLE_PARAMETER,
  FREQUENCY_PARAMETER,
  functionArnParameter,
  logicalIdOf,
  MAX_RULE_DESCRIPTION_LENGTH,
  ruleDescription,
  type ConformancePackTemplate,
} from './conformance-pack-template';
export {
  grantedActions,
  packPermissions,
  rulePermissions,
  type PermissionGrant,
  type ResourceScope,
} from './permissions';
export { type RuleDeployment } from './plain-rules';
export {
  MfaConfigRulesAccountStack,
  MfaConfigRulesOrganizationStack,
  TARGET_OUS_PARAMETER,
  type MfaConfigRulesAccountStackProps,
  type MfaConfigRulesOrganizationStackProps,
} from './stacks';
export {
  ACCOUNT_STACK_NAME,
  ASYNC_MAX_EVENT_AGE_SECONDS,
  ASYNC_MAX_RETRY_ATTEMPTS,
  centralRoleName,
  DEFAULT_EXECUTION_FREQUENCY,
  DEFAULT_EXECUTION_ROLE_NAME,
  DEFAULT_LOG_RETENTION_DAYS,
  DEFAULT_PACK_NAME,
  DEFAULT_STACK_SET_NAME,
  EXECUTION_FREQUENCIES,
  functionSizing,
  reservationPlan,
  sizedReservation,
  UNRESERVED_CONCURRENCY_MINIMUM,
  type ReservationPlan,
  isExecutionFrequency,
  LAMBDA_RUNTIME,
  ORGANIZATION_STACK_NAME,
  type ExecutionFrequency,
  type FunctionSizing,
} from './settings';
// The catalog: every rule with its metadata (title, controls, severity, remediation, IAM actions).
export { COMMON_PARAMETERS, findRule, RULE_METADATA, RULE_NAMES, RULES } from '../rules/catalog';
// Rule names and their parameters as string-literal types (editors complete them).
export {
  RULE_NAME_LIST,
  RULE_PARAMETER_NAMES,
  type RuleName,
  type RuleParametersByRule,
  type RuleParameterValues,
} from '../rules/rule-names';
export type { AnyRule, FrameworkMapping, RuleMetadata } from '../rules/runtime/types';
export { formatCis, formatFrameworks, formatSecurityHub } from '../rules/frameworks';
