/**
 * Issue 19 in the synthesized templates: the organization stack with `ruleDeployment configRules`
 * (plain rules in every account, so results reach Security Hub), the watched alert path, and
 * cdk-nag and cfn-lint on every combination of deployment mode, caller, alerts and automation.
 */
import * as path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { RULE_METADATA } from '../../rules/catalog';
import {
  conformancePackTemplateBody,
  functionArnParameter,
  logicalIdOf,
} from '../../infra/conformance-pack-template';
import { DEFAULT_RULES_STACK_SET_NAME } from '../../infra/organization-pack';
import { ACCOUNT_STACK_NAME, ORGANIZATION_STACK_NAME } from '../../infra/settings';
import {
  cfnLint,
  resourceOf,
  synthesizeOrgApp,
  tempDir,
  templateOf,
  writeTemplate,
  type SynthesizedWithOrganization,
} from './support/synth';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const BASE = { ...NO_BUNDLING, targetOrganizationalUnitIds: 'r-ab12' };
const DELEGATED = { callAs: 'DELEGATED_ADMIN', managementAccountId: '111111111111' };
const ALERTS = {
  notificationEmails: 'sec@example.com',
  securityHubAutomation: 'true',
  securityHubAdministrator: 'true',
};

type Resources = Record<
  string,
  { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }
>;

/** Every combination the issue names: mode × caller × alerts/automation. */
const COMBINATIONS = Object.fromEntries(
  (['conformancePack', 'configRules'] as const).flatMap((mode) =>
    (['SELF', 'DELEGATED_ADMIN'] as const).flatMap((caller) =>
      [false, true].map((alerts) => [
        `${mode}-${caller}-${alerts ? 'alerts' : 'plain'}`,
        {
          ...BASE,
          ruleDeployment: mode,
          ...(caller === 'DELEGATED_ADMIN' ? DELEGATED : {}),
          ...(alerts ? ALERTS : {}),
        },
      ]),
    ),
  ),
);

const synthesized: Record<string, SynthesizedWithOrganization> = {};
const synth = (name: string): SynthesizedWithOrganization => {
  const context = COMBINATIONS[name];
  if (!context) throw new Error(name);
  synthesized[name] ??= synthesizeOrgApp(context);
  return synthesized[name];
};
const org = (name: string): Template => templateOf(synth(name).organization);

function stackSets(t: Template): Resources {
  return t.findResources('AWS::CloudFormation::StackSet') as Resources;
}

describe('organization stack, ruleDeployment configRules', () => {
  it('has a StackSet of plain rules for the target OUs and no organization pack', () => {
    // Prepare
    const t = org('configRules-SELF-plain');

    // Assess
    t.resourceCountIs('AWS::Config::OrganizationConformancePack', 0);
    const rules = resourceOf(t, 'AWS::CloudFormation::StackSet', 'ConfigRulesStackSet');
    expect(rules.Properties).toMatchObject({
      StackSetName: DEFAULT_RULES_STACK_SET_NAME,
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'SELF',
      StackInstancesGroup: [
        {
          DeploymentTargets: { OrganizationalUnitIds: ['r-ab12'] },
          Regions: [{ Ref: 'AWS::Region' }],
        },
      ],
    });
    // The body is the pack template itself: plain AWS::Config::ConfigRule resources named exactly
    // as the rules, so every deployment evaluates alike.
    expect(rules.Properties.TemplateBody).toBe(conformancePackTemplateBody());
    const body = JSON.parse(rules.Properties.TemplateBody as string) as {
      Resources: Record<string, { Type: string; Properties: { ConfigRuleName: string } }>;
    };
    expect(Object.values(body.Resources).map((r) => [r.Type, r.Properties.ConfigRuleName])).toEqual(
      RULE_METADATA.map((rule) => ['AWS::Config::ConfigRule', rule.name]),
    );
    // Given each central function's ARN and the execution role.
    const parameters = rules.Properties.Parameters as {
      ParameterKey: string;
      ParameterValue: unknown;
    }[];
    for (const rule of RULE_METADATA) {
      const fn = resourceOf(t, 'AWS::Lambda::Function', `Pack${logicalIdOf(rule.name)}Function`);
      expect(parameters).toContainEqual({
        ParameterKey: functionArnParameter(rule.name),
        ParameterValue: { 'Fn::GetAtt': [fn.id, 'Arn'] },
      });
    }
    expect(parameters).toContainEqual({
      ParameterKey: 'ExecutionRoleName',
      ParameterValue: 'MfaConfigRulesExecution',
    });
    // After the execution role StackSet and every invoke permission.
    const roleStackSet = resourceOf(t, 'AWS::CloudFormation::StackSet', 'ExecutionRoleStackSet');
    expect(rules.DependsOn).toEqual(expect.arrayContaining([roleStackSet.id]));
    for (const permission of Object.keys(t.findResources('AWS::Lambda::Permission'))) {
      expect(rules.DependsOn).toContain(permission);
    }
  });

  it('covers the management account with its own plain rules (SELF), read through its execution role', () => {
    // Prepare
    const t = org('configRules-SELF-plain');
    const own = Object.values(t.findResources('AWS::Config::ConfigRule') as Resources);

    // Assess
    expect(own.map((r) => r.Properties.ConfigRuleName)).toEqual(RULE_METADATA.map((r) => r.name));
    const role = resourceOf(t, 'AWS::IAM::Role', 'ManagementAccountExecutionRole');
    for (const rule of own) {
      expect(rule.Properties.InputParameters).toMatchObject({
        ExecutionRoleName: 'MfaConfigRulesExecution',
      });
      expect(rule.DependsOn).toContain(role.id);
    }
    // From a delegated administrator the management account is left out (as for the pack).
    org('configRules-DELEGATED_ADMIN-plain').resourceCountIs('AWS::Config::ConfigRule', 0);
  });

  it('Security Hub automation rules: no service-linked warning, FAILED findings only', () => {
    // Prepare
    const t = org('configRules-SELF-alerts');

    // Assess
    const rules = Object.values(t.findResources('AWS::SecurityHub::AutomationRule') as Resources);
    expect(rules).toHaveLength(RULE_METADATA.length);
    for (const rule of rules) {
      expect((rule.Properties.Criteria as Record<string, unknown>).ComplianceStatus).toEqual([
        { Comparison: 'EQUALS', Value: 'FAILED' },
      ]);
    }
  });
});

describe('the alert path is watched', () => {
  it('alarms on each compliance-change rule (default and central bus) and on the topic deliveries', () => {
    // Prepare
    const t = org('conformancePack-SELF-alerts');
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm') as Resources);
    const [topicId] = Object.keys(t.findResources('AWS::SNS::Topic'));
    const rules = t.findResources('AWS::Events::Rule') as Resources;
    const bus = Object.keys(t.findResources('AWS::Events::EventBus'))[0];

    // Assess
    const failed = alarms.filter(
      (a) =>
        a.Properties.MetricName === 'FailedInvocations' && a.Properties.Namespace === 'AWS/Events',
    );
    expect(failed.map((a) => a.Properties.Dimensions)).toEqual(
      expect.arrayContaining([
        [
          {
            Name: 'RuleName',
            Value: {
              Ref: Object.keys(rules).find((id) => id.includes('OperationsComplianceChange')),
            },
          },
        ],
        [
          { Name: 'EventBusName', Value: { Ref: bus } },
          {
            Name: 'RuleName',
            Value: { Ref: Object.keys(rules).find((id) => id.includes('MemberComplianceChange')) },
          },
        ],
      ]),
    );
    expect(failed).toHaveLength(2);
    const delivery = alarms.filter(
      (a) => a.Properties.MetricName === 'NumberOfNotificationsFailed',
    );
    expect(delivery).toHaveLength(1);
    expect(delivery[0]?.Properties).toMatchObject({
      Namespace: 'AWS/SNS',
      Dimensions: [{ Name: 'TopicName', Value: { 'Fn::GetAtt': [topicId, 'TopicName'] } }],
      AlarmActions: [{ Ref: topicId }],
    });
  });

  it("the key policy's EventBridge statement carries no condition EventBridge would not meet", () => {
    const t = org('conformancePack-SELF-alerts');
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'EventBridgePublishesToTopic',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
          },
        ]),
      },
    });
  });

  it('member forwarding: a dead-letter queue for undeliverable events; the central account left out from a delegated administrator', () => {
    // Prepare
    const forwarding = (name: string) =>
      Object.entries(stackSets(org(name))).find(([id]) => id.includes('ForwardingStackSet'))?.[1];
    const body = JSON.parse(
      forwarding('conformancePack-SELF-alerts')?.Properties.TemplateBody as string,
    ) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };

    // Assess
    expect(body.Resources.ForwardDeadLetters?.Type).toBe('AWS::SQS::Queue');
    expect(body.Resources.ForwardRule?.Properties.Targets).toEqual([
      expect.objectContaining({
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['ForwardDeadLetters', 'Arn'] } },
      }),
    ]);
    expect(forwarding('conformancePack-SELF-alerts')?.Properties.StackInstancesGroup).toEqual([
      {
        DeploymentTargets: { OrganizationalUnitIds: ['r-ab12'] },
        Regions: [{ Ref: 'AWS::Region' }],
      },
    ]);
    // The delegated administrator's own default-bus rule mails its changes: no second copy.
    expect(
      forwarding('conformancePack-DELEGATED_ADMIN-alerts')?.Properties.StackInstancesGroup,
    ).toEqual([
      {
        DeploymentTargets: {
          OrganizationalUnitIds: ['r-ab12'],
          Accounts: [{ Ref: 'AWS::AccountId' }],
          AccountFilterType: 'DIFFERENCE',
        },
        Regions: [{ Ref: 'AWS::Region' }],
      },
    ]);
  });
});

describe('every combination', () => {
  it.each(Object.keys(COMBINATIONS))(
    '%s: no unacknowledged cdk-nag finding in either stack',
    (name) => {
      const { account, organization } = synth(name);
      for (const stack of [account, organization]) {
        for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
          expect(pack.validateScope(stack).violations).toEqual([]);
        }
      }
    },
  );

  it('cfn-lint: every stack and every StackSet body, nothing but the known CDK DependsOn warning', () => {
    // Prepare
    const dir = tempDir('combos');
    const files = Object.keys(COMBINATIONS).flatMap((name) => {
      const s = synth(name);
      const bodies = Object.entries(stackSets(templateOf(s.organization))).map(([id, set]) =>
        writeTemplate(dir, `${name}-${id}`, set.Properties.TemplateBody),
      );
      return [
        path.join(s.outdir, `${ACCOUNT_STACK_NAME}.template.json`),
        path.join(s.outdir, `${ORGANIZATION_STACK_NAME}.template.json`),
        ...bodies,
      ];
    });

    // Act
    const findings = cfnLint(files);

    // Assess
    expect(files.length).toBeGreaterThanOrEqual(8 * 4);
    expect(
      findings.filter(
        (f) =>
          !(f.Level === 'Warning' && f.Rule.Id === 'W3005' && /Role[0-9A-F]{8}'/.test(f.Message)),
      ),
    ).toEqual([]);
  });
});
