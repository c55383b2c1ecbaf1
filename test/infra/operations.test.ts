/**
 * Operations (infra/operations.ts) in both stacks: failure queues and alarms always; with
 * `notificationEmails`, the topic, email subscriptions and the compliance-change rule; with
 * `securityHubAutomation`, one automation rule per rule. cdk-nag and cfn-lint clean.
 * Synthesized without bundling the functions (`aws:cdk:bundling-stacks: []`): the templates are
 * the same, only the asset contents are skipped.
 */
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RULE_METADATA } from '../../rules/catalog';
import {
  complianceChangePattern,
  FAILURE_METRICS,
  MfaConfigRulesOperations,
} from '../../infra/operations';
import { MfaConfigRulesAccountPack } from '../../infra/account-pack';
import { ACCOUNT_STACK_NAME, ORGANIZATION_STACK_NAME } from '../../infra/settings';
import {
  annotationsOf,
  cdkJsonContext,
  cfnLint,
  quietly,
  synthesizeApp,
  synthesizeOrgApp,
  tempDir,
  templateOf,
  writeTemplate,
  type SynthesizedWithOrganization,
} from './support/synth';
import { casesOf } from '../support/scenarios';

// Operations' own resources are counted here: the event path (issue 22) adds its queues, alarms
// and rule, and is tested in freshness.test.ts.
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [], freshness: 'schedule' };
const OPERATIONS = {
  ...NO_BUNDLING,
  notificationEmails: 'sec@example.com, ops@example.com',
  securityHubAutomation: 'true',
  securityHubAdministrator: 'true',
  organizationId: 'o-a1b2c3d4e5',
  targetOrganizationalUnitIds: 'r-ab12',
};
const FUNCTIONS = RULE_METADATA.length;
const ALARMS_PER_FUNCTION = 2 + Object.keys(FAILURE_METRICS).length;

let withOps: SynthesizedWithOrganization;
let plain: SynthesizedWithOrganization;

beforeAll(() => {
  withOps = synthesizeOrgApp(OPERATIONS);
  plain = synthesizeOrgApp(NO_BUNDLING);
});

const stacks = () =>
  [
    ['account', templateOf(withOps.account), templateOf(plain.account)],
    ['organization', templateOf(withOps.organization), templateOf(plain.organization)],
  ] as const;

type Resources = Record<string, { Properties: Record<string, unknown> }>;

describe.each(['account', 'organization'] as const)('%s stack', (which) => {
  const pick = () => {
    const found = stacks().find(([name]) => name === which);
    if (!found) throw new Error(which);
    return { ops: found[1], none: found[2] };
  };

  it('always gives each function an encrypted on-failure queue with 14 days of retention', () => {
    for (const t of [pick().ops, pick().none]) {
      // Assess
      const queues = t.findResources('AWS::SQS::Queue') as Resources;
      expect(Object.keys(queues)).toHaveLength(FUNCTIONS);
      for (const queue of Object.values(queues)) {
        expect(queue.Properties).toMatchObject({
          SqsManagedSseEnabled: true,
          MessageRetentionPeriod: 14 * 24 * 3600,
        });
      }
      const configs = Object.values(t.findResources('AWS::Lambda::EventInvokeConfig') as Resources);
      expect(configs).toHaveLength(FUNCTIONS);
      const destinations = configs.map(
        (c) =>
          (
            c.Properties.DestinationConfig as {
              OnFailure: { Destination: { 'Fn::GetAtt': string[] } };
            }
          ).OnFailure.Destination['Fn::GetAtt'],
      );
      expect(new Set(destinations.map((d) => d[0])).size).toBe(FUNCTIONS);
      for (const d of destinations) expect(Object.keys(queues)).toContain(d[0]);
      // The functions may send there (and keep their one retry, one-hour event age).
      for (const c of configs) {
        expect(c.Properties).toMatchObject({
          MaximumRetryAttempts: 1,
          MaximumEventAgeInSeconds: 3600,
        });
      }
      t.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: 'sqs:SendMessage', Effect: 'Allow' }),
          ]),
        },
      });
    }
  });

  it('always alarms on Errors, on failed invocations and on deadline / refused-account failures', () => {
    // Prepare
    const { ops, none } = pick();

    // Assess
    // With notifications, the alert path is watched too: each compliance-change rule's
    // FailedInvocations (one in the account, two in the organization) and the topic's deliveries.
    none.resourceCountIs('AWS::CloudWatch::Alarm', FUNCTIONS * ALARMS_PER_FUNCTION);
    ops.resourceCountIs(
      'AWS::CloudWatch::Alarm',
      FUNCTIONS * ALARMS_PER_FUNCTION + (which === 'account' ? 2 : 3),
    );
    for (const t of [ops, none]) {
      const errors = Object.values(
        t.findResources('AWS::CloudWatch::Alarm', {
          Properties: { MetricName: 'Errors', Namespace: 'AWS/Lambda' },
        }) as Resources,
      );
      expect(errors).toHaveLength(FUNCTIONS);
      for (const metric of Object.keys(FAILURE_METRICS)) {
        const filters = Object.values(
          t.findResources('AWS::Logs::MetricFilter', {
            Properties: { MetricTransformations: [Match.objectLike({ MetricName: metric })] },
          }) as Resources,
        );
        expect(filters).toHaveLength(FUNCTIONS);
      }
    }
    const patterns = Object.values(none.findResources('AWS::Logs::MetricFilter') as Resources).map(
      (f) => f.Properties.FilterPattern,
    );
    expect(patterns).toContain('{ ($.level = "ERROR") && ($.error = "DeadlineError*") }');
    expect(patterns).toContain(
      '{ ($.level = "WARN") && (($.error = "AccountRefusedError*") || ($.error = "AccountMismatchError*")) }',
    );
    // Without notifications: nothing to notify.
    for (const alarm of Object.values(none.findResources('AWS::CloudWatch::Alarm') as Resources)) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
  });

  it('with notificationEmails: an encrypted TLS-only topic, the subscriptions, every alarm wired to it', () => {
    // Prepare
    const { ops, none } = pick();

    // Assess
    none.resourceCountIs('AWS::SNS::Topic', 0);
    none.resourceCountIs('AWS::Events::Rule', 0);
    ops.resourceCountIs('AWS::SNS::Topic', 1);
    const [topicId, topic] =
      Object.entries(ops.findResources('AWS::SNS::Topic') as Resources)[0] ?? [];
    expect(topic?.Properties.KmsMasterKeyId).toBeDefined();
    ops.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    ops.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    const subs = Object.values(ops.findResources('AWS::SNS::Subscription') as Resources);
    expect(subs.map((s) => [s.Properties.Protocol, s.Properties.Endpoint]).sort()).toEqual([
      ['email', 'ops@example.com'],
      ['email', 'sec@example.com'],
    ]);
    for (const alarm of Object.values(ops.findResources('AWS::CloudWatch::Alarm') as Resources)) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    }
  });

  it("with notificationEmails: one EventBridge rule on exactly this pack's compliance changes", () => {
    // Prepare
    const { ops } = pick();

    // Assess
    // The organization stack has a second rule, on the central bus members forward to.
    const eventRules = Object.values(ops.findResources('AWS::Events::Rule') as Resources);
    expect(eventRules).toHaveLength(which === 'account' ? 1 : 2);
    const patterns = eventRules.map((r) => JSON.stringify(r.Properties.EventPattern));
    expect(new Set(patterns).size).toBe(1);
    const rule = eventRules[0];
    const pattern = rule?.Properties.EventPattern as {
      'detail-type': string[];
      detail: { configRuleName: unknown[]; $or: unknown[] };
    };
    expect(pattern['detail-type']).toEqual(['Config Rules Compliance Change']);
    expect(pattern.detail.configRuleName).toEqual(
      RULE_METADATA.flatMap((r) => [r.name, { prefix: `${r.name}-conformance-pack-` }]),
    );
    expect(pattern.detail.$or).toHaveLength(2);
    const target = (rule?.Properties.Targets as { InputTransformer: Record<string, unknown> }[])[0];
    const paths = target?.InputTransformer.InputPathsMap as Record<string, string>;
    expect(Object.values(paths).sort()).toEqual(
      [
        '$.detail.awsAccountId',
        '$.detail.awsRegion',
        '$.detail.configRuleName',
        '$.detail.newEvaluationResult.annotation',
        '$.detail.newEvaluationResult.complianceType',
        '$.detail.newEvaluationResult.resultRecordedTime',
        '$.detail.oldEvaluationResult.complianceType',
        '$.detail.resourceId',
        '$.detail.resourceType',
      ].sort(),
    );
  });

  it('with securityHubAutomation: one automation rule per rule, at the severity the risk deserves', () => {
    // Prepare
    const { ops, none } = pick();

    // Assess
    none.resourceCountIs('AWS::SecurityHub::AutomationRule', 0);
    const rules = Object.values(ops.findResources('AWS::SecurityHub::AutomationRule') as Resources);
    expect(rules).toHaveLength(FUNCTIONS);
    const bySeverity = Object.fromEntries(
      rules.map((r) => {
        const criteria = r.Properties.Criteria as {
          ProductName: unknown[];
          ComplianceStatus: unknown[];
          Title: { Comparison: string; Value: string }[];
        };
        const action = (
          r.Properties.Actions as {
            Type: string;
            FindingFieldsUpdate: {
              Severity: { Label: string };
              Note: { Text: string; UpdatedBy: string };
            };
          }[]
        )[0];
        expect(criteria.ProductName).toEqual([{ Comparison: 'EQUALS', Value: 'Config' }]);
        // Only failed checks are raised: a PASSED finding keeps Config's own severity.
        expect(criteria.ComplianceStatus).toEqual([{ Comparison: 'EQUALS', Value: 'FAILED' }]);
        expect(action?.Type).toBe('FINDING_FIELDS_UPDATE');
        expect(action?.FindingFieldsUpdate.Note.UpdatedBy).toBe('mfa-config-rules');
        expect(action?.FindingFieldsUpdate.Note.Text.length).toBeLessThanOrEqual(512);
        const name = criteria.Title[0]?.Value ?? '';
        expect(criteria.Title).toEqual([
          { Comparison: 'EQUALS', Value: name },
          { Comparison: 'PREFIX', Value: `${name}-conformance-pack-` },
        ]);
        expect(action?.FindingFieldsUpdate.Note.Text).toContain('Remediation:');
        return [name, action?.FindingFieldsUpdate.Severity.Label];
      }),
    );
    // Conformance-pack results are not documented to reach Security Hub: the synth says so.
    expect(
      annotationsOf(which === 'account' ? withOps.account : withOps.organization).findWarning(
        '*',
        Match.stringLikeRegexp('securityHubWithServiceLinkedRules'),
      ),
    ).toHaveLength(1);
    // Every rule at the severity its folder publishes (rules/<name>/cases.ts).
    expect(bySeverity).toEqual(
      Object.fromEntries(RULE_METADATA.map((m) => [m.name, casesOf(m.name).published.severity])),
    );
  });
});

describe('checks', () => {
  it('leaves no cdk-nag finding unacknowledged in either stack', () => {
    for (const stack of [withOps.account, withOps.organization]) {
      const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
      expect(report.violations).toEqual([]);
    }
  });

  it('passes cfn-lint (only the known CDK DependsOn warning)', () => {
    // Act
    const findings = cfnLint([
      path.join(withOps.outdir, `${ACCOUNT_STACK_NAME}.template.json`),
      path.join(withOps.outdir, `${ORGANIZATION_STACK_NAME}.template.json`),
    ]);

    // Assess
    expect(
      findings.filter(
        (f) =>
          !(f.Level === 'Warning' && f.Rule.Id === 'W3005' && /Role[0-9A-F]{8}'/.test(f.Message)),
      ),
    ).toEqual([]);
  });
});

describe('props', () => {
  const stack = () =>
    new Stack(
      new App({ outdir: tempDir('ops'), context: { ...cdkJsonContext(), ...NO_BUNDLING } }),
      'S',
    );

  it('uses a topic the caller passes instead of creating one', () => {
    // Prepare
    const s = stack();
    const topic = sns.Topic.fromTopicArn(
      s,
      'Theirs',
      'arn:aws:sns:us-east-1:123456789012:sec-alerts',
    );

    // Act
    new MfaConfigRulesAccountPack(s, 'Pack', {
      notifications: { topic, emails: ['a@example.com'] },
    });
    const t = quietly(() => Template.fromStack(s));

    // Assess
    t.resourceCountIs('AWS::SNS::Topic', 0);
    t.resourceCountIs('AWS::KMS::Key', 0);
    t.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:sec-alerts',
      Endpoint: 'a@example.com',
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: ['arn:aws:sns:us-east-1:123456789012:sec-alerts'],
    });
  });

  it('refuses a malformed email address and a malformed securityHubAutomation', () => {
    expect(
      () => new MfaConfigRulesAccountPack(stack(), 'P', { notifications: { emails: ['nope'] } }),
    ).toThrow(/'nope' is not an email address/);
    expect(() => synthesizeApp({ ...NO_BUNDLING, securityHubAutomation: 'yes' })).toThrow(
      /securityHubAutomation: 'yes' is not true, false, account or organization/,
    );
  });

  it('matches the exact name or the conformance-pack form, not a look-alike managed rule', () => {
    // Prepare
    const names = complianceChangePattern(RULE_METADATA).detail?.configRuleName as (
      string | { prefix: string }
    )[];
    const matches = (name: string) =>
      names.some((n) => (typeof n === 'string' ? n === name : name.startsWith(n.prefix)));

    // Assess
    expect(matches('root-account-mfa')).toBe(true);
    expect(matches('root-account-mfa-conformance-pack-x1y2z3')).toBe(true);
    expect(matches('root-account-mfa-enabled')).toBe(false); // the AWS managed rule's default name
    expect(MfaConfigRulesOperations).toBeDefined();
  });
});

describe('ruleDeployment: configRules (Security Hub findings)', () => {
  let plainRules: SynthesizedWithOrganization;
  beforeAll(() => {
    plainRules = synthesizeOrgApp({ ...OPERATIONS, ruleDeployment: 'configRules' });
  });

  it('deploys plain custom Lambda Config rules with the exact rule names instead of the pack', () => {
    // Prepare
    const t = templateOf(plainRules.account);

    // Assess
    t.resourceCountIs('AWS::Config::ConformancePack', 0);
    const rules = Object.entries(t.findResources('AWS::Config::ConfigRule') as Resources);
    expect(rules.map(([, r]) => r.Properties.ConfigRuleName).sort()).toEqual(
      RULE_METADATA.map((r) => r.name).sort(),
    );
    const functions = t.findResources('AWS::Lambda::Function') as Resources;
    for (const [, rule] of rules) {
      const source = rule.Properties.Source as {
        Owner: string;
        SourceIdentifier: { 'Fn::GetAtt': string[] };
        SourceDetails: { MessageType: string; MaximumExecutionFrequency?: string }[];
      };
      expect(source.Owner).toBe('CUSTOM_LAMBDA');
      expect(Object.keys(functions)).toContain(source.SourceIdentifier['Fn::GetAtt'][0]);
      expect(source.SourceDetails[0]).toEqual({
        EventSource: 'aws.config',
        MessageType: 'ScheduledNotification',
        MaximumExecutionFrequency: 'TwentyFour_Hours',
      });
      // Each rule's own parameters at their defaults; never the cross-account ExecutionRoleName.
      const meta = RULE_METADATA.find((m) => m.name === rule.Properties.ConfigRuleName);
      const defaults = Object.fromEntries((meta?.parameters ?? []).map((p) => [p.name, p.default]));
      expect(rule.Properties.InputParameters).toEqual(
        Object.keys(defaults).length > 0 ? defaults : undefined,
      );
    }
    expect(
      annotationsOf(plainRules.account).findWarning(
        '*',
        Match.stringLikeRegexp('securityHubWithServiceLinkedRules'),
      ),
    ).toEqual([]);
    const users = rules.find(([, r]) => r.Properties.ConfigRuleName === 'iam-user-console-mfa');
    expect(users?.[1].Properties.Scope).toEqual({ ComplianceResourceTypes: ['AWS::IAM::User'] });
    // The organization stack deploys the same plain rules (see organization-config-rules.test.ts).
    templateOf(plainRules.organization).resourceCountIs(
      'AWS::Config::OrganizationConformancePack',
      0,
    );
  });

  it('is cdk-nag and cfn-lint clean, and refuses an unknown value', () => {
    expect(new AwsSolutionsChecks().validateScope(plainRules.account).violations).toEqual([]);
    const findings = cfnLint([path.join(plainRules.outdir, `${ACCOUNT_STACK_NAME}.template.json`)]);
    expect(
      findings.filter((f) => !(f.Rule.Id === 'W3005' && /Role[0-9A-F]{8}'/.test(f.Message))),
    ).toEqual([]);
    expect(() => synthesizeApp({ ...NO_BUNDLING, ruleDeployment: 'both' })).toThrow(
      /ruleDeployment: 'both' is not conformancePack or configRules/,
    );
  });
});

describe('organization stack: member accounts forward their compliance changes', () => {
  it('has a central bus open to the organization only, and a StackSet with the forwarding rule', () => {
    // Prepare
    const t = templateOf(withOps.organization);

    // Assess
    t.resourceCountIs('AWS::Events::EventBus', 1);
    t.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({
        Action: 'events:PutEvents',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      }),
    });
    const stackSet = Object.entries(
      t.findResources('AWS::CloudFormation::StackSet') as Resources,
    ).find(([id]) => id.includes('ForwardingStackSet'));
    expect(stackSet?.[1].Properties).toMatchObject({
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true },
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['r-ab12'] } }],
    });
    const body = JSON.parse(stackSet?.[1].Properties.TemplateBody as string) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    expect(body.Resources.ForwardRule?.Properties.EventPattern).toMatchObject({
      'detail-type': ['Config Rules Compliance Change'],
    });
    // Without notifications nothing is forwarded.
    templateOf(plain.organization).resourceCountIs('AWS::Events::EventBus', 0);

    // The member template passes cfn-lint too (cfn-lint never looks inside a StackSet).
    const file = writeTemplate(tempDir('fwd'), 'forward', stackSet?.[1].Properties.TemplateBody);
    expect(cfnLint([file])).toEqual([]);
  });
});
