/**
 * The pack in one account: a rule function per rule, reading this account with its own role, and
 * an `AWS::Config::ConformancePack` whose rules invoke them. Only this account's AWS Config may
 * invoke the functions (`SourceAccount`, plus `SourceArn` on this account's Config rules).
 */
import { Stack } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { RULE_METADATA } from '../rules/catalog';
import type { RuleMetadata } from '../rules/runtime/types';
import {
  conformancePackTemplateBody,
  FREQUENCY_PARAMETER,
  functionArnParameter,
  logicalIdOf,
} from './conformance-pack-template';
import { MfaConfigRulesOperations, type OperationsOptions } from './operations';
import { isRuleDeployment, plainConfigRules, type RuleDeployment } from './plain-rules';
import { RuleFunction } from './rule-function';
import {
  DEFAULT_EXECUTION_FREQUENCY,
  DEFAULT_PACK_NAME,
  isExecutionFrequency,
  type ExecutionFrequency,
} from './settings';

export interface PackCommonProps extends OperationsOptions {
  /** Default: settings.DEFAULT_PACK_NAME. */
  readonly packName?: string;
  /** Periodic evaluation frequency. Default: TwentyFour_Hours. */
  readonly maximumExecutionFrequency?: ExecutionFrequency;
  /** Default: every rule of the catalog. */
  readonly rules?: readonly RuleMetadata[];
  /** Retention of the functions' log groups. Default: one year. */
  readonly logRetention?: logs.RetentionDays;
  /** Default: RETAIN. */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Reserved concurrency of each rule function. Default: settings.DEFAULT_RESERVED_CONCURRENCY. */
  readonly reservedConcurrency?: number;
}

export interface MfaConfigRulesAccountPackProps extends PackCommonProps {
  /**
   * `conformancePack` (default): one `AWS::Config::ConformancePack`. `configRules`: plain
   * `AWS::Config::ConfigRule` custom Lambda rules instead, whose results reach Security Hub
   * (conformance-pack rules are service-linked, and Security Hub's AWS Config integration does not
   * receive those: see infra/plain-rules.ts and the README).
   */
  readonly ruleDeployment?: RuleDeployment;
}

const PACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;

export function validatePackProps(scope: Construct, props: PackCommonProps): void {
  const name = props.packName ?? DEFAULT_PACK_NAME;
  if (!PACK_NAME.test(name)) {
    throw new Error(`${scope.node.path}: invalid conformance pack name '${name}'`);
  }
  const frequency = props.maximumExecutionFrequency ?? DEFAULT_EXECUTION_FREQUENCY;
  if (!isExecutionFrequency(frequency)) {
    throw new Error(`${scope.node.path}: invalid maximumExecutionFrequency '${String(frequency)}'`);
  }
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

  constructor(scope: Construct, id: string, props: MfaConfigRulesAccountPackProps = {}) {
    super(scope, id);
    validatePackProps(this, props);
    const stack = Stack.of(this);
    const rules = props.rules ?? RULE_METADATA;

    this.functions = rules.map((rule) => {
      const fn = new RuleFunction(this, logicalIdOf(rule.name), {
        rule,
        ...(props.reservedConcurrency !== undefined
          ? { reservedConcurrency: props.reservedConcurrency }
          : {}),
        ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
        ...(props.logRemovalPolicy !== undefined
          ? { logRemovalPolicy: props.logRemovalPolicy }
          : {}),
      });
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
      this.configRules = plainConfigRules(this, this.functions, frequency);
    } else {
      const pack = new config.CfnConformancePack(this, 'ConformancePack', {
        conformancePackName: props.packName ?? DEFAULT_PACK_NAME,
        templateBody: conformancePackTemplateBody(rules),
        conformancePackInputParameters: packInputParameters(this.functions, frequency),
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
  }
}

/** The operations props of a pack's props (for the packs' constructors). */
export function operationsOptions(props: OperationsOptions): OperationsOptions {
  return {
    ...(props.notifications ? { notifications: props.notifications } : {}),
    ...(props.securityHub ? { securityHub: props.securityHub } : {}),
  };
}
