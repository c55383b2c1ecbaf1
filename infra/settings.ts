/**
 * The numbers and names the infrastructure is built from, as plain data (no CDK import), so the
 * benchmark, the docs and the tests quote the same values the stacks deploy.
 */
import { join } from 'node:path';

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

export interface FunctionSizing {
  /** Lambda timeout, in seconds. */
  readonly timeoutSeconds: number;
  /** Lambda memory, in MiB (CPU share grows with it). */
  readonly memoryMiB: number;
}

/**
 * Timeout and memory per rule function.
 *
 * iam-user-console-mfa must finish an account of 5,000 IAM users in one invocation: a handful of
 * bulk reads (ListUsers, credential report, ListVirtualMFADevices), then up to ~250 per-user
 * ListMFADevices calls, which IAM serves at about 10 requests per second per account (~25 s plus
 * adaptive back-off when other tools share the limit), then PutEvaluations in batches of 100.
 * 300 s leaves room for throttling; 512 MiB holds the parsed credential report and the verdicts.
 * The root rules make two or three calls: 60 s / 256 MiB.
 */
export const RULE_FUNCTION_SIZING: Readonly<Record<string, FunctionSizing>> = {
  'root-account-mfa': { timeoutSeconds: 60, memoryMiB: 256 },
  'root-account-hardware-mfa': { timeoutSeconds: 60, memoryMiB: 256 },
  'iam-user-console-mfa': { timeoutSeconds: 300, memoryMiB: 512 },
};

/** Sizing of a rule the table above does not list (a rule added later). */
export const DEFAULT_FUNCTION_SIZING: FunctionSizing = { timeoutSeconds: 60, memoryMiB: 256 };

export function functionSizing(ruleName: string): FunctionSizing {
  return RULE_FUNCTION_SIZING[ruleName] ?? DEFAULT_FUNCTION_SIZING;
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
