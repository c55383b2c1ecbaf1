/** The conformance pack template, generated from the rule metadata, and its standalone YAML. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { COMMON_PARAMETERS, RULE_METADATA } from '../../rules/catalog';
import {
  conformancePackTemplate,
  conformancePackTemplateBody,
  EXECUTION_ROLE_PARAMETER,
  FREQUENCY_PARAMETER,
  functionArnParameter,
  logicalIdOf,
  MAX_RULE_DESCRIPTION_LENGTH,
  ruleDescription,
  ruleParameter,
} from '../../infra/conformance-pack-template';
import { cisGroups, formatFrameworks, formatSecurityHub } from '../../rules/frameworks';
import { DEFAULT_EXECUTION_FREQUENCY, EXECUTION_FREQUENCIES } from '../../infra/settings';
import { cfnLint, REPO_ROOT, tempDir, writeTemplate } from './support/synth';

const template = conformancePackTemplate();

interface RuleProps {
  ConfigRuleName: string;
  Description: string;
  InputParameters: Record<string, unknown>;
  Scope?: { ComplianceResourceTypes: string[] };
  Source: {
    Owner: string;
    SourceIdentifier: unknown;
    SourceDetails: {
      EventSource: string;
      MessageType: string;
      MaximumExecutionFrequency?: unknown;
    }[];
  };
}

function ruleProps(name: string): RuleProps {
  const resource = template.Resources[logicalIdOf(name)];
  if (!resource) throw new Error(`no resource for ${name}`);
  return resource.Properties as unknown as RuleProps;
}

describe('conformance pack template', () => {
  it('has one CUSTOM_LAMBDA Config rule per rule, named exactly as the metadata', () => {
    expect(Object.keys(template.Resources)).toHaveLength(RULE_METADATA.length);
    for (const rule of RULE_METADATA) {
      const resource = template.Resources[logicalIdOf(rule.name)];
      expect(resource?.Type).toBe('AWS::Config::ConfigRule');
      const props = ruleProps(rule.name);
      expect(props.ConfigRuleName).toBe(rule.name);
      expect(props.Source.Owner).toBe('CUSTOM_LAMBDA');
      expect(props.Source.SourceIdentifier).toEqual({ Ref: functionArnParameter(rule.name) });
    }
    expect(functionArnParameter('root-account-mfa')).toBe('RootAccountMfaFunctionArn');
  });

  it('runs every rule periodically at the pack parameter MaximumExecutionFrequency', () => {
    for (const rule of RULE_METADATA) {
      expect(ruleProps(rule.name).Source.SourceDetails).toContainEqual({
        EventSource: 'aws.config',
        MessageType: 'ScheduledNotification',
        MaximumExecutionFrequency: { Ref: FREQUENCY_PARAMETER },
      });
    }
    expect(template.Parameters[FREQUENCY_PARAMETER]).toEqual(
      expect.objectContaining({
        Type: 'String',
        Default: 'TwentyFour_Hours',
        AllowedValues: [...EXECUTION_FREQUENCIES],
      }),
    );
    expect(DEFAULT_EXECUTION_FREQUENCY).toBe('TwentyFour_Hours');
  });

  it('also triggers the user rule on IAM user changes, scoped to AWS::IAM::User', () => {
    const user = ruleProps('iam-user-console-mfa');
    expect(user.Source.SourceDetails.map((detail) => detail.MessageType)).toEqual([
      'ScheduledNotification',
      'ConfigurationItemChangeNotification',
      'OversizedConfigurationItemChangeNotification',
    ]);
    expect(user.Scope).toEqual({ ComplianceResourceTypes: ['AWS::IAM::User'] });
    const periodicOnly = RULE_METADATA.filter((rule) => rule.changeTriggerTypes.length === 0);
    expect(periodicOnly.length).toBeGreaterThan(0);
    for (const { name } of periodicOnly) {
      const root = ruleProps(name);
      expect(root.Source.SourceDetails.map((detail) => detail.MessageType)).toEqual([
        'ScheduledNotification',
      ]);
      expect(root.Scope).toBeUndefined();
    }
  });

  it('describes each rule with every CIS version and its Security Hub control within 256 characters', () => {
    for (const rule of RULE_METADATA) {
      const description = ruleProps(rule.name).Description;
      expect(description).toBe(ruleDescription(rule));
      expect(description.length).toBeLessThanOrEqual(MAX_RULE_DESCRIPTION_LENGTH);
      expect(description.startsWith(`[${formatFrameworks(rule, { ascii: true })}] `)).toBe(true);
      for (const group of cisGroups(rule)) {
        expect(description).toContain(` ${group.control}`);
      }
      expect(description).toContain(`Security Hub ${formatSecurityHub(rule)}]`);
    }
    expect(ruleProps('root-account-mfa').Description).toMatch(
      /^\[CIS AWS Foundations v1\.4\.0-v4\.0\.1 1\.5, v5\.0\.0 1\.4, v6\.0\.0 2\.4, v7\.0\.0 2\.5 \| Security Hub IAM\.9\] /,
    );
    expect(ruleProps('root-account-hardware-mfa').Description).toMatch(
      /^\[CIS AWS Foundations v1\.4\.0-v1\.5\.0 1\.6, v2\.0\.0-v4\.0\.1 1\.6 \(manual\), v5\.0\.0 1\.5 \(manual\), v6\.0\.0 2\.5 \(manual\), v7\.0\.0 2\.6 \(manual\) \| Security Hub IAM\.6\] /,
    );
    expect(ruleProps('iam-user-console-mfa').Description).toMatch(
      /^\[CIS AWS Foundations v1\.4\.0-v4\.0\.1 1\.10, v5\.0\.0 1\.9, v6\.0\.0 2\.9, v7\.0\.0 2\.10 \| Security Hub IAM\.5\] /,
    );
  });

  it("passes each rule's own parameters from a pack parameter with the metadata's default", () => {
    const [first] = RULE_METADATA;
    if (!first) throw new Error('the catalog is empty');
    const rule = {
      ...first,
      name: 'example-rule',
      parameters: [{ name: 'GracePeriodDays', description: 'Days of grace.', default: '0' }],
    };
    const withParameter = conformancePackTemplate([rule]);
    expect(withParameter.Parameters[ruleParameter('example-rule', 'GracePeriodDays')]).toEqual({
      Type: 'String',
      Description: 'example-rule: Days of grace.',
      Default: '0',
    });
    expect(
      withParameter.Resources[logicalIdOf('example-rule')]?.Properties.InputParameters,
    ).toEqual(
      expect.objectContaining({
        GracePeriodDays: { Ref: 'ExampleRuleGracePeriodDays' },
      }),
    );
  });

  it('exposes the runtime parameters (ExecutionRoleName) as pack parameters, omitted when empty', () => {
    for (const [name, description] of Object.entries(COMMON_PARAMETERS)) {
      expect(template.Parameters[name]).toEqual({
        Type: 'String',
        Description: description,
        Default: '',
      });
      expect(template.Conditions[`Has${name}`]).toEqual({
        'Fn::Not': [{ 'Fn::Equals': ['', { Ref: name }] }],
      });
    }
    for (const rule of RULE_METADATA) {
      expect(ruleProps(rule.name).InputParameters).toEqual({
        // The rule's own parameters, each from its pack parameter.
        ...Object.fromEntries(
          rule.parameters.map((p) => [p.name, { Ref: ruleParameter(rule.name, p.name) }]),
        ),
        [EXECUTION_ROLE_PARAMETER]: {
          'Fn::If': [
            `Has${EXECUTION_ROLE_PARAMETER}`,
            { Ref: EXECUTION_ROLE_PARAMETER },
            { Ref: 'AWS::NoValue' },
          ],
        },
        // Each rule's own parameters, from their pack parameters.
        ...Object.fromEntries(
          rule.parameters.map((p) => [p.name, { Ref: ruleParameter(rule.name, p.name) }]),
        ),
      });
    }
  });

  it('takes each Lambda ARN as a template parameter without a default', () => {
    for (const rule of RULE_METADATA) {
      const parameter = template.Parameters[functionArnParameter(rule.name)];
      expect(parameter?.Type).toBe('String');
      expect(parameter?.Default).toBeUndefined();
    }
  });

  it('fits the 51,200-byte TemplateBody limit', () => {
    expect(Buffer.byteLength(conformancePackTemplateBody())).toBeLessThan(51_200);
  });

  it('passes cfn-lint on its own', () => {
    const file = writeTemplate(tempDir('pack'), 'conformance-pack', template);
    const findings = cfnLint([file]);
    expect(findings).toEqual([]);
  });

  it('is written alone to YAML by scripts/write-conformance-pack.ts, and that file lints clean', () => {
    const out = path.join(tempDir('yaml'), 'conformance-pack.yaml');
    const run = spawnSync(
      path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
      [path.join(REPO_ROOT, 'scripts', 'write-conformance-pack.ts'), out],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status).toBe(0);
    const text = fs.readFileSync(out, 'utf8');
    expect(parse(text)).toEqual(JSON.parse(JSON.stringify(template)));
    expect(text).toContain('AWSTemplateFormatVersion: "2010-09-09"');
    expect(cfnLint([out])).toEqual([]);
  });
});
