/**
 * AWS SDK clients, created once per container and reused across invocations, and the optional
 * cross-account execution role (how one central function serves a whole organization).
 *
 * Retries: IAM's request limits are per account and shared with every other tool in it, so a
 * burst of throttling is normal on a busy account. The clients use the SDK's `adaptive` retry mode
 * (exponential backoff with full jitter, plus a client-side token bucket that slows the sending
 * rate after a throttle) and up to 8 attempts per call. Lambda's own asynchronous retries are set
 * to at most one by the CDK construct, so a storm is not replayed three times.
 */
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  AccountMismatchError,
  AccountRefusedError,
  DataLoadError,
  describeError,
  errorName,
} from './errors';
import { sessionPolicy } from './grants';
import type { AwsClients, RuleMetadata } from './types';

export const DEFAULT_MAX_ATTEMPTS = 8;

export type { AwsClients };

export interface ClientOptions {
  /** Region for Config and STS (IAM is global). Defaults to the SDK's chain (`AWS_REGION`, …). */
  region?: string;
  /** Points IAM, STS and Config at one endpoint (a local emulator). */
  endpoint?: string;
  maxAttempts?: number;
}

interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The account whose IAM the rule reads, as proven by the credentials in use. */
export interface Identity {
  accountId: string;
  partition: string;
  arn: string;
}

export interface AccountAccess {
  clients: AwsClients;
  identity: Identity;
  /** Set when the execution role was assumed. */
  roleArn?: string;
}

function sdkConfig(options: ClientOptions, credentials?: StaticCredentials) {
  return {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'adaptive',
  };
}

export function createClients(options: ClientOptions, credentials?: StaticCredentials): AwsClients {
  const config = sdkConfig(options, credentials);
  return { iam: new IAMClient(config), config: new ConfigServiceClient(config) };
}

/** `arn:aws:sts::123456789012:assumed-role/Name/session` → account and partition. */
export function parseIdentityArn(arn: string): Identity {
  const match = /^arn:([a-z-]+):(?:iam|sts)::(\d{12}):/.exec(arn);
  if (!match?.[1] || !match[2]) {
    throw new DataLoadError(`cannot read the account from the caller ARN '${arn}'`);
  }
  return { partition: match[1], accountId: match[2], arn };
}

const ROLE_SESSION_NAME = 'mfa-config-rules';
/** Assumed-role credentials are renewed when fewer than this many milliseconds remain. */
const CREDENTIAL_REFRESH_MARGIN_MS = 5 * 60_000;

interface CachedRole {
  access: AccountAccess;
  expiresAt: number;
}

/** `arn:aws:lambda:us-east-1:123456789012:function:name[:qualifier]` → account and partition. */
export function parseFunctionArn(arn: string): Identity {
  const match = /^arn:([a-z-]+):lambda:[a-z0-9-]+:(\d{12}):function:[\w-]+(?::[\w$-]+)?$/.exec(arn);
  if (!match?.[1] || !match[2]) {
    throw new DataLoadError(`cannot read the account from the function ARN '${arn}'`);
  }
  return { partition: match[1], accountId: match[2], arn };
}

/** STS errors that mean "this role may not be assumed by this function", not a failure of ours. */
const REFUSED_ASSUME_ERRORS = new Set(['AccessDenied', 'AccessDeniedException']);

export interface InvocationHints {
  /**
   * The invoked function's ARN (from the Lambda context). A function's execution role lives in the
   * function's account, so this names the account of the function's own credentials and spares the
   * STS call.
   */
  functionArn?: string;
  /**
   * The rules this access serves. With an execution role, the session is narrowed to exactly their
   * actions (a session policy on AssumeRole, rules/runtime/grants.ts), and cached per rule set.
   * Absent: the role's full permissions (the CLI's read-only `evaluate` of several rules).
   */
  rules?: readonly RuleMetadata[];
  /**
   * A session policy other than the rules' (the freshness function's re-evaluation: only
   * config:StartConfigRulesEvaluation and config:DescribeConfigRules, rules/runtime/grants.ts).
   * Used only with an execution role; `name` keys the cached session.
   */
  sessionPolicy?: {
    name: string;
    document: (target: { partition: string; accountId: string }) => string;
  };
}

/**
 * Hands out clients for the account an event names: the function's own credentials, or those of
 * `ExecutionRoleName` in that account. Either way the account the credentials belong to must be
 * the event's account, or nothing is read and nothing is reported.
 */
export class ClientProvider {
  private readonly own: AwsClients;
  private stsClient: STSClient | undefined;
  private dynamoDbClient: DynamoDBClient | undefined;
  private ownIdentity: Promise<Identity> | undefined;
  private readonly roles = new Map<string, CachedRole>();

  constructor(private readonly options: ClientOptions = {}) {
    this.own = createClients(options);
  }

  /** Created on first use: a function in its own account with a Lambda context never needs STS. */
  private get sts(): STSClient {
    this.stsClient ??= new STSClient(sdkConfig(this.options));
    return this.stsClient;
  }

  /**
   * DynamoDB with the function's (or CLI user's) own credentials, never an execution role's: the
   * exemption registry lives in the central account. Created on first use.
   */
  get ownDynamoDb(): DynamoDBClient {
    this.dynamoDbClient ??= new DynamoDBClient(sdkConfig(this.options));
    return this.dynamoDbClient;
  }

  /** The identity of the function's (or CLI user's) own credentials; asked once per container. */
  async callerIdentity(hints: InvocationHints = {}): Promise<Identity> {
    if (hints.functionArn) return parseFunctionArn(hints.functionArn);
    this.ownIdentity ??= this.sts.send(new GetCallerIdentityCommand({})).then(
      (out) => parseIdentityArn(out.Arn ?? ''),
      (error: unknown) => {
        this.ownIdentity = undefined;
        throw new DataLoadError(`cannot identify the caller with STS: ${describeError(error)}`);
      },
    );
    return this.ownIdentity;
  }

  async forAccount(
    accountId: string | undefined,
    executionRoleName?: string,
    hints: InvocationHints = {},
  ): Promise<AccountAccess> {
    const own = await this.callerIdentity(hints);
    if (!executionRoleName) {
      const access = { clients: this.own, identity: own };
      return verifyAccount(access, accountId ?? own.accountId);
    }
    const target = accountId ?? own.accountId;
    const roleArn = `arn:${own.partition}:iam::${target}:role/${executionRoleName}`;
    const rules = hints.rules ?? [];
    const targetIdentity = { partition: own.partition, accountId: target };
    const policy = hints.sessionPolicy
      ? hints.sessionPolicy.document(targetIdentity)
      : rules.length
        ? sessionPolicy(rules, targetIdentity)
        : undefined;
    // One session per role and rule set: a session narrowed to one rule never serves another.
    const cacheKey = `${roleArn}|${
      hints.sessionPolicy
        ? `policy:${hints.sessionPolicy.name}`
        : rules
            .map((rule) => rule.name)
            .sort()
            .join(',')
    }`;
    const cached = this.roles.get(cacheKey);
    if (cached && cached.expiresAt - Date.now() > CREDENTIAL_REFRESH_MARGIN_MS) {
      return cached.access;
    }
    let out;
    try {
      out = await this.sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: ROLE_SESSION_NAME,
          ...(policy ? { Policy: policy } : {}),
        }),
      );
    } catch (error) {
      if (REFUSED_ASSUME_ERRORS.has(errorName(error) ?? '')) {
        throw new AccountRefusedError(
          `account ${target} refused: this function may not assume ${roleArn} (an account outside the organization, or an execution role that is missing or altered): ${describeError(error)}`,
        );
      }
      throw new DataLoadError(`cannot assume ${roleArn}: ${describeError(error)}`);
    }
    const creds = out.Credentials;
    if (!creds?.AccessKeyId || !creds.SecretAccessKey || !out.AssumedRoleUser?.Arn) {
      throw new DataLoadError(`STS returned no credentials for ${roleArn}`);
    }
    const access = verifyAccount(
      {
        clients: createClients(this.options, {
          accessKeyId: creds.AccessKeyId,
          secretAccessKey: creds.SecretAccessKey,
          ...(creds.SessionToken ? { sessionToken: creds.SessionToken } : {}),
        }),
        identity: parseIdentityArn(out.AssumedRoleUser.Arn),
        roleArn,
      },
      target,
    );
    const expiresAt = creds.Expiration ? creds.Expiration.getTime() : Date.now() + 15 * 60_000;
    this.roles.set(cacheKey, { access, expiresAt });
    return access;
  }
}

function verifyAccount(access: AccountAccess, accountId: string): AccountAccess {
  if (access.identity.accountId !== accountId) {
    throw new AccountMismatchError(
      `the event is for account ${accountId} but the credentials in use belong to account ${access.identity.accountId}` +
        (access.roleArn
          ? ` (role ${access.roleArn})`
          : ' (set the ExecutionRoleName parameter to evaluate other accounts)'),
    );
  }
  return access;
}
