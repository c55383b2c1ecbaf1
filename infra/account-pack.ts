/**
 * The pack in one account: a rule function per rule, reading this account with its own role, and
 * an `AWS::Config::ConformancePack` whose rules invoke them. Only this account's AWS Config may
 * invoke the functions (`SourceAccount`, plus `SourceArn` on this account's Config rules).
 */
import { Stack, Tags, type Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { findRule, RULE_METADATA } from '../rules/catalog';
import { parseParameters } from '../rules/runtime/parameters';
import type { RuleName, RuleParametersByRule } from '../rules/rule-names';
import type { RuleMetadata } from '../rules/runtime/types';
import {
  conformancePackTemplateBody,
  FREQUENCY_PARAMETER,
  functionArnParameter,
  logicalIdOf,
  ruleParameter,
} from './conformance-pack-template';
import { freshnessMode, MfaConfigRulesFreshness } from './freshness';
import { MfaConfigRulesOperations, type OperationsOptions } from './operations';
import { isRuleDeployment, plainConfigRules, type RuleDeployment } from './plain-rules';
import { RuleFunction, type RuleFunctionProps } from './rule-function';
import { ACCOUNT_PACK_SPEC, validateProps } from './validate';
import { ExemptionRegistry } from './exemption-registry';
import {
  DEFAULT_EXEMPTION_SOURCE,
  readsRegistrySource,
  type ExemptionSource,
} from '../rules/runtime/exemption-source';
import {
  DEFAULT_EXECUTION_FREQUENCY,
  DEFAULT_PACK_NAME,
  isExecutionFrequency,
  type ExecutionFrequency,
} from './settings';

/** Settings of one rule's Lambda function; each absent setting keeps its default. */
export interface RuleFunctionOptions {
  /**
   * Memory in MiB (128–10,240). Default: the rule's metadata `sizing` (256 MiB for the root rules,
   * 512 MiB for `iam-user-console-mfa`).
   */
  readonly memorySize?: number;
  /**
   * Timeout, at most 15 minutes. Default: the rule's metadata `sizing` (60 s for the root rules, 300 s for `iam-user-console-mfa`, enough for 5,000 users on a throttled IAM).
   */
  readonly timeout?: Duration;
  /** Retention of this function's log group. Default: the pack's `logRetention`. */
  readonly logRetention?: logs.RetentionDays;
}

export interface PackCommonProps extends OperationsOptions {
  /**
   * Name of the conformance pack (a letter, then letters, digits and hyphens, at most 128).
   * Default: `cis-mfa-config-rules` (`DEFAULT_PACK_NAME`).
   */
  readonly packName?: string;
  /**
   * How often AWS Config runs every rule periodically: `One_Hour`, `Three_Hours`, `Six_Hours`,
   * `Twelve_Hours` or `TwentyFour_Hours`. Default: `TwentyFour_Hours`.
   */
  readonly maximumExecutionFrequency?: ExecutionFrequency;
  /**
   * The rules to deploy, by name (`RuleName`, e.g. `['root-account-mfa']`) or as catalog entries
   * (`RULE_METADATA`). Default: every rule of the catalog. An empty list, an unknown name or a
   * repeated rule is an error.
   */
  readonly rules?: readonly (RuleName | RuleMetadata)[];
  /**
   * Per rule (keyed by rule name): the function's memory, timeout and log retention. Default: each
   * rule's own sizing and the pack's `logRetention`. A key that is not a deployed rule is an error.
   */
  readonly functionOptions?: Readonly<Partial<Record<RuleName, RuleFunctionOptions>>>;
  /**
   * Per rule (keyed by rule name): values of the rule's own parameters, as strings, e.g.
   * `{ 'iam-user-console-mfa': { GracePeriodDays: '7', ExemptionTagKey: 'mfa-exemption' } }`
   * (docs/deploying.md's rule parameter table lists them). They become the conformance pack's
   * `<Rule><Parameter>` input parameters (or the plain rules' `InputParameters`). Checked at
   * synth with the parser the functions use: a rule that is not deployed, a parameter the rule
   * does not take or a malformed value is an error. Default: each parameter's documented default.
   */
  readonly ruleParameters?: RuleParametersByRule;
  /** Retention of every function's log group. Default: one year (365 days). */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What `cdk destroy` does to the functions' log groups. Default: `RemovalPolicy.RETAIN` (the
   * logs expire with their retention).
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Reserved concurrency of each rule function (1–1000): at most this many copies run at once,
   * whoever invokes them; the account then needs a Lambda concurrency quota of the sum over the
   * functions + 100. Default: the account pack reserves none (it deploys whatever the quota); the
   * organization pack sizes it from `expectedAccounts` (docs/deploying.md, "How many run at once").
   */
  readonly reservedConcurrency?: number;
  /**
   * Where the user rules take exemptions from (README, docs/exemption-registry.md): `tags` (a tag
   * on the user: whoever may tag users in the account may exempt them), `registry` (only the
   * central exemption registry, a DynamoDB table this stack creates; a member's exemption tag is
   * ignored) or `both`. Passed to each user rule as its `ExemptionSource` parameter and fixed in
   * its function's environment. Default: `tags` in the account pack, `registry` in the
   * organization pack. Set it here, never in `ruleParameters`.
   */
  readonly exemptionSource?: ExemptionSource;
  /**
   * With a registry: the only principals (role or user ARNs) that may write its entries; a
   * resource policy on the table denies item writes to everyone else. Default: none (the central
   * account's IAM decides who writes).
   */
  readonly exemptionWriterArns?: readonly string[];
  /**
   * Tags for every taggable resource of the pack (functions, roles, log groups; in the organization
   * pack also the StackSet, which passes them to each member account's stack and execution role).
   * Default: none. `Tags.of(scope).add(...)` on an enclosing scope works as well.
   */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * How fast a regression becomes a finding (docs/freshness.md). `events` (default): IAM's
   * CloudTrail events of the verdict-changing calls trigger a debounced re-evaluation of the
   * affected rules within minutes, and the next run reads every changed user live (an EventBridge
   * rule, an SQS queue and its dead-letter queue, a function, a DynamoDB change log; organisation
   * wide also a bus and a StackSet forwarding members' IAM events). Needs the stack in us-east-1
   * and a CloudTrail trail there. `schedule`: none of it; the periodic runs alone.
   */
  readonly freshness?: 'events' | 'schedule';
  /**
   * The debounce window of the event path, seconds (60–300, default 120): at most one
   * re-evaluation per rule and account per window.
   */
  readonly reevaluationWindowSeconds?: number;
}

export interface MfaConfigRulesAccountPackProps extends PackCommonProps {
  /**
   * `conformancePack` (default): one `AWS::Config::ConformancePack`. `configRules`: plain
   * `AWS::Config::ConfigRule` custom Lambda rules instead, whose results reach Security Hub
   * (conformance-pack rules are service-linked, and Security Hub's AWS Config integration does not
   * receive those: see infra/plain-rules.ts and docs/security-hub.md).
   */
  readonly ruleDeployment?: RuleDeployment;
}

const PACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;

/**
 * Checks the props both packs share and applies their tags to `scope`; throws on the first
 * invalid one.
 */
export function validatePackProps(scope: Construct, props: PackCommonProps): void {
  for (const [key, value] of Object.entries(props.tags ?? {})) Tags.of(scope).add(key, value);
  packRules(scope, props);
  const name = props.packName ?? DEFAULT_PACK_NAME;
  if (!PACK_NAME.test(name)) {
    throw new Error(`${scope.node.path}: invalid conformance pack name '${name}'`);
  }
  const frequency = props.maximumExecutionFrequency ?? DEFAULT_EXECUTION_FREQUENCY;
  if (!isExecutionFrequency(frequency)) {
    throw new Error(`${scope.node.path}: invalid maximumExecutionFrequency '${String(frequency)}'`);
  }
}

type ParameterValues = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Whether a rule takes `ExemptionSource` (the user rules). */
export function takesExemptionSource(rule: Pick<RuleMetadata, 'parameters'>): boolean {
  return rule.parameters.some((p) => p.name === 'ExemptionSource');
}

/**
 * `props.ruleParameters` as plain string maps (the typed form is for callers' editors), plus each
 * deployed user rule's `ExemptionSource` when `props.exemptionSource` is not the parameter's
 * default.
 */
export function ruleParameterValues(
  props: Pick<PackCommonProps, 'ruleParameters' | 'exemptionSource' | 'rules'>,
): ParameterValues {
  const given = (props.ruleParameters ?? {}) as ParameterValues;
  const source = props.exemptionSource ?? DEFAULT_EXEMPTION_SOURCE;
  if (source === DEFAULT_EXEMPTION_SOURCE) return given;
  const names = (props.rules ?? RULE_METADATA).map((r) => (typeof r === 'string' ? r : r.name));
  const out: Record<string, Readonly<Record<string, string>>> = { ...given };
  for (const rule of RULE_METADATA) {
    if (names.includes(rule.name) && takesExemptionSource(rule)) {
      out[rule.name] = { ...out[rule.name], ExemptionSource: source };
    }
  }
  return out;
}

/** The catalog entries of the rules the pack deploys (`props.rules`, checked; default: all). */
export function packRules(scope: Construct, props: PackCommonProps): readonly RuleMetadata[] {
  const rules = chosenRules(scope, props);
  const names = rules.map((rule) => rule.name);
  for (const key of Object.keys(props.functionOptions ?? {})) {
    if (!names.includes(key)) {
      throw new Error(
        `${scope.node.path}: functionOptions names '${key}', which is not a deployed rule (${names.join(', ')})`,
      );
    }
  }
  checkRuleParameters(scope, props, names);
  return rules;
}

function chosenRules(scope: Construct, props: PackCommonProps): readonly RuleMetadata[] {
  if (props.rules === undefined) return RULE_METADATA;
  const known = RULE_METADATA.map((rule) => rule.name).join(', ');
  if (props.rules.length === 0) {
    throw new Error(`${scope.node.path}: rules is empty; give at least one of ${known}`);
  }
  const rules = props.rules.map((wanted) => {
    const name = typeof wanted === 'string' ? wanted : wanted.name;
    const rule = RULE_METADATA.find((candidate) => candidate.name === name);
    if (!rule) throw new Error(`${scope.node.path}: unknown rule '${name}' (rules: ${known})`);
    return rule;
  });
  const names = rules.map((rule) => rule.name);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) {
    throw new Error(`${scope.node.path}: rule '${repeated}' is listed twice`);
  }
  return rules;
}

/** `props.ruleParameters`: deployed rules, their own parameters, values the functions accept. */
function checkRuleParameters(
  scope: Construct,
  props: PackCommonProps,
  names: readonly string[],
): void {
  for (const [key, values] of Object.entries(props.ruleParameters ?? {})) {
    if ('ExemptionSource' in values) {
      throw new Error(
        `${scope.node.path}: ruleParameters: ${key} sets ExemptionSource; set the pack's exemptionSource prop instead (it also fixes the source in the functions' environment)`,
      );
    }
  }
  for (const [key, values] of Object.entries(ruleParameterValues(props))) {
    const rule = names.includes(key) ? findRule(key) : undefined;
    if (!rule) {
      throw new Error(
        `${scope.node.path}: ruleParameters names '${key}', which is not a deployed rule (${names.join(', ')})`,
      );
    }
    const own = new Set(rule.metadata.parameters.map((p) => p.name));
    const foreign = Object.keys(values).find((name) => !own.has(name));
    if (foreign !== undefined) {
      throw new Error(
        `${scope.node.path}: ruleParameters: ${key} takes no parameter '${foreign}' (it takes: ${[...own].join(', ') || 'none'})`,
      );
    }
    try {
      parseParameters(rule, values);
    } catch (error) {
      throw new Error(`${scope.node.path}: ruleParameters: ${(error as Error).message}`);
    }
  }
}

/** The pack input parameters carrying the rule parameters set in `props.ruleParameters`. */
export function ruleParameterInputs(
  props: Pick<PackCommonProps, 'ruleParameters' | 'exemptionSource' | 'rules'>,
): config.CfnConformancePack.ConformancePackInputParameterProperty[] {
  return Object.entries(ruleParameterValues(props)).flatMap(([rule, values]) =>
    Object.entries(values).map(([name, value]) => ({
      parameterName: ruleParameter(rule, name),
      parameterValue: value,
    })),
  );
}

/** A rule function's settings from the pack's props (only those given; the rest default). */
export function ruleFunctionOptions(
  props: PackCommonProps,
  rule: RuleMetadata,
): Pick<
  RuleFunctionProps,
  'logRetention' | 'logRemovalPolicy' | 'memorySize' | 'timeout' | 'reservedConcurrency'
> {
  const own =
    (props.functionOptions as Readonly<Record<string, RuleFunctionOptions>> | undefined)?.[
      rule.name
    ] ?? {};
  const logRetention = own.logRetention ?? props.logRetention;
  return {
    ...(logRetention !== undefined ? { logRetention } : {}),
    ...(props.logRemovalPolicy !== undefined ? { logRemovalPolicy: props.logRemovalPolicy } : {}),
    ...(own.memorySize !== undefined ? { memorySize: own.memorySize } : {}),
    ...(own.timeout !== undefined ? { timeout: own.timeout } : {}),
    ...(props.reservedConcurrency !== undefined
      ? { reservedConcurrency: props.reservedConcurrency }
      : {}),
  };
}

/** `exemptionWriterArns` only where there is a registry to write. */
export function checkWriters(
  scope: Construct,
  props: Pick<PackCommonProps, 'exemptionWriterArns'>,
  source: ExemptionSource,
): void {
  if (props.exemptionWriterArns !== undefined && !readsRegistrySource(source)) {
    throw new Error(
      `${scope.node.path}: exemptionWriterArns names the writers of the exemption registry, which exemptionSource '${source}' does not create (use 'registry' or 'both')`,
    );
  }
}

/** A user rule's function settings for `source` (environment, registry table); none for others. */
export function exemptionOptions(
  rule: RuleMetadata,
  source: ExemptionSource,
  registry: ExemptionRegistry | undefined,
): Pick<RuleFunctionProps, 'exemptions'> {
  if (!takesExemptionSource(rule)) return {};
  return {
    exemptions: { source, ...(registry ? { tableName: registry.tableName } : {}) },
  };
}

/** Pack input parameters every deployment passes: the frequency and each rule's function ARN. */
export function packInputParameters(
  functions: readonly RuleFunction[],
  frequency: ExecutionFrequency,
): config.CfnConformancePack.ConformancePackInputParameterProperty[] {
  return [
    { parameterName: FREQUENCY_PARAMETER, parameterValue: frequency },
    ...functions.map((fn) => ({
      parameterName: functionArnParameter(fn.rule.name),
      parameterValue: fn.functionArn,
    })),
  ];
}

export class MfaConfigRulesAccountPack extends Construct {
  readonly functions: readonly RuleFunction[];
  /** The conformance pack (absent with `ruleDeployment: 'configRules'`). */
  readonly conformancePack?: config.CfnConformancePack;
  /** The plain Config rules (only with `ruleDeployment: 'configRules'`). */
  readonly configRules: readonly config.CfnConfigRule[] = [];
  /** Alarms, failure queues, alerts and Security Hub automation rules (infra/operations.ts). */
  readonly operations: MfaConfigRulesOperations;
  /** The exemption registry (only with `exemptionSource` `registry` or `both`). */
  readonly exemptionRegistry?: ExemptionRegistry;
  /** The event path (absent with `freshness: 'schedule'`). */
  readonly freshness?: MfaConfigRulesFreshness;

  constructor(scope: Construct, id: string, props: MfaConfigRulesAccountPackProps = {}) {
    super(scope, id);
    validateProps(this, props, ACCOUNT_PACK_SPEC);
    validatePackProps(this, props);
    const stack = Stack.of(this);
    const rules = packRules(this, props);

    const source = props.exemptionSource ?? DEFAULT_EXEMPTION_SOURCE;
    checkWriters(this, props, source);
    this.exemptionRegistry = readsRegistrySource(source)
      ? new ExemptionRegistry(this, 'ExemptionRegistry', {
          ...(props.exemptionWriterArns ? { writerPrincipalArns: props.exemptionWriterArns } : {}),
        })
      : undefined;
    this.functions = rules.map((rule) => {
      const fn = new RuleFunction(this, logicalIdOf(rule.name), {
        rule,
        ...ruleFunctionOptions(props, rule),
        ...exemptionOptions(rule, source, this.exemptionRegistry),
      });
      if (this.exemptionRegistry && takesExemptionSource(rule)) {
        this.exemptionRegistry.grantQuery(fn);
      }
      fn.allowConfigInvoke('ConfigInvoke', {
        sourceAccount: stack.account,
        sourceArn: stack.formatArn({
          service: 'config',
          resource: 'config-rule',
          resourceName: '*',
        }),
      });
      return fn;
    });

    const deployment = props.ruleDeployment ?? 'conformancePack';
    if (!isRuleDeployment(deployment)) {
      throw new Error(`${this.node.path}: invalid ruleDeployment '${String(deployment)}'`);
    }
    const frequency = props.maximumExecutionFrequency ?? DEFAULT_EXECUTION_FREQUENCY;
    if (deployment === 'configRules') {
      this.configRules = plainConfigRules(
        this,
        this.functions,
        frequency,
        ruleParameterValues(props),
      );
    } else {
      const pack = new config.CfnConformancePack(this, 'ConformancePack', {
        conformancePackName: props.packName ?? DEFAULT_PACK_NAME,
        templateBody: conformancePackTemplateBody(rules),
        conformancePackInputParameters: [
          ...packInputParameters(this.functions, frequency),
          ...ruleParameterInputs(props),
        ],
      });
      // Invoke permissions first, so the first evaluation is not refused.
      for (const fn of this.functions) {
        pack.node.addDependency(...fn.invokePermissions);
      }
      this.conformancePack = pack;
    }
    this.operations = new MfaConfigRulesOperations(this, 'Operations', {
      functions: this.functions,
      rulesReachSecurityHub: deployment === 'configRules',
      ...operationsOptions(props),
    });
    if (freshnessMode(this, props.freshness) === 'events') {
      this.freshness = new MfaConfigRulesFreshness(this, 'Freshness', {
        rules,
        functions: this.functions,
        ruleParameters: ruleParameterValues(props),
        ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
        ...(props.logRemovalPolicy !== undefined
          ? { logRemovalPolicy: props.logRemovalPolicy }
          : {}),
        ...(props.reevaluationWindowSeconds !== undefined
          ? { windowSeconds: props.reevaluationWindowSeconds }
          : {}),
      });
      // A granted or revoked exemption re-evaluates the rules it covers.
      if (this.exemptionRegistry) this.freshness.watchRegistry(this.exemptionRegistry.table);
    }
  }
}

/** The operations props of a pack's props (for the packs' constructors). */
export function operationsOptions(props: OperationsOptions): OperationsOptions {
  return {
    ...(props.notifications ? { notifications: props.notifications } : {}),
    ...(props.securityHub ? { securityHub: props.securityHub } : {}),
  };
}
