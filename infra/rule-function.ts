/**
 * RuleFunction: the one construct every rule's Lambda function is built with, carrying the house
 * defaults (after the Powertools for AWS Lambda example app's function construct):
 *
 *   - deployed from the rule's prebuilt bundle (`npm run build`: esbuild with {@link BUNDLING},
 *     minified, tree-shaken ESM `index.mjs`, the AWS SDK inside it: pinned versions, faster cold
 *     start than resolving the runtime's) with `Code.fromAsset`: what is deployed is exactly what
 *     the package shipped and the tests ran, and synthesis needs no esbuild and no Docker;
 *   - newest Node.js runtime, arm64;
 *   - an explicit log group with a retention, and log permissions scoped to that group only (no
 *     AWSLambdaBasicExecutionRole);
 *   - asynchronous invocation limited to one retry and a maximum event age (see settings.ts);
 *   - a role with exactly the actions the rule calls, each on the narrowest resource.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { formatFrameworksShort } from '../rules/frameworks';
import type { RuleMetadata } from '../rules/runtime/types';
import {
  acknowledge,
  asyncDesignAcknowledgments,
  starPermissionsAcknowledgment,
} from './nag-acknowledgments';
import {
  rulePermissions,
  toPolicyStatements,
  wildcardAcknowledgments,
  wildcardFinding,
} from './permissions';
import {
  ASYNC_MAX_EVENT_AGE_SECONDS,
  ASYNC_MAX_RETRY_ATTEMPTS,
  DEFAULT_LOG_RETENTION_DAYS,
  ESBUILD_TARGET,
  LAMBDA_ESBUILD_ALIASES,
  MAX_RESERVED_CONCURRENCY,
} from './settings';
import { RULE_FUNCTION_SPEC, validateProps } from './validate';

/** Root of the sources (`rules/`, `infra/`): the checkout, or `dist/` in the installed package. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..');

/**
 * Directory of a rule's prebuilt Lambda bundle (`index.mjs` and nothing else), made by
 * `npm run build`: `dist/bundles/<rule>`, next to the compiled `infra/` in the installed package,
 * under `dist/` when running from a checkout's sources.
 */
export function bundleDir(ruleName: string): string {
  const candidates = [
    path.join(__dirname, '..', 'bundles', ruleName),
    path.join(__dirname, '..', 'dist', 'bundles', ruleName),
  ];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'index.mjs')));
  if (found === undefined) {
    throw new Error(
      `no prebuilt Lambda bundle for rule '${ruleName}' (looked in ${candidates.join(', ')}): run \`npm run build\``,
    );
  }
  return found;
}

/**
 * ESM bundles that carry CommonJS dependencies (parts of the AWS SDK and its dependencies still
 * `require()` Node built-ins) fail at run time with "Dynamic require of … is not supported"
 * unless `require` exists in module scope: the banner defines it.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** esbuild options every rule bundle is built with (by `npm run build`, scripts/build.ts). */
export const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: ESBUILD_TARGET,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  minify: true,
  sourceMap: false,
  bundleAwsSDK: true,
  externalModules: [],
  forceDockerBundling: false,
  logLevel: LogLevel.WARNING,
  esbuildArgs: {
    '--tree-shaking': 'true',
    '--legal-comments': 'none',
    '--alias': Object.entries(LAMBDA_ESBUILD_ALIASES).map(([from, to]) => `${from}=${to}`),
  },
};

/** Runtime of every rule function (settings.LAMBDA_RUNTIME). */
export const RUNTIME = lambda.Runtime.NODEJS_24_X;

/** A CloudWatch Logs retention from a number of days (only the values the service accepts). */
export function retentionDays(days: number): logs.RetentionDays {
  const match = Object.values(logs.RetentionDays).find(
    (value): value is logs.RetentionDays => Number(value) === days,
  );
  if (match === undefined) throw new Error(`${String(days)} is not a CloudWatch Logs retention`);
  return match;
}

/** Lambda's limits on memory (MiB) and timeout (seconds). */
const MEMORY_MIB = { min: 128, max: 10_240 };
const MAX_TIMEOUT_SECONDS = 900;

function checkSizing(scope: Construct, props: RuleFunctionProps): void {
  const memory = props.memorySize;
  if (
    memory !== undefined &&
    !Token.isUnresolved(memory) &&
    !(Number.isInteger(memory) && memory >= MEMORY_MIB.min && memory <= MEMORY_MIB.max)
  ) {
    throw new Error(
      `${scope.node.path}: memorySize ${String(memory)} is not a Lambda memory size (${MEMORY_MIB.min}–${MEMORY_MIB.max} MiB)`,
    );
  }
  const timeout = props.timeout;
  if (timeout !== undefined && !timeout.isUnresolved()) {
    const seconds = timeout.toSeconds();
    if (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
      throw new Error(
        `${scope.node.path}: timeout ${timeout.toHumanString()} is not a Lambda timeout (1 s to 15 minutes)`,
      );
    }
  }
}

export interface ExecutionRoleAccess {
  /** Name of the role the function assumes in each evaluated account (rule parameter). */
  readonly roleName: string;
  /** The organization those accounts belong to: the function may assume no role outside it. */
  readonly organizationId: string;
}

export interface RuleFunctionProps {
  /** The rule the function runs (an entry of the catalog, `RULE_METADATA`). */
  readonly rule: RuleMetadata;
  /**
   * Organization deployments: the function reads every account, its own included, through this
   * role, so its own role may only assume it. Absent: the function reads its own account with its
   * own role, which then holds the rule's IAM and Config permissions.
   */
  readonly executionRole?: ExecutionRoleAccess;
  /** Fixed role name (member accounts trust it by ARN). Default: generated by CloudFormation. */
  readonly roleName?: string;
  /** Retention of the function's log group. Default: settings.DEFAULT_LOG_RETENTION_DAYS (365). */
  readonly logRetention?: logs.RetentionDays;
  /** What `cdk destroy` does to the log group. Default: RETAIN (logs expire by retention). */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Copies that may run at once (reserved concurrency, 1–1000). Default: none reserved, so the
   * function deploys whatever the account's concurrency quota (a reservation R needs a quota of
   * R + 100: settings.ts).
   */
  readonly reservedConcurrency?: number;
  /** Memory in MiB (128–10,240). Default: the rule's metadata `sizing`. */
  readonly memorySize?: number;
  /** Timeout (at most 15 minutes). Default: the rule's metadata `sizing`. */
  readonly timeout?: Duration;
}

export interface ConfigInvokeOptions {
  /** The account whose AWS Config may invoke (confused-deputy protection). */
  readonly sourceAccount?: string;
  /** The Config rule ARNs (pattern, 12-digit account) that may invoke. */
  readonly sourceArn?: string;
  /**
   * Neither: AWS Config of any account may invoke. Lambda accepts no account wildcard in
   * SourceArn and applies PrincipalOrgID to no service principal, so this is the only way to
   * admit an organization whose account list is not known; the caller must rely on other controls.
   */
  readonly anyAccount?: boolean;
}

/** A bounded, positive number of concurrent copies (Lambda accepts 1 to the account quota). */
function reservedConcurrency(scope: Construct, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > MAX_RESERVED_CONCURRENCY) {
    throw new Error(
      `${scope.node.path}: reservedConcurrency must be an integer from 1 to ${String(MAX_RESERVED_CONCURRENCY)}, not ${String(value)}`,
    );
  }
  return value;
}

export class RuleFunction extends Construct {
  readonly rule: RuleMetadata;
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** The AWS Config invoke permissions added so far (dependencies of the packs). */
  readonly invokePermissions: lambda.CfnPermission[] = [];

  constructor(scope: Construct, id: string, props: RuleFunctionProps) {
    super(scope, id);
    validateProps(this, props, RULE_FUNCTION_SPEC);
    this.rule = props.rule;
    const stack = Stack.of(this);
    const sizing = props.rule.sizing;
    checkSizing(this, props);
    const reserved = reservedConcurrency(this, props.reservedConcurrency);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? retentionDays(DEFAULT_LOG_RETENTION_DAYS),
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    const statements: iam.PolicyStatement[] = [
      new iam.PolicyStatement({
        sid: 'OwnLogGroup',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    ];
    const assumableRoles = props.executionRole
      ? stack.formatArn({
          service: 'iam',
          region: '',
          account: '*',
          resource: 'role',
          resourceName: props.executionRole.roleName,
        })
      : undefined;
    if (props.executionRole && assumableRoles) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'AssumeExecutionRoleInOrganization',
          actions: ['sts:AssumeRole'],
          resources: [assumableRoles],
          conditions: {
            StringEquals: { 'aws:ResourceOrgID': props.executionRole.organizationId },
          },
        }),
      );
    } else {
      statements.push(...toPolicyStatements(this, rulePermissions(props.rule)));
    }

    this.role = new iam.Role(this, 'Role', {
      ...(props.roleName ? { roleName: props.roleName } : {}),
      description: `Runs the ${props.rule.name} AWS Config rule function`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: { Rule: new iam.PolicyDocument({ statements }) },
    });

    this.function = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(bundleDir(props.rule.name)),
      handler: 'index.handler',
      description: `AWS Config rule ${props.rule.name}: ${props.rule.title} (${formatFrameworksShort(props.rule)})`,
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? sizing.memoryMiB,
      timeout: props.timeout ?? Duration.seconds(sizing.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      retryAttempts: ASYNC_MAX_RETRY_ATTEMPTS,
      maxEventAge: Duration.seconds(ASYNC_MAX_EVENT_AGE_SECONDS),
      ...(reserved !== undefined ? { reservedConcurrentExecutions: reserved } : {}),
    });

    this.acknowledgeWildcards(props, assumableRoles);
    acknowledge(this.function, asyncDesignAcknowledgments());
  }

  get functionArn(): string {
    return this.function.functionArn;
  }

  /** Lets AWS Config invoke the function, bound to an account and/or to Config rule ARNs. */
  allowConfigInvoke(id: string, options: ConfigInvokeOptions): void {
    const bound = options.sourceAccount !== undefined || options.sourceArn !== undefined;
    if (bound === (options.anyAccount ?? false)) {
      throw new Error(
        'allowConfigInvoke needs a sourceAccount and/or a sourceArn, or else anyAccount: true',
      );
    }
    this.function.addPermission(id, {
      principal: new iam.ServicePrincipal('config.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      ...(options.sourceAccount ? { sourceAccount: options.sourceAccount } : {}),
      ...(options.sourceArn ? { sourceArn: options.sourceArn } : {}),
    });
    const permission = this.function.node.findChild(id);
    if (!(permission instanceof lambda.CfnPermission)) {
      throw new Error(`${this.node.path}: no CfnPermission ${id} after addPermission`);
    }
    this.invokePermissions.push(permission);
  }

  private acknowledgeWildcards(props: RuleFunctionProps, assumableRoles?: string): void {
    const acknowledgments =
      props.executionRole && assumableRoles
        ? [
            {
              id: wildcardFinding(this, assumableRoles),
              reason: `The function evaluates every account of the organization: it may assume only the role named ${props.executionRole.roleName}, in any account, and only when that account belongs to the organization (aws:ResourceOrgID condition).`,
            },
          ]
        : wildcardAcknowledgments(this, rulePermissions(props.rule));
    Validations.of(this.role).acknowledge(
      ...acknowledgments,
      ...(props.executionRole ? [] : [starPermissionsAcknowledgment(acknowledgments)]),
    );
  }
}
