/**
 * The numbers and names the infrastructure is built from, as plain data (no CDK import), so the
 * benchmark, the docs and the tests quote the same values the stacks deploy.
 */
import { join } from 'node:path';
import { RULE_METADATA, RULE_NAMES } from '../rules/catalog';
import type { FunctionSizing } from '../rules/runtime/types';

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
 * Reserved concurrency of every rule function: a bound on how many copies run at once, so no
 * caller (an outside account's Config rule, when the organization stack admits any account) can
 * take the central account's Lambda concurrency, and so the cost per hour has a ceiling.
 *
 * Sized for an organization of 1,000 accounts whose periodic runs arrive together: each function
 * receives 1,000 asynchronous invocations; at a typical 3 s for the user rule (1 s for the root
 * rules; README, "What it costs") 10 concurrent copies clear them in 1,000 × 3 s ÷ 10 = 300 s
 * (100 s for a root rule), a twelfth of MaximumEventAge (3,600 s, below); the rest wait in
 * Lambda's asynchronous queue, which retries throttled events for up to MaximumEventAge. 30
 * reserved in all, of the default 1,000 per account and Region (Lambda keeps 100 unreserved).
 */
export const DEFAULT_RESERVED_CONCURRENCY = 10;
/** Typical durations the sizing above assumes, in seconds (not a measurement on real AWS). */
export const TYPICAL_DURATION_SECONDS = { user: 3, root: 1 } as const;
/** The organization size the default is sized for. */
export const SIZED_FOR_ACCOUNTS = 1000;
