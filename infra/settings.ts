/**
 * The numbers and names the infrastructure is built from, as plain data (no CDK import), so the
 * benchmark, the docs and the tests quote the same values the stacks deploy.
 */
import { join } from 'node:path';
import { RULE_METADATA, RULE_NAMES } from '../rules/catalog';
import type { FunctionSizing, RuleMetadata } from '../rules/runtime/types';

/** Lambda runtime identifier of every rule function (the newest one cfn-lint and cdk-nag accept). */
export const LAMBDA_RUNTIME = 'nodejs24.x';
/** esbuild `target` matching {@link LAMBDA_RUNTIME}. */
export const ESBUILD_TARGET = 'node24';

/**
 * Modules esbuild replaces when it bundles a rule function (package → absolute path of the
 * replacement): the SDK's default credential chain becomes the environment-first chain Lambda needs
 * (see rules/runtime/lambda-credentials.ts).
 */
export const LAMBDA_ESBUILD_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': join(
    __dirname,
    '..',
    'rules',
    'runtime',
    'lambda-credentials.ts',
  ),
};

export type { FunctionSizing } from '../rules/runtime/types';

/**
 * Timeout and memory of a rule's function: its metadata's `sizing` (each rule's metadata says why).
 * Throws for a name the catalog does not hold.
 */
export function functionSizing(ruleName: string): FunctionSizing {
  const rule = RULE_METADATA.find((m) => m.name === ruleName);
  if (!rule) throw new Error(`unknown rule '${ruleName}' (rules: ${RULE_NAMES.join(', ')})`);
  return rule.sizing;
}

/**
 * Asynchronous invocation settings. AWS Config invokes rule functions asynchronously, and Lambda
 * retries a failed asynchronous invocation twice by default. A run that failed because IAM
 * throttled it would then be replayed twice more against the same per-account IAM limits, while
 * the SDK clients already retry throttled calls adaptively inside the invocation. One retry covers
 * a transient failure (a cold start racing the timeout, an STS hiccup); anything older than an hour
 * is dropped, because the next periodic run (One_Hour at the most frequent) re-evaluates everything
 * and supersedes it.
 */
export const ASYNC_MAX_RETRY_ATTEMPTS = 1;
export const ASYNC_MAX_EVENT_AGE_SECONDS = 3600;

/** Retention of each function's log group, in days (CloudWatch Logs accepts only listed values). */
export const DEFAULT_LOG_RETENTION_DAYS = 365;

/** Config rule evaluation frequencies (the values `MaximumExecutionFrequency` accepts). */
export const EXECUTION_FREQUENCIES = [
  'One_Hour',
  'Three_Hours',
  'Six_Hours',
  'Twelve_Hours',
  'TwentyFour_Hours',
] as const;
export type ExecutionFrequency = (typeof EXECUTION_FREQUENCIES)[number];
export const DEFAULT_EXECUTION_FREQUENCY: ExecutionFrequency = 'TwentyFour_Hours';

export function isExecutionFrequency(value: string): value is ExecutionFrequency {
  return (EXECUTION_FREQUENCIES as readonly string[]).includes(value);
}

/** Name of the conformance pack (account) and of the organization conformance pack. */
export const DEFAULT_PACK_NAME = 'cis-mfa-config-rules';

/** Role every member account holds for the central functions (organization deployment). */
export const DEFAULT_EXECUTION_ROLE_NAME = 'MfaConfigRulesExecution';

/**
 * Fixed name of a central function's role (organization deployment). Member roles trust these ARNs
 * through `aws:PrincipalArn`; a generated name would change whenever CDK replaced the role and
 * every member trust would then silently stop matching.
 */
export function centralRoleName(ruleName: string): string {
  return `MfaConfigRules-${ruleName}`;
}

/** Name of the StackSet that creates the execution role in member accounts. */
export const DEFAULT_STACK_SET_NAME = 'mfa-config-rules-execution-role';

/**
 * Fixed names of the member accounts' compliance-change forwarding rule (default event bus) and its
 * role (infra/operations.ts memberForwardingTemplate): the protection SCP names them.
 */
export const FORWARDING_RULE_NAME = 'mfa-config-rules-compliance-forward';
export const FORWARDING_ROLE_NAME = 'mfa-config-rules-compliance-forward';
/**
 * The members' IAM event forwarding rule (us-east-1, default bus; the event path) and its role:
 * fixed names, so the protection SCP can name them.
 */
export const IAM_EVENTS_FORWARD_RULE_NAME = 'mfa-config-rules-iam-events';
export const IAM_EVENTS_FORWARD_ROLE_NAME = 'mfa-config-rules-iam-events-forward';

/** The default stack names `infra/app.ts` synthesizes. */
export const ACCOUNT_STACK_NAME = 'MfaConfigRules-Account';
export const ORGANIZATION_STACK_NAME = 'MfaConfigRules-Organization';

/**
 * AWS Organizations ids: `o-` and 10–32 lowercase letters or digits. There is no default: the
 * organization stack is built only from an id the user gives (context `organizationId`).
 */
export const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;

/**
 * Ids that fit the format but name no organization: the example of the AWS documentation, which
 * this project once shipped as a placeholder. A pack deployed with it could never assume a role.
 */
export const EXAMPLE_ORGANIZATION_IDS: readonly string[] = ['o-exampleorgid'];

/**
 * Reserved concurrency. Lambda keeps concurrent executions of an account and Region unreserved for
 * the functions without a reservation: "You can reserve up to the Unreserved account concurrency
 * value ... minus 100" (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html;
 * the error is "decreases account's UnreservedConcurrentExecution below its minimum value of
 * [100]"), so reserving R needs an account concurrency quota of at least R + 100 plus whatever
 * other functions reserve. The default quota is 1,000, but "New AWS accounts have reduced
 * concurrency and memory quotas" (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 *
 * Hence: the account stack reserves nothing unless asked (`reservedConcurrency`), so it deploys in
 * any account. The organization stack sizes each function's reservation from the number of
 * accounts it is told to expect (`expectedAccounts`, or the length of `memberAccountIds`): enough
 * copies that a periodic run of every account, all arriving together, is cleared within
 * {@link CLEAR_WITHIN_SECONDS} at the typical duration below; the rest wait in Lambda's
 * asynchronous queue, which retries throttled events for up to MaximumEventAge. The reservation is
 * also the bound on what an outside account's Config rule can use when the functions admit any
 * account (no `memberAccountIds`). `mfa-config-rules doctor` checks the quota before deploying.
 */
export const UNRESERVED_CONCURRENCY_MINIMUM = 100;
/** Typical durations the sizing assumes, in seconds (not a measurement on real AWS). */
export const TYPICAL_DURATION_SECONDS = { user: 3, root: 1 } as const;
/** A periodic run of every account should be cleared within a twelfth of MaximumEventAge. */
export const CLEAR_WITHIN_SECONDS = ASYNC_MAX_EVENT_AGE_SECONDS / 12;
/** Lambda accepts a reservation of 1 up to the account quota; we cap at this. */
export const MAX_RESERVED_CONCURRENCY = 1000;

/** The typical duration of one invocation of `rule` (user rules read every user). */
export function typicalDurationSeconds(rule: RuleMetadata): number {
  return rule.resourceTypes.includes('AWS::IAM::User')
    ? TYPICAL_DURATION_SECONDS.user
    : TYPICAL_DURATION_SECONDS.root;
}

/** Copies of `rule`'s function that clear `accounts` simultaneous invocations in time. */
export function sizedReservation(rule: RuleMetadata, accounts: number): number {
  const copies = Math.ceil((accounts * typicalDurationSeconds(rule)) / CLEAR_WITHIN_SECONDS);
  return Math.min(MAX_RESERVED_CONCURRENCY, Math.max(1, copies));
}

export interface ReservationPlan {
  /** Per rule name: its function's reserved concurrency (absent: none reserved). */
  readonly perRule: Readonly<Record<string, number>>;
  /** The sum over the functions. */
  readonly total: number;
  /**
   * The account concurrency quota the deployment needs: the total plus Lambda's unreserved
   * minimum (0 when nothing is reserved: any quota works). Other functions' reservations add to it.
   */
  readonly quotaNeeded: number;
}

/**
 * The reservation a deployment makes: `perFunction` for every function when given, else sized for
 * `expectedAccounts` when given, else none.
 */
export function reservationPlan(
  rules: readonly RuleMetadata[],
  options: { perFunction?: number; expectedAccounts?: number } = {},
): ReservationPlan {
  const perRule: Record<string, number> = {};
  for (const rule of rules) {
    if (options.perFunction !== undefined) perRule[rule.name] = options.perFunction;
    else if (options.expectedAccounts !== undefined) {
      perRule[rule.name] = sizedReservation(rule, options.expectedAccounts);
    }
  }
  const total = Object.values(perRule).reduce((sum, n) => sum + n, 0);
  return { perRule, total, quotaNeeded: total > 0 ? total + UNRESERVED_CONCURRENCY_MINIMUM : 0 };
}

/** Seconds `reservation` copies need to clear one invocation per account of `accounts`. */
export function clearingSeconds(rule: RuleMetadata, accounts: number, reservation: number): number {
  return Math.ceil((accounts * typicalDurationSeconds(rule)) / reservation);
}
