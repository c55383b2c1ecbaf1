/**
 * The pack's rules as plain `AWS::Config::ConfigRule` custom Lambda rules, instead of a
 * conformance pack (account pack, `ruleDeployment: 'configRules'`).
 *
 * Why: Security Hub's AWS Config integration sends evaluations of managed and custom rules but
 * "only evaluations from service-linked AWS Config rules ... are excluded", and AWS documents
 * conformance-pack rules (`<rule>-conformance-pack-<id>`, created by config-conforms.amazonaws.com)
 * as service-linked rules (see docs/security-hub.md). Rules you own are not, so
 * their results become Security Hub findings (Title = the rule name, ProductName = Config), which
 * the automation rules of infra/operations.ts then rank.
 *
 * Each rule is the conformance pack's own definition (conformance-pack-template.ts) with the pack
 * parameters filled in, so both deployments evaluate exactly the same way.
 */
import * as config from 'aws-cdk-lib/aws-config';
import type { Construct } from 'constructs';
import {
  conformancePackTemplate,
  EXECUTION_ROLE_PARAMETER,
  FREQUENCY_PARAMETER,
  functionArnParameter,
  logicalIdOf,
  ruleParameter,
} from './conformance-pack-template';
import type { RuleFunction } from './rule-function';
import type { ExecutionFrequency } from './settings';

export const RULE_DEPLOYMENTS = ['conformancePack', 'configRules'] as const;
export type RuleDeployment = (typeof RULE_DEPLOYMENTS)[number];

export function isRuleDeployment(value: string): value is RuleDeployment {
  return (RULE_DEPLOYMENTS as readonly string[]).includes(value);
}

/** Replaces the pack template's parameter references with their values. */
function fill(value: unknown, refs: Record<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((v) => fill(v, refs));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const [only] = entries;
    if (entries.length === 1 && only?.[0] === 'Ref' && typeof only[1] === 'string') {
      if (only[1] in refs) return refs[only[1]];
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, fill(v, refs)]));
  }
  return value;
}

/**
 * One CfnConfigRule per function, after its invoke permissions. `executionRoleName`: the rules
 * pass it (organization stack, the management account's own rules); absent: the functions read
 * this account with their own roles (account pack).
 */
export function plainConfigRules(
  scope: Construct,
  functions: readonly RuleFunction[],
  frequency: ExecutionFrequency,
  ruleParameters: Readonly<Record<string, Readonly<Record<string, string>>>>,
  options: { executionRoleName?: string } = {},
): config.CfnConfigRule[] {
  const template = conformancePackTemplate(functions.map((fn) => fn.rule));
  return functions.map((fn) => {
    const id = logicalIdOf(fn.rule.name);
    const definition = template.Resources[id];
    if (!definition) throw new Error(`no pack definition for ${fn.rule.name}`);
    const given = ruleParameters[fn.rule.name] ?? {};
    const filled = fill(definition.Properties, {
      [FREQUENCY_PARAMETER]: frequency,
      [functionArnParameter(fn.rule.name)]: fn.functionArn,
      ...Object.fromEntries(
        fn.rule.parameters.map((p) => [
          ruleParameter(fn.rule.name, p.name),
          given[p.name] ?? p.default,
        ]),
      ),
    }) as Record<string, unknown>;
    // The account pack reads its own account: no ExecutionRoleName; the rule's own parameters stay.
    const { InputParameters: inputs, ...props } = filled;
    const { [EXECUTION_ROLE_PARAMETER]: _role, ...rest } = (inputs ?? {}) as Record<string, string>;
    const own = options.executionRoleName
      ? { [EXECUTION_ROLE_PARAMETER]: options.executionRoleName, ...rest }
      : rest;
    const source = props.Source as {
      Owner: string;
      SourceIdentifier: string;
      SourceDetails: Record<string, string>[];
    };
    const rule = new config.CfnConfigRule(scope, `${id}ConfigRule`, {
      configRuleName: props.ConfigRuleName as string,
      description: props.Description as string,
      ...(Object.keys(own).length > 0 ? { inputParameters: own } : {}),
      ...(props.Scope
        ? {
            scope: {
              complianceResourceTypes: (props.Scope as { ComplianceResourceTypes: string[] })
                .ComplianceResourceTypes,
            },
          }
        : {}),
      source: {
        owner: source.Owner,
        sourceIdentifier: source.SourceIdentifier,
        sourceDetails: source.SourceDetails.map((d) => ({
          eventSource: d.EventSource ?? 'aws.config',
          messageType: d.MessageType ?? '',
          ...(d.MaximumExecutionFrequency
            ? { maximumExecutionFrequency: d.MaximumExecutionFrequency }
            : {}),
        })),
      },
    });
    rule.node.addDependency(...fn.invokePermissions);
    return rule;
  });
}
