/**
 * Builds the default app: both stacks, configured from CDK context (cdk.json or `-c key=value`),
 * with cdk-nag's AwsSolutions checks on everything (an unsuppressed finding is an error, and
 * errors fail `cdk synth`). `infra/app.ts` runs it; the tests build the same app.
 */
import { Annotations, App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { CallAs } from './organization-pack';
import { isRuleDeployment } from './plain-rules';
import { retentionDays } from './rule-function';
import {
  ACCOUNT_STACK_NAME,
  DEFAULT_EXECUTION_FREQUENCY,
  isExecutionFrequency,
  ORGANIZATION_STACK_NAME,
  PLACEHOLDER_ORGANIZATION_ID,
  type ExecutionFrequency,
} from './settings';
import { MfaConfigRulesAccountStack, MfaConfigRulesOrganizationStack } from './stacks';

/** Context keys the app reads (documented in the README, "Deploying"). */
export const CONTEXT = {
  organizationId: 'organizationId',
  targetOrganizationalUnitIds: 'targetOrganizationalUnitIds',
  memberAccountIds: 'memberAccountIds',
  callAs: 'callAs',
  managementAccountId: 'managementAccountId',
  executionRoleName: 'executionRoleName',
  maximumExecutionFrequency: 'maximumExecutionFrequency',
  logRetentionDays: 'logRetentionDays',
  packName: 'packName',
  notificationEmails: 'notificationEmails',
  securityHubAutomation: 'securityHubAutomation',
  ruleDeployment: 'ruleDeployment',
} as const;

export interface MfaConfigRulesApp {
  app: App;
  account: MfaConfigRulesAccountStack;
  organization: MfaConfigRulesOrganizationStack;
}

function text(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return String(value);
  throw new Error(`context '${key}' must be a string`);
}

/** A list from a JSON array (cdk.json) or a comma-separated string (`-c key=a,b`). */
function list(app: App, key: string): string[] | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  const items = Array.isArray(value)
    ? value.map(String)
    : typeof value === 'string'
      ? value.split(',')
      : undefined;
  if (!items) throw new Error(`context '${key}' must be a list or a comma-separated string`);
  const cleaned = items.map((item) => item.trim()).filter(Boolean);
  return cleaned.length > 0 ? cleaned : undefined;
}

/** Creates both stacks in `app` (default: a new App reading cdk.json context). */
export function buildApp(app: App = new App()): MfaConfigRulesApp {
  const frequencyText = text(app, CONTEXT.maximumExecutionFrequency);
  if (frequencyText !== undefined && !isExecutionFrequency(frequencyText)) {
    throw new Error(
      `context maximumExecutionFrequency: '${frequencyText}' is not a Config frequency`,
    );
  }
  const frequency: ExecutionFrequency = frequencyText ?? DEFAULT_EXECUTION_FREQUENCY;
  const retentionText = text(app, CONTEXT.logRetentionDays);
  const logRetention =
    retentionText === undefined ? undefined : retentionDays(Number(retentionText));
  const packName = text(app, CONTEXT.packName);
  // Operations (infra/operations.ts): alerts to these addresses; Security Hub automation rules.
  const emails = list(app, CONTEXT.notificationEmails);
  const hubValue: unknown = app.node.tryGetContext(CONTEXT.securityHubAutomation);
  const hubText =
    typeof hubValue === 'boolean' || typeof hubValue === 'string' ? String(hubValue) : undefined;
  if (hubValue !== undefined && hubValue !== null && hubText === undefined) {
    throw new Error('context securityHubAutomation must be true or false');
  }
  if (hubText !== undefined && !['true', 'false'].includes(hubText)) {
    throw new Error(`context securityHubAutomation: '${hubText}' is not true or false`);
  }
  // Environment-agnostic: the stacks deploy to the account and Region of the credentials in use
  // (pick ONE Region: IAM is global).
  const common = {
    maximumExecutionFrequency: frequency,
    ...(logRetention !== undefined ? { logRetention } : {}),
    ...(packName !== undefined ? { packName } : {}),
    ...(emails ? { notifications: { emails } } : {}),
    ...(hubText === 'true' ? { securityHub: true } : {}),
  };

  // Account stack only: plain Config rules instead of the conformance pack (Security Hub findings).
  const deployment = text(app, CONTEXT.ruleDeployment);
  if (deployment !== undefined && !isRuleDeployment(deployment)) {
    throw new Error(
      `context ruleDeployment: '${deployment}' is not conformancePack or configRules`,
    );
  }
  const account = new MfaConfigRulesAccountStack(app, ACCOUNT_STACK_NAME, {
    ...common,
    ...(deployment ? { ruleDeployment: deployment } : {}),
  });

  const organizationId = text(app, CONTEXT.organizationId) ?? PLACEHOLDER_ORGANIZATION_ID;
  const callAs = (text(app, CONTEXT.callAs) ?? 'SELF') as CallAs;
  const targets = list(app, CONTEXT.targetOrganizationalUnitIds);
  const members = list(app, CONTEXT.memberAccountIds);
  const managementAccountId = text(app, CONTEXT.managementAccountId);
  const executionRoleName = text(app, CONTEXT.executionRoleName);
  const organization = new MfaConfigRulesOrganizationStack(app, ORGANIZATION_STACK_NAME, {
    ...common,
    organizationId,
    callAs,
    ...(targets ? { targetOrganizationalUnitIds: targets } : {}),
    ...(members ? { memberAccountIds: members } : {}),
    ...(managementAccountId ? { managementAccountId } : {}),
    ...(executionRoleName ? { executionRoleName } : {}),
  });
  if (organizationId === PLACEHOLDER_ORGANIZATION_ID) {
    Annotations.of(organization).addWarningV2(
      'mfa-config-rules:placeholderOrganizationId',
      `organizationId is the placeholder ${PLACEHOLDER_ORGANIZATION_ID}: deploy with -c organizationId=o-… (no role would ever be assumable).`,
    );
  }

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, account, organization };
}
