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
import { EXEMPTION_SOURCES } from '../rules/runtime/exemption-source';
import { retentionDays } from './rule-function';
import {
  ACCOUNT_STACK_NAME,
  DEFAULT_EXECUTION_FREQUENCY,
  isExecutionFrequency,
  ORGANIZATION_STACK_NAME,
  type ExecutionFrequency,
} from './settings';
import { MfaConfigRulesAccountStack, MfaConfigRulesOrganizationStack } from './stacks';

/** Context keys the app reads (documented in docs/deploying.md, "Parameters"). */
export const CONTEXT = {
  organizationId: 'organizationId',
  targetOrganizationalUnitIds: 'targetOrganizationalUnitIds',
  memberAccountIds: 'memberAccountIds',
  expectedAccounts: 'expectedAccounts',
  callAs: 'callAs',
  managementAccountId: 'managementAccountId',
  executionRoleName: 'executionRoleName',
  maximumExecutionFrequency: 'maximumExecutionFrequency',
  logRetentionDays: 'logRetentionDays',
  packName: 'packName',
  reservedConcurrency: 'reservedConcurrency',
  notificationEmails: 'notificationEmails',
  securityHubAutomation: 'securityHubAutomation',
  securityHubAdministrator: 'securityHubAdministrator',
  ruleDeployment: 'ruleDeployment',
  exemptionSource: 'exemptionSource',
  accountExemptionSource: 'accountExemptionSource',
  exemptionWriterArns: 'exemptionWriterArns',
  freshness: 'freshness',
  reevaluationWindowSeconds: 'reevaluationWindowSeconds',
} as const;

/**
 * Context keys that are the CDK's, not ours: feature flags (`@aws-cdk/…`), what the CDK CLI sets
 * (`aws:cdk:…`), lookups cached in cdk.context.json (`availability-zones:account=…`) and
 * `acknowledged-issue-numbers` (`cdk acknowledge`).
 */
function isCdkContextKey(key: string): boolean {
  return key.startsWith('@') || key.includes(':') || key === 'acknowledged-issue-numbers';
}

/** Levenshtein distance, for "did you mean" (context keys are short). */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

/** The known key closest to `key`. */
export function closest(key: string, known: readonly string[]): string {
  let best = known[0] ?? '';
  for (const candidate of known) {
    if (editDistance(key, candidate) < editDistance(key, best)) best = candidate;
  }
  return best;
}

/**
 * Every context key given (cdk.json, cdk.context.json, `-c key=value`) must be one the app reads:
 * a misspelt key would otherwise be ignored and its stack deployed without it.
 */
export function checkContextKeys(app: App): void {
  const known = Object.values(CONTEXT) as string[];
  for (const key of Object.keys(app.node.getAllContext() as Record<string, unknown>)) {
    if (isCdkContextKey(key) || known.includes(key)) continue;
    throw new Error(
      `unknown context key '${key}': did you mean '${closest(key, known)}'? (the app reads: ${known.join(', ')})`,
    );
  }
}

/** `-c securityHubAutomation=…`: which stacks get Security Hub automation rules. */
const HUB_AUTOMATION = ['true', 'false', 'account', 'organization'] as const;

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

/** One of `values` (a boolean in cdk.json counts as its text). */
function choice<T extends string>(app: App, key: string, values: readonly T[]): T | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  const given =
    typeof value === 'boolean'
      ? String(value)
      : typeof value === 'string'
        ? value.trim()
        : undefined;
  if (given === undefined || !(values as readonly string[]).includes(given)) {
    throw new Error(
      `context ${key}: '${typeof value === 'string' ? value : JSON.stringify(value)}' is not ${values.join(', ').replace(/, ([^,]*)$/, ' or $1')}`,
    );
  }
  return given as T;
}

/** Creates both stacks in `app` (default: a new App reading cdk.json context). */
export function buildApp(app: App = new App()): MfaConfigRulesApp {
  checkContextKeys(app);
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
  const hub = choice(app, CONTEXT.securityHubAutomation, HUB_AUTOMATION) ?? 'false';
  const hubAdministrator = choice(app, CONTEXT.securityHubAdministrator, ['true', 'false']);
  // Environment-agnostic: the stacks deploy to the account and Region of the credentials in use
  // (pick ONE Region: IAM is global).
  // The event path (issue 22): 'events' (default) or 'schedule'; its debounce window.
  const freshness = choice(app, CONTEXT.freshness, ['events', 'schedule'] as const);
  const windowText = text(app, CONTEXT.reevaluationWindowSeconds);
  const common = {
    ...(freshness ? { freshness } : {}),
    ...(windowText !== undefined ? { reevaluationWindowSeconds: Number(windowText) } : {}),
    maximumExecutionFrequency: frequency,
    ...(logRetention !== undefined ? { logRetention } : {}),
    ...(packName !== undefined ? { packName } : {}),
    ...(reservedConcurrency !== undefined ? { reservedConcurrency } : {}),
    ...(emails ? { notifications: { emails } } : {}),
  };

  // Plain Config rules instead of the conformance pack (Security Hub findings), both stacks.
  const deployment = text(app, CONTEXT.ruleDeployment);
  if (deployment !== undefined && !isRuleDeployment(deployment)) {
    throw new Error(
      `context ruleDeployment: '${deployment}' is not conformancePack or configRules`,
    );
  }
  // Exemptions: the organization stack's source (default registry) and the account stack's
  // (default tags); the registry's writers go to whichever stack creates a registry.
  const orgSource = choice(app, CONTEXT.exemptionSource, EXEMPTION_SOURCES);
  const accountSource = choice(app, CONTEXT.accountExemptionSource, EXEMPTION_SOURCES);
  const writers = list(app, CONTEXT.exemptionWriterArns);
  const account = new MfaConfigRulesAccountStack(app, ACCOUNT_STACK_NAME, {
    ...common,
    ...(accountSource ? { exemptionSource: accountSource } : {}),
    ...(writers && accountSource && accountSource !== 'tags'
      ? { exemptionWriterArns: writers }
      : {}),
    ...(deployment ? { ruleDeployment: deployment } : {}),
    ...(hub === 'true' || hub === 'account' ? { securityHub: true } : {}),
  });

  const organizationId = text(app, CONTEXT.organizationId);
  let organization: MfaConfigRulesOrganizationStack | undefined;
  if (organizationId !== undefined) {
    const callAs = (text(app, CONTEXT.callAs) ?? 'SELF') as CallAs;
    const targets = list(app, CONTEXT.targetOrganizationalUnitIds);
    const members = list(app, CONTEXT.memberAccountIds);
    const managementAccountId = text(app, CONTEXT.managementAccountId);
    const executionRoleName = text(app, CONTEXT.executionRoleName);
    const expectedText = text(app, CONTEXT.expectedAccounts);
    const orgHub = hub === 'true' || hub === 'organization';
    if (orgHub && hubAdministrator !== 'true') {
      throw new Error(
        `context securityHubAutomation=${hub}: the organization stack can create Security Hub automation rules only in the Security Hub administrator account (a refused create rolls the whole stack back): add -c securityHubAdministrator=true if this account is the administrator, or use -c securityHubAutomation=account for the account stack only`,
      );
    }
    organization = new MfaConfigRulesOrganizationStack(app, ORGANIZATION_STACK_NAME, {
      ...common,
      organizationId,
      callAs,
      ...(targets ? { targetOrganizationalUnitIds: targets } : {}),
      ...(members ? { memberAccountIds: members } : {}),
      ...(managementAccountId ? { managementAccountId } : {}),
      ...(executionRoleName ? { executionRoleName } : {}),
      ...(expectedText !== undefined ? { expectedAccounts: Number(expectedText) } : {}),
      ...(deployment ? { ruleDeployment: deployment } : {}),
      ...(orgHub ? { securityHub: true, securityHubAdministrator: true } : {}),
      ...(orgSource ? { exemptionSource: orgSource } : {}),
      ...(writers && orgSource !== 'tags' ? { exemptionWriterArns: writers } : {}),
    });
  }

  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );
  return { app, account, organization };
}
