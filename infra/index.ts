/**
 * mfa-config-rules as a CDK construct library: add the pack to your own CDK app.
 *
 *   import { MfaConfigRulesAccountPack } from 'mfa-config-rules';
 *   new MfaConfigRulesAccountPack(myStack, 'MfaRules');
 */
export {
  MfaConfigRulesAccountPack,
  type MfaConfigRulesAccountPackProps,
  type PackCommonProps,
} from './account-pack';
export {
  CALL_AS_VALUES,
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
  BUNDLING,
  ESM_REQUIRE_BANNER,
  retentionDays,
  RUNTIME,
  RuleFunction,
  ruleEntry,
  type ConfigInvokeOptions,
  type ExecutionRoleAccess,
  type RuleFunctionProps,
} from './rule-function';
export {
  ExecutionRole,
  executionRoleTemplate,
  type ExecutionRoleProps,
  type ExecutionRoleSpec,
} from './execution-role';
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
export {
  MfaConfigRulesAccountStack,
  MfaConfigRulesOrganizationStack,
  TARGET_OUS_PARAMETER,
  type MfaConfigRulesAccountStackProps,
  type MfaConfigRulesOrganizationStackProps,
} from './stacks';
export { buildApp, CONTEXT, type MfaConfigRulesApp } from './app-builder';
export * from './settings';
