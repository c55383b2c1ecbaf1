/**
 * Builds the default app, configured from CDK context (cdk.json or `-c key=value`), with cdk-nag's
 * AwsSolutions and Serverless checks on everything (an unacknowledged finding is an error, and
 * errors fail `cdk synth`). `infra/app.ts` runs it; the tests build the same app.
 *
 * The account stack needs no context at all. The organization stack is built only when the user
 * gives `organizationId`: there is no placeholder (a pack deployed with one could never assume a
 * role), and a missing id must not stop anyone synthesizing or deploying the account stack.
 * `cdk synth MfaConfigRules-Organization` without it fails, and `infra/app.ts` says why.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { CallAs } from './organization-pack';
import { isRuleDeployment } from './plain-rules';
import { retentionDays } from './rule-function';
import {
  ACCOUNT_STACK_NAME,
  DEFAULT_EXECUTION_FREQUENCY,
  isExecutionFrequency,
  ORGANIZATION_STACK_NAME,
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
  reservedConcurrency: 'reservedConcurrency',
  notificationEmails: 'notificationEmails',
  securityHubAutomation: 'securityHubAutomation',
  ruleDeployment: 'ruleDeployment',
} as const;

/** Why the organization stack is absent, for `infra/app.ts` to print. */
export const ORGANIZATION_STACK_SKIPPED = `${ORGANIZATION_STACK_NAME} is not synthesized: it needs your organization's id, -c organizationId=o-… (aws organizations describe-organization --query Organization.Id). ${ACCOUNT_STACK_NAME} needs no context.`;

export interface MfaConfigRulesApp {
  app: App;
  account: MfaConfigRulesAccountStack;
  /** Absent when no `organizationId` was given. */
  organization: MfaConfigRulesOrganizationStack | undefined;
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
  const concurrencyText = text(app, CONTEXT.reservedConcurrency);
  const reservedConcurrency = concurrencyText === undefined ? undefined : Number(concurrencyText);
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
    ...(reservedConcurrency !== undefined ? { reservedConcurrency } : {}),
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

  const organizationId = text(app, CONTEXT.organizationId);
  let organization: MfaConfigRulesOrganizationStack | undefined;
  if (organizationId !== undefined) {
    const callAs = (text(app, CONTEXT.callAs) ?? 'SELF') as CallAs;
    const targets = list(app, CONTEXT.targetOrganizationalUnitIds);
    const members = list(app, CONTEXT.memberAccountIds);
    const managementAccountId = text(app, CONTEXT.managementAccountId);
    const executionRoleName = text(app, CONTEXT.executionRoleName);
    organization = new MfaConfigRulesOrganizationStack(app, ORGANIZATION_STACK_NAME, {
      ...common,
      organizationId,
      callAs,
      ...(targets ? { targetOrganizationalUnitIds: targets } : {}),
      ...(members ? { memberAccountIds: members } : {}),
      ...(managementAccountId ? { managementAccountId } : {}),
      ...(executionRoleName ? { executionRoleName } : {}),
    });
  }

  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );
  return { app, account, organization };
}
