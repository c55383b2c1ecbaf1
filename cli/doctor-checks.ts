/**
 * The checks of `mfa-config-rules doctor`: read-only preflight of the account and Region it runs in
 * (and of the organization with `--organization`), before and after deployment (`--deployed`).
 * Each check reads what it needs, says what it read and, when it fails, what to do. A check that
 * cannot read what it needs fails (it never passes on data it could not load).
 *
 * Every call is a Describe/Get/List, except IAM GenerateCredentialReport, which the issue asks for
 * (whether the rules' report can be generated) and which only starts a report IAM makes anyway.
 */
import {
  DescribeConfigRuleEvaluationStatusCommand,
  DescribeConfigRulesCommand,
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
  DescribeDeliveryChannelsCommand,
  DescribeAggregateComplianceByConfigRulesCommand,
  GetComplianceDetailsByConfigRuleCommand,
  type ConfigRule,
  type ConfigServiceClient,
  type ConfigurationRecorder,
} from '@aws-sdk/client-config-service';
import { GenerateCredentialReportCommand, type IAMClient } from '@aws-sdk/client-iam';
import {
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  GetPolicyCommand,
  ListFunctionsCommand,
  type FunctionConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import {
  DescribeOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  ListAccountsForParentCommand,
  ListAWSServiceAccessForOrganizationCommand,
  ListDelegatedAdministratorsCommand,
  ListOrganizationalUnitsForParentCommand,
  type ListOrganizationalUnitsForParentCommandOutput,
  ListRootsCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  DescribeHubCommand,
  GetAdministratorAccountCommand,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { RULE_METADATA } from '../rules/catalog';
import { describeError, errorName } from '../rules/runtime/errors';
import { isRuleName } from '../rules/runtime/rule-name';
import type { RuleMetadata } from '../rules/runtime/types';
import {
  reservationPlan,
  UNRESERVED_CONCURRENCY_MINIMUM,
  type ReservationPlan,
} from '../infra/settings';

export type CheckStatus = 'pass' | 'fail' | 'warn';

export interface CheckResult {
  /** Stable id (`config-recorder`, `lambda-concurrency`, …) for scripts reading `--output json`. */
  id: string;
  title: string;
  status: CheckStatus;
  /** What was read, and what it showed. */
  read: string;
  /** What to do (failures and warnings). */
  fix?: string;
}

export interface DoctorClients {
  config: ConfigServiceClient;
  /** Config in another Region (the global-resources check reads every Region that can record them). */
  configIn: (region: string) => ConfigServiceClient;
  iam: IAMClient;
  lambda: LambdaClient;
  securityHub: SecurityHubClient;
  organizations: OrganizationsClient;
}

export interface DoctorOptions {
  organization: boolean;
  deployed: boolean;
  ruleDeployment: 'conformancePack' | 'configRules';
  /** Each function's reserved concurrency, as the stack is told (`-c reservedConcurrency`). */
  reservedConcurrency?: number;
  /** The accounts the organization stack sizes its reservation for (`-c expectedAccounts`). */
  expectedAccounts?: number;
  /** The stack creates Security Hub automation rules (`-c securityHubAutomation`). */
  securityHubAutomation: boolean;
  organizationId?: string;
  targetOuIds?: readonly string[];
  /** Config aggregator holding the organization's results (`--deployed --organization`). */
  aggregator?: string;
  rules?: readonly RuleMetadata[];
}

export interface DoctorContext {
  accountId: string;
  region: string;
  clients: DoctorClients;
  options: DoctorOptions;
}

const IAM_USER = 'AWS::IAM::User';

/**
 * Regions whose AWS Config can record IAM global resource types: those where AWS Config existed
 * before February 2022 ("Regions added after February 2022 cannot record global IAM resource
 * types": AWS Config Developer Guide, "Recording global resource types",
 * https://docs.aws.amazon.com/config/latest/developerguide/select-resources.html).
 */
export const GLOBAL_RECORDING_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ca-central-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-north-1',
  'eu-south-1',
  'me-south-1',
  'sa-east-1',
] as const;

const pass = (id: string, title: string, read: string): CheckResult => ({
  id,
  title,
  status: 'pass',
  read,
});
const fail = (id: string, title: string, read: string, fix: string): CheckResult => ({
  id,
  title,
  status: 'fail',
  read,
  fix,
});
const warn = (id: string, title: string, read: string, fix: string): CheckResult => ({
  id,
  title,
  status: 'warn',
  read,
  fix,
});

/** Runs `read`; a failure to read is a failed check naming the call and the error. */
async function guarded(
  id: string,
  title: string,
  call: string,
  read: () => Promise<CheckResult | CheckResult[]>,
  fix = 'give the credentials read access to it (or run doctor where they have it) and run doctor again',
): Promise<CheckResult[]> {
  try {
    const result = await read();
    return Array.isArray(result) ? result : [result];
  } catch (error) {
    return [fail(id, title, `could not read ${call}: ${describeError(error)}`, fix)];
  }
}

// ------------------------------------------------------------------------------- AWS Config

/** Whether a recorder records AWS::IAM::User; `undefined` when its settings are not ones we know. */
export function recordsIamUsers(recorder: ConfigurationRecorder): boolean | undefined {
  const group = recorder.recordingGroup;
  if (!group) return true; // no group: the console's default, every supported type, globals included
  const strategy = group.recordingStrategy?.useOnly;
  if (strategy === 'EXCLUSION_BY_RESOURCE_TYPES') {
    return !(group.exclusionByResourceTypes?.resourceTypes ?? []).includes(IAM_USER);
  }
  if (strategy === 'INCLUSION_BY_RESOURCE_TYPES') {
    return (group.resourceTypes ?? []).includes(IAM_USER);
  }
  if (group.allSupported === true) return group.includeGlobalResourceTypes === true;
  if (group.allSupported === false) return (group.resourceTypes ?? []).includes(IAM_USER);
  return undefined;
}

async function recorderChecks(ctx: DoctorContext): Promise<CheckResult[]> {
  const config = ctx.clients.config;
  const where = `${ctx.accountId} ${ctx.region}`;
  return guarded(
    'config-recorder',
    'AWS Config recorder records',
    'config:DescribeConfigurationRecorders',
    async () => {
      const recorders =
        (await config.send(new DescribeConfigurationRecordersCommand({}))).ConfigurationRecorders ??
        [];
      const own = recorders.filter((r) => !r.servicePrincipal); // service-linked recorders are not ours to use
      const start = `aws configservice put-configuration-recorder --configuration-recorder name=default,roleARN=arn:aws:iam::${ctx.accountId}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig --recording-group allSupported=true,includeGlobalResourceTypes=true --region ${ctx.region}; then put-delivery-channel and start-configuration-recorder --configuration-recorder-name default`;
      const recorder = own[0];
      if (!recorder?.name) {
        return [
          fail(
            'config-recorder',
            'AWS Config recorder records',
            `DescribeConfigurationRecorders in ${where}: no configuration recorder`,
            `create and start one: ${start}`,
          ),
          fail(
            'config-records-iam-users',
            `AWS Config records ${IAM_USER}`,
            'no configuration recorder',
            'create the recorder (above) with global resource types',
          ),
        ];
      }
      const status = (
        await config.send(
          new DescribeConfigurationRecorderStatusCommand({
            ConfigurationRecorderNames: [recorder.name],
          }),
        )
      ).ConfigurationRecordersStatus?.[0];
      const results: CheckResult[] = [
        status?.recording === true
          ? pass(
              'config-recorder',
              'AWS Config recorder records',
              `recorder '${recorder.name}' in ${where} is recording (last status ${status.lastStatus ?? 'unknown'})`,
            )
          : fail(
              'config-recorder',
              'AWS Config recorder records',
              `recorder '${recorder.name}' in ${where} exists but is not recording`,
              `aws configservice start-configuration-recorder --configuration-recorder-name ${recorder.name} --region ${ctx.region}`,
            ),
      ];
      const iam = recordsIamUsers(recorder);
      results.push(
        iam === true
          ? pass(
              'config-records-iam-users',
              `AWS Config records ${IAM_USER}`,
              `recorder '${recorder.name}' records ${IAM_USER} (change-triggered evaluation of the user rules)`,
            )
          : fail(
              'config-records-iam-users',
              `AWS Config records ${IAM_USER}`,
              iam === false
                ? `recorder '${recorder.name}' does not record ${IAM_USER}: the user rules run only periodically, never on a user change`
                : `recorder '${recorder.name}' has a recording group doctor does not recognise: ${JSON.stringify(recorder.recordingGroup)}`,
              `record ${IAM_USER} in this Region: aws configservice put-configuration-recorder --configuration-recorder name=${recorder.name},roleARN=${recorder.roleARN ?? '<role>'} --recording-group allSupported=true,includeGlobalResourceTypes=true --region ${ctx.region}`,
            ),
      );
      return results;
    },
  );
}

/** IAM is global: exactly one Region should record it (each recording Region bills every change). */
async function globalRegionCheck(ctx: DoctorContext): Promise<CheckResult[]> {
  const id = 'config-global-one-region';
  const title = 'IAM global resources recorded in exactly this Region';
  return guarded(id, title, 'config:DescribeConfigurationRecorders in each Region', async () => {
    const regions = [...new Set([ctx.region, ...GLOBAL_RECORDING_REGIONS])];
    const seen = await Promise.all(
      regions.map(async (region) => {
        try {
          const out = await ctx.clients
            .configIn(region)
            .send(new DescribeConfigurationRecordersCommand({}));
          const records = (out.ConfigurationRecorders ?? []).some(
            (r) => !r.servicePrincipal && recordsIamUsers(r) === true,
          );
          return { region, records, error: undefined as string | undefined };
        } catch (error) {
          // An opt-in Region that is not enabled refuses the credentials: nothing records there.
          if (
            /UnrecognizedClient|InvalidClientTokenId|AuthFailure|OptInRequired/.test(
              errorName(error) ?? '',
            )
          ) {
            return { region, records: false, error: undefined };
          }
          return { region, records: false, error: describeError(error) };
        }
      }),
    );
    const unread = seen.filter((s) => s.error);
    if (unread.length > 0) {
      return fail(
        id,
        title,
        `could not read ${unread.map((s) => `${s.region} (${s.error ?? ''})`).join(', ')}`,
        'give the credentials config:DescribeConfigurationRecorders in every Region and run doctor again',
      );
    }
    const recording = seen.filter((s) => s.records).map((s) => s.region);
    const others = recording.filter((r) => r !== ctx.region);
    if (!recording.includes(ctx.region)) {
      return fail(
        id,
        title,
        `read ${String(regions.length)} Regions: IAM users recorded in ${recording.join(', ') || 'none'}, not in ${ctx.region}`,
        `deploy in a Region that records them (${recording.join(', ') || 'record them in this one, see config-records-iam-users'})`,
      );
    }
    if (others.length > 0) {
      return fail(
        id,
        title,
        `read ${String(regions.length)} Regions: IAM users are also recorded in ${others.join(', ')}`,
        `record global resource types in ${ctx.region} only (includeGlobalResourceTypes=false elsewhere): each recording Region records, and bills, every IAM change again`,
      );
    }
    return pass(
      id,
      title,
      `read ${String(regions.length)} Regions that can record IAM: only ${ctx.region} records it`,
    );
  });
}

async function deliveryChannelCheck(ctx: DoctorContext): Promise<CheckResult[]> {
  const id = 'config-delivery-channel';
  const title = 'AWS Config delivery channel';
  return guarded(id, title, 'config:DescribeDeliveryChannels', async () => {
    const channels =
      (await ctx.clients.config.send(new DescribeDeliveryChannelsCommand({}))).DeliveryChannels ??
      [];
    const channel = channels[0];
    return channel
      ? pass(
          id,
          title,
          `delivery channel '${channel.name ?? ''}' to s3://${channel.s3BucketName ?? '?'}`,
        )
      : fail(
          id,
          title,
          `DescribeDeliveryChannels in ${ctx.region}: none (a recorder cannot start without one)`,
          `aws configservice put-delivery-channel --delivery-channel name=default,s3BucketName=<bucket> --region ${ctx.region}`,
        );
  });
}

// ------------------------------------------------------------------------------- Lambda

/** The deployed rule functions of this account: their description starts `AWS Config rule <name>:`. */
async function ruleFunctions(lambda: LambdaClient): Promise<Map<string, FunctionConfiguration>> {
  const found = new Map<string, FunctionConfiguration>();
  let marker: string | undefined;
  do {
    const page = await lambda.send(
      new ListFunctionsCommand({ ...(marker ? { Marker: marker } : {}) }),
    );
    for (const fn of page.Functions ?? []) {
      const rule = RULE_METADATA.find((r) =>
        fn.Description?.startsWith(`AWS Config rule ${r.name}:`),
      );
      if (rule) found.set(rule.name, fn);
    }
    marker = page.NextMarker;
  } while (marker);
  return found;
}

export function plannedReservation(
  options: DoctorOptions,
  rules: readonly RuleMetadata[],
): ReservationPlan {
  return reservationPlan(rules, {
    ...(options.reservedConcurrency !== undefined
      ? { perFunction: options.reservedConcurrency }
      : {}),
    ...(options.organization && options.expectedAccounts !== undefined
      ? { expectedAccounts: options.expectedAccounts }
      : {}),
  });
}

async function concurrencyCheck(
  ctx: DoctorContext,
  rules: readonly RuleMetadata[],
): Promise<CheckResult[]> {
  const id = 'lambda-concurrency';
  const title = 'Lambda concurrency for the reservation';
  return guarded(id, title, 'lambda:GetAccountSettings', async () => {
    const plan = plannedReservation(ctx.options, rules);
    const limit = (await ctx.clients.lambda.send(new GetAccountSettingsCommand({}))).AccountLimit;
    const quota = limit?.ConcurrentExecutions;
    const unreserved = limit?.UnreservedConcurrentExecutions;
    if (quota === undefined || unreserved === undefined) {
      return fail(
        id,
        title,
        'GetAccountSettings returned no AccountLimit',
        'run doctor again; check the Lambda console (Concurrency)',
      );
    }
    // Reservations the rule functions already hold come back when the stack replaces them.
    let held = 0;
    for (const fn of (await ruleFunctions(ctx.clients.lambda)).values()) {
      const out = await ctx.clients.lambda.send(
        new GetFunctionConcurrencyCommand({ FunctionName: fn.FunctionName }),
      );
      held += out.ReservedConcurrentExecutions ?? 0;
    }
    const read = `account quota ${String(quota)}, unreserved ${String(unreserved)}${held ? ` (the deployed rule functions hold ${String(held)})` : ''}; the stack reserves ${String(plan.total)}`;
    if (plan.total === 0) return pass(id, title, `${read}: nothing reserved, any quota works`);
    const left = unreserved + held - plan.total;
    if (left >= UNRESERVED_CONCURRENCY_MINIMUM) {
      return pass(
        id,
        title,
        `${read}: ${String(left)} stay unreserved (Lambda needs ${String(UNRESERVED_CONCURRENCY_MINIMUM)})`,
      );
    }
    const needed = quota + (UNRESERVED_CONCURRENCY_MINIMUM - left);
    return fail(
      id,
      title,
      `${read}: only ${String(left)} would stay unreserved, Lambda refuses below ${String(UNRESERVED_CONCURRENCY_MINIMUM)} ("decreases account's UnreservedConcurrentExecution below its minimum value")`,
      `ask for a Lambda "Concurrent executions" quota of at least ${String(needed)} (aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value ${String(needed)} --region ${ctx.region}), or deploy with a smaller reservation (-c expectedAccounts / -c reservedConcurrency; the account stack reserves none by default)`,
    );
  });
}

// ------------------------------------------------------------------------------- Security Hub, IAM

async function securityHubCheck(ctx: DoctorContext): Promise<CheckResult[]> {
  const id = 'security-hub';
  const title = 'Security Hub';
  const wanted = ctx.options.securityHubAutomation;
  return guarded(id, title, 'securityhub:DescribeHub', async () => {
    try {
      await ctx.clients.securityHub.send(new DescribeHubCommand({}));
    } catch (error) {
      if (errorName(error) !== 'InvalidAccessException') throw error;
      const read = `not enabled in ${ctx.accountId} ${ctx.region}`;
      const fix = `aws securityhub enable-security-hub --region ${ctx.region} (Config findings of plain rules reach it; automation rules need it)`;
      return wanted
        ? fail(id, title, read, fix)
        : warn(id, title, `${read}: the rules' results stay in AWS Config`, fix);
    }
    const admin = (await ctx.clients.securityHub.send(new GetAdministratorAccountCommand({})))
      .Administrator;
    const administrator = admin?.AccountId;
    const isAdministrator = administrator === undefined || administrator === ctx.accountId;
    const read = `enabled; ${administrator === undefined ? 'no administrator account: this account is its own' : administrator === ctx.accountId ? 'this account is the administrator' : `administrator is ${administrator}`}`;
    if (wanted && !isAdministrator) {
      return fail(
        id,
        title,
        `${read}: automation rules can be created only by the administrator account`,
        `deploy without securityHubAutomation here and create the automation rules in ${administrator} (docs/security-hub.md)`,
      );
    }
    if (ctx.options.ruleDeployment !== 'configRules') {
      return warn(
        id,
        title,
        `${read}; rules deployed as a conformance pack are service-linked, and AWS documents that Security Hub does not receive their evaluations`,
        'deploy with -c ruleDeployment=configRules for Security Hub findings',
      );
    }
    return pass(id, title, read);
  });
}

async function credentialReportCheck(ctx: DoctorContext): Promise<CheckResult[]> {
  const id = 'iam-credential-report';
  const title = 'IAM credential report can be generated';
  return guarded(
    id,
    title,
    'iam:GenerateCredentialReport',
    async () => {
      const out = await ctx.clients.iam.send(new GenerateCredentialReportCommand({}));
      return pass(id, title, `GenerateCredentialReport: ${out.State ?? 'unknown state'}`);
    },
    'allow iam:GenerateCredentialReport (the user rules call it through their own role or the execution role)',
  );
}

// ------------------------------------------------------------------------------- Organization

const CONFIG_PRINCIPAL = 'config-multiaccountsetup.amazonaws.com';
const STACKSETS_PRINCIPAL = 'member.org.stacksets.cloudformation.amazonaws.com';

interface OrganizationFacts {
  id: string;
  managementAccountId: string;
}

async function describeOrganization(ctx: DoctorContext): Promise<OrganizationFacts> {
  const org = (await ctx.clients.organizations.send(new DescribeOrganizationCommand({})))
    .Organization;
  if (!org?.Id || !org.MasterAccountId)
    throw new Error('DescribeOrganization returned no organization');
  return { id: org.Id, managementAccountId: org.MasterAccountId };
}

async function organizationChecks(ctx: DoctorContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let facts: OrganizationFacts | undefined;
  results.push(
    ...(await guarded(
      'org-organization',
      'Organization',
      'organizations:DescribeOrganization',
      async () => {
        facts = await describeOrganization(ctx);
        const given = ctx.options.organizationId;
        if (given && given !== facts.id) {
          return fail(
            'org-organization',
            'Organization',
            `this account belongs to ${facts.id}, not ${given}`,
            `deploy with -c organizationId=${facts.id}`,
          );
        }
        return pass(
          'org-organization',
          'Organization',
          `${facts.id}, management account ${facts.managementAccountId}`,
        );
      },
      'run doctor with credentials of the management account or of a delegated administrator',
    )),
  );
  results.push(
    ...(await guarded(
      'org-trusted-access',
      'Trusted access for AWS Config and StackSets',
      'organizations:ListAWSServiceAccessForOrganization',
      async () => {
        const enabled = new Set<string>();
        let token: string | undefined;
        do {
          const page = await ctx.clients.organizations.send(
            new ListAWSServiceAccessForOrganizationCommand({
              ...(token ? { NextToken: token } : {}),
            }),
          );
          for (const s of page.EnabledServicePrincipals ?? [])
            if (s.ServicePrincipal) enabled.add(s.ServicePrincipal);
          token = page.NextToken;
        } while (token);
        const missing = [CONFIG_PRINCIPAL, STACKSETS_PRINCIPAL].filter((p) => !enabled.has(p));
        return missing.length === 0
          ? pass(
              'org-trusted-access',
              'Trusted access for AWS Config and StackSets',
              `enabled for ${CONFIG_PRINCIPAL} and ${STACKSETS_PRINCIPAL}`,
            )
          : fail(
              'org-trusted-access',
              'Trusted access for AWS Config and StackSets',
              `not enabled for ${missing.join(', ')}`,
              missing
                .map((p) => `aws organizations enable-aws-service-access --service-principal ${p}`)
                .join('; ') + ' (from the management account)',
            );
      },
      'run doctor from the management account or a delegated administrator',
    )),
  );
  const org = facts;
  if (org) {
    results.push(
      ...(await guarded(
        'org-caller',
        'This account may deploy the organization stack',
        'organizations:ListDelegatedAdministrators',
        async () => {
          const title = 'This account may deploy the organization stack';
          if (org.managementAccountId === ctx.accountId) {
            return pass('org-caller', title, 'this is the management account (callAs SELF)');
          }
          const missing: string[] = [];
          for (const principal of [CONFIG_PRINCIPAL, STACKSETS_PRINCIPAL]) {
            const admins =
              (
                await ctx.clients.organizations.send(
                  new ListDelegatedAdministratorsCommand({ ServicePrincipal: principal }),
                )
              ).DelegatedAdministrators ?? [];
            if (!admins.some((a) => a.Id === ctx.accountId)) missing.push(principal);
          }
          return missing.length === 0
            ? pass(
                'org-caller',
                title,
                `delegated administrator for ${CONFIG_PRINCIPAL} and ${STACKSETS_PRINCIPAL} (deploy with -c callAs=DELEGATED_ADMIN -c managementAccountId=${org.managementAccountId})`,
              )
            : fail(
                'org-caller',
                title,
                `neither the management account (${org.managementAccountId}) nor a delegated administrator for ${missing.join(', ')}`,
                missing
                  .map(
                    (p) =>
                      `aws organizations register-delegated-administrator --account-id ${ctx.accountId} --service-principal ${p}`,
                  )
                  .join('; ') + ' (from the management account)',
              );
        },
      )),
    );
  }
  const targets = ctx.options.targetOuIds ?? [];
  if (targets.length > 0) {
    results.push(
      ...(await guarded(
        'org-targets',
        'Target OUs exist',
        'organizations:DescribeOrganizationalUnit / ListRoots',
        async () => {
          const roots = new Set(
            ((await ctx.clients.organizations.send(new ListRootsCommand({}))).Roots ?? []).map(
              (r) => r.Id,
            ),
          );
          const unknown: string[] = [];
          for (const target of targets) {
            if (target.startsWith('r-')) {
              if (!roots.has(target)) unknown.push(target);
              continue;
            }
            try {
              await ctx.clients.organizations.send(
                new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: target }),
              );
            } catch (error) {
              if (!/OrganizationalUnitNotFound|InvalidInput/.test(errorName(error) ?? ''))
                throw error;
              unknown.push(target);
            }
          }
          return unknown.length === 0
            ? pass('org-targets', 'Target OUs exist', `${targets.join(', ')} exist`)
            : fail(
                'org-targets',
                'Target OUs exist',
                `not in the organization: ${unknown.join(', ')}`,
                `deploy with -c targetOrganizationalUnitIds= the ids of aws organizations list-roots / list-organizational-units-for-parent (${[...roots].join(', ')} is the root)`,
              );
        },
      )),
    );
  }
  return results;
}

/** The ACTIVE accounts under the target OUs (default: the whole organization), recursively. */
async function accountsInScope(ctx: DoctorContext, org: OrganizationFacts): Promise<Set<string>> {
  const organizations = ctx.clients.organizations;
  const parents = [...(ctx.options.targetOuIds ?? [])];
  if (parents.length === 0) {
    for (const root of (await organizations.send(new ListRootsCommand({}))).Roots ?? []) {
      if (root.Id) parents.push(root.Id);
    }
  }
  const accounts = new Set<string>();
  while (parents.length > 0) {
    const parent = parents.pop() ?? '';
    let token: string | undefined;
    do {
      const page = await organizations.send(
        new ListAccountsForParentCommand({
          ParentId: parent,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      for (const account of page.Accounts ?? []) {
        if (account.Id && (account.Status ?? 'ACTIVE') === 'ACTIVE') accounts.add(account.Id);
      }
      token = page.NextToken;
    } while (token);
    token = undefined;
    do {
      const page: ListOrganizationalUnitsForParentCommandOutput = await organizations.send(
        new ListOrganizationalUnitsForParentCommand({
          ParentId: parent,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      for (const ou of page.OrganizationalUnits ?? []) if (ou.Id) parents.push(ou.Id);
      token = page.NextToken;
    } while (token);
  }
  // From a delegated administrator the management account is excluded (the account stack covers it).
  if (org.managementAccountId !== ctx.accountId) accounts.delete(org.managementAccountId);
  accounts.add(ctx.accountId);
  return accounts;
}

// ------------------------------------------------------------------------------- Deployed

async function describeRules(config: ConfigServiceClient): Promise<ConfigRule[]> {
  const rules: ConfigRule[] = [];
  let token: string | undefined;
  do {
    const page = await config.send(
      new DescribeConfigRulesCommand({ ...(token ? { NextToken: token } : {}) }),
    );
    rules.push(...(page.ConfigRules ?? []));
    token = page.NextToken;
  } while (token);
  return rules;
}

async function deployedChecks(
  ctx: DoctorContext,
  rules: readonly RuleMetadata[],
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let found = new Map<string, string>();
  results.push(
    ...(await guarded(
      'rules-exist',
      'Every rule is deployed here',
      'config:DescribeConfigRules',
      async () => {
        const deployed = await describeRules(ctx.clients.config);
        found = new Map();
        for (const rule of rules) {
          const match = deployed.find(
            (d) => d.ConfigRuleName && isRuleName(d.ConfigRuleName, rule.name),
          );
          if (match?.ConfigRuleName) found.set(rule.name, match.ConfigRuleName);
        }
        const missing = rules.filter((r) => !found.has(r.name)).map((r) => r.name);
        return missing.length === 0
          ? pass('rules-exist', 'Every rule is deployed here', [...found.values()].join(', '))
          : fail(
              'rules-exist',
              'Every rule is deployed here',
              `no Config rule for ${missing.join(', ')} in ${ctx.accountId} ${ctx.region}`,
              'deploy the stack in this account and Region (npx cdk deploy …), or run doctor where it is deployed',
            );
      },
    )),
  );
  if (found.size > 0) {
    results.push(
      ...(await guarded(
        'rules-last-invocation',
        "Each rule's last invocation succeeded",
        'config:DescribeConfigRuleEvaluationStatus',
        async () => {
          const statuses =
            (
              await ctx.clients.config.send(
                new DescribeConfigRuleEvaluationStatusCommand({
                  ConfigRuleNames: [...found.values()],
                }),
              )
            ).ConfigRulesEvaluationStatus ?? [];
          const title = "Each rule's last invocation succeeded";
          const failed: string[] = [];
          const never: string[] = [];
          for (const name of found.values()) {
            const s = statuses.find((x) => x.ConfigRuleName === name);
            const ok = s?.LastSuccessfulInvocationTime?.getTime();
            const bad = s?.LastFailedInvocationTime?.getTime();
            if (bad !== undefined && (ok === undefined || bad > ok)) {
              failed.push(
                `${name} (${s?.LastErrorCode ?? 'error'}: ${s?.LastErrorMessage ?? 'no message'})`,
              );
            } else if (ok === undefined) never.push(name);
          }
          if (failed.length > 0) {
            return fail(
              'rules-last-invocation',
              title,
              `last invocation failed: ${failed.join('; ')}`,
              "read the function's log group and its failure queue (docs/operating.md), fix the cause, then aws configservice start-config-rules-evaluation --config-rule-names <rule>",
            );
          }
          if (never.length > 0) {
            return warn(
              'rules-last-invocation',
              title,
              `not invoked yet: ${never.join(', ')}`,
              `wait for the first periodic run, or aws configservice start-config-rules-evaluation --config-rule-names ${never.join(' ')}`,
            );
          }
          return pass(
            'rules-last-invocation',
            title,
            `last invocation succeeded for ${[...found.values()].join(', ')}`,
          );
        },
      )),
    );
  }
  if (!ctx.options.organization) {
    if (found.size > 0) {
      results.push(
        ...(await guarded(
          'results',
          'This account has results',
          'config:GetComplianceDetailsByConfigRule',
          async () => {
            const empty: string[] = [];
            for (const name of found.values()) {
              const out = await ctx.clients.config.send(
                new GetComplianceDetailsByConfigRuleCommand({
                  ConfigRuleName: name,
                  Limit: 1,
                  ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'],
                }),
              );
              if ((out.EvaluationResults ?? []).length === 0) empty.push(name);
            }
            return empty.length === 0
              ? pass(
                  'results',
                  'This account has results',
                  `every rule has results in ${ctx.accountId}`,
                )
              : fail(
                  'results',
                  'This account has results',
                  `no results yet for ${empty.join(', ')}`,
                  'see rules-last-invocation; a first run can take until the next periodic run',
                );
          },
        )),
      );
    }
    return results;
  }
  return [...results, ...(await organizationResults(ctx, rules))];
}

/** `--deployed --organization`: every account in scope can invoke the functions and has results. */
async function organizationResults(
  ctx: DoctorContext,
  rules: readonly RuleMetadata[],
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let org: OrganizationFacts | undefined;
  let scope: Set<string> | undefined;
  results.push(
    ...(await guarded(
      'org-invoke-permissions',
      'Every account in scope may invoke the functions',
      'organizations:ListAccountsForParent, lambda:GetPolicy',
      async () => {
        const title = 'Every account in scope may invoke the functions';
        org = await describeOrganization(ctx);
        scope = await accountsInScope(ctx, org);
        const functions = await ruleFunctions(ctx.clients.lambda);
        const refused = new Set<string>();
        for (const rule of rules) {
          const fn = functions.get(rule.name);
          if (!fn?.FunctionName) {
            return fail(
              'org-invoke-permissions',
              title,
              `no function of ${rule.name} in ${ctx.accountId} ${ctx.region}`,
              'run doctor in the central account and Region of the organization stack',
            );
          }
          const policy = JSON.parse(
            (await ctx.clients.lambda.send(new GetPolicyCommand({ FunctionName: fn.FunctionName })))
              .Policy ?? '{}',
          ) as {
            Statement?: {
              Principal?: { Service?: string };
              Condition?: Record<string, Record<string, string>>;
            }[];
          };
          const config = (policy.Statement ?? []).filter(
            (s) => s.Principal?.Service === 'config.amazonaws.com',
          );
          const sources = config.map(
            (s) =>
              s.Condition?.StringEquals?.['AWS:SourceAccount'] ??
              s.Condition?.StringEquals?.['aws:SourceAccount'],
          );
          if (sources.some((s) => s === undefined)) continue; // a permission for any account covers all
          for (const account of scope) if (!sources.includes(account)) refused.add(account);
        }
        return refused.size === 0
          ? pass(
              'org-invoke-permissions',
              title,
              `${String(scope.size)} accounts in scope; each function's policy admits them`,
            )
          : fail(
              'org-invoke-permissions',
              title,
              `AWS Config of ${[...refused].sort().join(', ')} may not invoke the functions (not in memberAccountIds): their rules fail in the member and nothing arrives centrally`,
              'add them to -c memberAccountIds and redeploy (or omit memberAccountIds: docs/security-model.md, Who may invoke the functions)',
            );
      },
    )),
  );
  const aggregator = ctx.options.aggregator;
  if (!aggregator) {
    results.push(
      warn(
        'org-results',
        'Every account in scope has results',
        "not checked: the central account reads members' results through an AWS Config aggregator",
        'give --aggregator NAME (an organization aggregator in this account and Region)',
      ),
    );
    return results;
  }
  results.push(
    ...(await guarded(
      'org-results',
      'Every account in scope has results',
      'config:DescribeAggregateComplianceByConfigRules',
      async () => {
        const title = 'Every account in scope has results';
        org ??= await describeOrganization(ctx);
        scope ??= await accountsInScope(ctx, org);
        const withResults = new Set<string>();
        let token: string | undefined;
        do {
          const page = await ctx.clients.config.send(
            new DescribeAggregateComplianceByConfigRulesCommand({
              ConfigurationAggregatorName: aggregator,
              Filters: { AwsRegion: ctx.region },
              Limit: 1000,
              ...(token ? { NextToken: token } : {}),
            }),
          );
          for (const item of page.AggregateComplianceByConfigRules ?? []) {
            const name = item.ConfigRuleName ?? '';
            const ours = rules.some((r) => isRuleName(name, r.name));
            const type = item.Compliance?.ComplianceType;
            if (ours && item.AccountId && (type === 'COMPLIANT' || type === 'NON_COMPLIANT'))
              withResults.add(item.AccountId);
          }
          token = page.NextToken;
        } while (token);
        const none = [...scope].filter((a) => !withResults.has(a)).sort();
        return none.length === 0
          ? pass(
              'org-results',
              title,
              `all ${String(scope.size)} accounts in scope have results in aggregator '${aggregator}' (${ctx.region})`,
            )
          : fail(
              'org-results',
              title,
              `${String(none.length)} of ${String(scope.size)} accounts in scope have no results in aggregator '${aggregator}' (${ctx.region}): ${none.join(', ')} (an account whose every verdict is NOT_APPLICABLE is listed too: aggregators report it as INSUFFICIENT_DATA)`,
              "in each: is the StackSet instance there (aws cloudformation list-stack-instances), a recorder recording, and may its Config invoke the functions (org-invoke-permissions)? Then read the rule's last error in that account's Config console",
            );
      },
    )),
  );
  return results;
}

/** Every check the options ask for, in the order they are printed. */
export async function runChecks(ctx: DoctorContext): Promise<CheckResult[]> {
  const rules = ctx.options.rules ?? RULE_METADATA;
  const results: CheckResult[] = [];
  results.push(...(await recorderChecks(ctx)));
  results.push(...(await globalRegionCheck(ctx)));
  results.push(...(await deliveryChannelCheck(ctx)));
  results.push(...(await concurrencyCheck(ctx, rules)));
  results.push(...(await securityHubCheck(ctx)));
  results.push(...(await credentialReportCheck(ctx)));
  if (ctx.options.organization) results.push(...(await organizationChecks(ctx)));
  if (ctx.options.deployed) results.push(...(await deployedChecks(ctx, rules)));
  return results;
}
