/**
 * The conformance pack template, generated from the rule metadata (one source of truth) as a plain
 * object: the CDK stacks embed it as `TemplateBody`, and `scripts/write-conformance-pack.ts` writes
 * it to `dist/conformance-pack.yaml` for `aws configservice put-conformance-pack`.
 *
 * Each rule is a `CUSTOM_LAMBDA` Config rule named exactly as its metadata, run periodically at the
 * pack parameter `MaximumExecutionFrequency` and, when its metadata lists change-trigger types, on
 * configuration changes of those types too. The Lambda ARNs are template parameters
 * (`<Rule>FunctionArn`), so the same template serves every deployment.
 */
import { COMMON_PARAMETERS, RULE_METADATA } from '../rules/catalog';
import { formatFrameworks } from '../rules/frameworks';
import type { RuleMetadata } from '../rules/runtime/types';
import { DEFAULT_EXECUTION_FREQUENCY, EXECUTION_FREQUENCIES } from './settings';

/** AWS Config limits a rule description to 256 characters. */
export const MAX_RULE_DESCRIPTION_LENGTH = 256;

export const FREQUENCY_PARAMETER = 'MaximumExecutionFrequency';
export const EXECUTION_ROLE_PARAMETER = 'ExecutionRoleName';

export interface TemplateParameter {
  Type: 'String';
  Description: string;
  Default?: string;
  AllowedValues?: string[];
}

export interface ConfigRuleResource {
  Type: 'AWS::Config::ConfigRule';
  Properties: Record<string, unknown>;
}

export interface ConformancePackTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Parameters: Record<string, TemplateParameter>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, ConfigRuleResource>;
}

/** `iam-user-console-mfa` → `IamUserConsoleMfa` (CloudFormation logical ids are alphanumeric). */
export function logicalIdOf(ruleName: string): string {
  return ruleName
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** Name of the pack parameter carrying a rule's Lambda ARN, e.g. `RootAccountMfaFunctionArn`. */
export function functionArnParameter(ruleName: string): string {
  return `${logicalIdOf(ruleName)}FunctionArn`;
}

/** Name of the pack parameter carrying one of a rule's own parameters, e.g. `IamUserMfaGracePeriodDays`. */
export function ruleParameter(ruleName: string, parameter: string): string {
  return `${logicalIdOf(ruleName)}${parameter}`;
}

/** Name of the condition that is true when a runtime parameter is set. */
function presentCondition(parameter: string): string {
  return `Has${parameter}`;
}

/**
 * The rule description Security Hub shows an analyst: every CIS version's number and the Security
 * Hub control first (never cut; rules/frameworks.ts formats them), then the title, then as much of the remediation as fits in Config's 256 characters.
 */
export function ruleDescription(rule: RuleMetadata): string {
  const head = `[${formatFrameworks(rule, { ascii: true })}] ${rule.title}.`;
  if (head.length > MAX_RULE_DESCRIPTION_LENGTH) {
    throw new Error(`the description of ${rule.name} exceeds 256 characters: ${head}`);
  }
  const full = `${head} Fix: ${rule.remediation}`;
  if (full.length <= MAX_RULE_DESCRIPTION_LENGTH) return full;
  // Whole sentences of the remediation when at least one fits, else cut at a word with "...".
  const sentenceEnd = full.slice(0, MAX_RULE_DESCRIPTION_LENGTH).lastIndexOf('. ');
  const fixStart = head.length + ' Fix: '.length;
  if (sentenceEnd > fixStart) return full.slice(0, sentenceEnd + 1);
  const room = MAX_RULE_DESCRIPTION_LENGTH - 3;
  const cut = full.slice(0, room);
  const lastSpace = cut.lastIndexOf(' ');
  const trimmed = (lastSpace > head.length ? cut.slice(0, lastSpace) : cut).replace(
    /[\s,;:.]+$/,
    '',
  );
  return `${trimmed}...`;
}

function sourceDetails(rule: RuleMetadata): Record<string, unknown>[] {
  const details: Record<string, unknown>[] = [
    {
      EventSource: 'aws.config',
      MessageType: 'ScheduledNotification',
      MaximumExecutionFrequency: { Ref: FREQUENCY_PARAMETER },
    },
  ];
  if (rule.changeTriggerTypes.length > 0) {
    details.push(
      { EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' },
      { EventSource: 'aws.config', MessageType: 'OversizedConfigurationItemChangeNotification' },
    );
  }
  return details;
}

function configRule(rule: RuleMetadata, runtimeParameters: readonly string[]): ConfigRuleResource {
  const inputParameters = Object.fromEntries([
    ...runtimeParameters.map((name): [string, unknown] => [
      name,
      { 'Fn::If': [presentCondition(name), { Ref: name }, { Ref: 'AWS::NoValue' }] },
    ]),
    ...rule.parameters.map((p): [string, unknown] => [
      p.name,
      { Ref: ruleParameter(rule.name, p.name) },
    ]),
  ]);
  return {
    Type: 'AWS::Config::ConfigRule',
    Properties: {
      ConfigRuleName: rule.name,
      Description: ruleDescription(rule),
      InputParameters: inputParameters,
      ...(rule.changeTriggerTypes.length > 0
        ? { Scope: { ComplianceResourceTypes: [...rule.changeTriggerTypes] } }
        : {}),
      Source: {
        Owner: 'CUSTOM_LAMBDA',
        SourceIdentifier: { Ref: functionArnParameter(rule.name) },
        SourceDetails: sourceDetails(rule),
      },
    },
  };
}

/** The whole pack template for `rules` (default: every rule of the catalog). */
export function conformancePackTemplate(
  rules: readonly RuleMetadata[] = RULE_METADATA,
): ConformancePackTemplate {
  const runtimeParameters = Object.keys(COMMON_PARAMETERS) as (keyof typeof COMMON_PARAMETERS)[];
  const parameters: Record<string, TemplateParameter> = {
    [FREQUENCY_PARAMETER]: {
      Type: 'String',
      Description:
        'How often AWS Config runs each rule over the whole account (the IAM user rules also run on every recorded change of an IAM user).',
      Default: DEFAULT_EXECUTION_FREQUENCY,
      AllowedValues: [...EXECUTION_FREQUENCIES],
    },
  };
  for (const name of runtimeParameters) {
    parameters[name] = { Type: 'String', Description: COMMON_PARAMETERS[name], Default: '' };
  }
  for (const rule of rules) {
    parameters[functionArnParameter(rule.name)] = {
      Type: 'String',
      Description: `ARN of the Lambda function that evaluates the ${rule.name} rule.`,
    };
    for (const p of rule.parameters) {
      parameters[ruleParameter(rule.name, p.name)] = {
        Type: 'String',
        Description: `${rule.name}: ${p.description}`,
        Default: p.default,
      };
    }
  }
  const conditions = Object.fromEntries(
    runtimeParameters.map((name) => [
      presentCondition(name),
      { 'Fn::Not': [{ 'Fn::Equals': ['', { Ref: name }] }] },
    ]),
  );
  const resources = Object.fromEntries(
    rules.map((rule) => [logicalIdOf(rule.name), configRule(rule, runtimeParameters)]),
  );
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      'CIS AWS Foundations Benchmark MFA controls as AWS Config custom Lambda rules (mfa-config-rules).',
    Parameters: parameters,
    Conditions: conditions,
    Resources: resources,
  };
}

/** The template as the `TemplateBody` string CloudFormation and AWS Config accept. */
export function conformancePackTemplateBody(
  rules: readonly RuleMetadata[] = RULE_METADATA,
): string {
  return JSON.stringify(conformancePackTemplate(rules));
}
