/**
 * The event path's infrastructure (issue 22): what `freshness: 'events'` (the default) adds to both
 * stacks, with least privilege, cdk-nag and cfn-lint clean; and that `freshness: 'schedule'` adds
 * none of it.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { MfaConfigRulesAccountPack } from '../../infra/account-pack';
import {
  FRESHNESS_ROLE_NAME,
  IAM_EVENTS_REGION,
  iamEventForwardingTemplate,
  registryPipeInputTemplate,
} from '../../infra/freshness';
import { iamEventForwardingProtectionScp } from '../../infra/execution-role';
import { RULE_METADATA } from '../../rules/catalog';
import { DEFAULT_EXEMPTION_TABLE } from '../../rules/runtime/exemption-source';
import { iamEventPattern } from '../../rules/runtime/freshness/iam-events';
import {
  annotationsOf,
  cfnLint,
  resourceOf,
  synthesizeOrgApp,
  tempDir,
  templateOf,
  writeTemplate,
} from './support/synth';

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Sid?: string;
}
type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

const FRESHNESS_TYPES = [
  'AWS::DynamoDB::Table',
  'AWS::Pipes::Pipe',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Events::EventBus',
];

function actionsOf(statements: readonly Statement[]): string[] {
  return statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
}

/** Resources of a type, leaving out the exemption registry (issue 18), which is not the event path. */
function count(resources: Resources, type: string): number {
  return Object.values(resources).filter(
    (r) => r.Type === type && r.Properties?.TableName !== DEFAULT_EXEMPTION_TABLE,
  ).length;
}

describe("freshness: 'events' (default)", () => {
  const synth = synthesizeOrgApp({ targetOrganizationalUnitIds: 'ou-ab12-cdef3456' });
  const account = templateOf(synth.account);
  const organization = templateOf(synth.organization);

  it('organization stack: exemption registry changes reach the queue through a pipe reading the stream, whose role may do nothing else', () => {
    // Prepare
    const json = organization.toJSON() as { Resources: Resources };
    const [tableId] = Object.entries(json.Resources).find(
      ([, r]) => r.Properties?.TableName === DEFAULT_EXEMPTION_TABLE,
    ) ?? [''];
    const [queueId] = Object.entries(json.Resources).find(
      ([id, r]) => r.Type === 'AWS::SQS::Queue' && id.includes('IamEvents'),
    ) ?? [''];

    // Assess
    organization.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: DEFAULT_EXEMPTION_TABLE,
      StreamSpecification: { StreamViewType: 'KEYS_ONLY' },
    });
    organization.resourceCountIs('AWS::Pipes::Pipe', 1);
    organization.hasResourceProperties('AWS::Pipes::Pipe', {
      Source: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      Target: { 'Fn::GetAtt': [queueId, 'Arn'] },
      TargetParameters: { InputTemplate: registryPipeInputTemplate() },
      SourceParameters: {
        DynamoDBStreamParameters: Match.objectLike({ StartingPosition: 'LATEST' }),
      },
    });
    const pipeRole = Object.entries(json.Resources).find(
      ([id, r]) => r.Type === 'AWS::IAM::Policy' && id.includes('RegistryPipePolicy'),
    )?.[1];
    const statements = (pipeRole?.Properties?.PolicyDocument as { Statement: Statement[] })
      .Statement;
    expect(actionsOf(statements)).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'sqs:SendMessage',
    ]);
    // Only ListStreams (no resource type) is on "*"; the stream and the queues by ARN.
    for (const statement of statements) {
      const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
      if (statement.Resource === '*') expect(actions).toEqual(['dynamodb:ListStreams']);
    }
  });

  it('account stack with the default exemption source (tags): no registry, no pipe', () => {
    account.resourceCountIs('AWS::Pipes::Pipe', 0);
  });

  it('account stack: the IAM event rule (the pattern of every verdict-changing call) targets the queue the function reads with the window as batching window', () => {
    // Assess
    account.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.iam'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: iamEventPattern().detail,
      },
      Targets: [Match.objectLike({ Arn: Match.anyValue(), DeadLetterConfig: Match.anyValue() })],
    });
    account.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 120,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    account.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    const rules = (account.toJSON() as { Rules: Record<string, unknown> }).Rules;
    expect(Object.entries(rules).filter(([id]) => id.includes('IamEventsRegion'))).toEqual([
      [
        expect.any(String),
        {
          Assertions: [
            expect.objectContaining({
              Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
            }),
          ],
        },
      ],
    ]);
  });

  it("account stack: the freshness role may write the change log and re-evaluate this account's rules, nothing else", () => {
    // Assess
    const role = resourceOf(account, 'AWS::IAM::Role', 'FreshnessRole');
    const policies = role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[];
    const statements = policies.flatMap((p) => p.PolicyDocument.Statement);
    expect(actionsOf(statements)).toEqual([
      'config:DescribeConfigRules',
      'config:StartConfigRulesEvaluation',
      'dynamodb:BatchWriteItem',
      'dynamodb:PutItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    const start = statements.find((s) =>
      actionsOf([s]).includes('config:StartConfigRulesEvaluation'),
    );
    expect(JSON.stringify(start?.Resource)).toContain(':config-rule/*');
  });

  it('the rules that read the change log get its name and dynamodb:Query on it; the others get nothing of it', () => {
    // Assess
    const resources = account.toJSON().Resources as Resources;
    const readers = RULE_METADATA.filter((rule) => rule.readsChangeLog === true).map((r) => r.name);
    const queryPolicies = Object.entries(resources).filter(
      ([, r]) =>
        r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties).includes('dynamodb:Query'),
    );
    expect(queryPolicies).toHaveLength(readers.length);
    for (const [, policy] of queryPolicies) {
      const statements = (policy.Properties?.PolicyDocument as { Statement: Statement[] })
        .Statement;
      expect(actionsOf(statements)).toEqual(['dynamodb:Query']);
    }
    const withTable = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        JSON.stringify(r.Properties).includes('MFA_CHANGE_LOG_TABLE'),
    );
    // The readers and the freshness function itself.
    expect(withTable).toHaveLength(readers.length + 1);
  });

  it("organization stack: a bus admitting the organization, a StackSet forwarding members' IAM events from us-east-1, the execution role allows the re-evaluation and trusts the freshness role", () => {
    // Assess
    organization.hasResourceProperties('AWS::Events::EventBus', {
      Name: 'mfa-config-rules-iam-events',
    });
    organization.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      }),
    });
    const stackSet = resourceOf(organization, 'AWS::CloudFormation::StackSet', 'IamEventsStackSet');
    expect(stackSet.Properties.StackInstancesGroup).toEqual([
      expect.objectContaining({ Regions: [IAM_EVENTS_REGION] }),
    ]);
    const roleSet = resourceOf(
      organization,
      'AWS::CloudFormation::StackSet',
      'ExecutionRoleStackSet',
    );
    const body = JSON.stringify(roleSet.Properties.TemplateBody);
    expect(body).toContain('config:StartConfigRulesEvaluation');
    expect(body).toContain('config:DescribeConfigRules');
    expect(body).toContain(`role/${FRESHNESS_ROLE_NAME}`);
    const freshnessRole = resourceOf(organization, 'AWS::IAM::Role', 'FreshnessRole');
    const statements = (
      freshnessRole.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]
    ).flatMap((p) => p.PolicyDocument.Statement);
    expect(actionsOf(statements)).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:PutItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sts:AssumeRole',
    ]);
  });

  it('cdk-nag: no error, no unacknowledged warning on the event path', () => {
    // Assess
    for (const stack of [synth.account, synth.organization]) {
      const findings = [
        ...annotationsOf(stack).findError('*', Match.anyValue()),
        ...annotationsOf(stack).findWarning('*', Match.stringLikeRegexp('Serverless|AwsSolutions')),
      ].filter((f) => f.id.includes('Freshness'));
      expect(findings).toEqual([]);
    }
  });

  it("cfn-lint: the members' forwarding template is clean", () => {
    // Prepare
    const file = writeTemplate(tempDir('fwd'), 'iam-forwarding', iamEventForwardingTemplate());

    // Act
    const findings = cfnLint([file]);

    // Assess
    expect(findings).toEqual([]);
  });
});

it("the SCP protects the members' forwarding rule by its fixed name, except from the StackSet", () => {
  // Act
  const scp = JSON.stringify(iamEventForwardingProtectionScp());
  const template = iamEventForwardingTemplate() as {
    Resources: {
      ForwardRule: { Properties: { Name: string } };
      ForwardRole: { Properties: { RoleName: string } };
    };
  };

  // Assess
  expect(scp).toContain(`:rule/${template.Resources.ForwardRule.Properties.Name}"`);
  expect(scp).toContain(`:role/${template.Resources.ForwardRole.Properties.RoleName}"`);
  expect(scp).toContain('stacksets-exec-*');
});

it('not given, in a known Region other than us-east-1: schedule, with a warning saying why', () => {
  // Prepare
  const app = new App();
  const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'eu-west-1' } });

  // Act
  const pack = new MfaConfigRulesAccountPack(stack, 'Pack');

  // Assess
  expect(pack.freshness).toBeUndefined();
  annotationsOf(stack).hasWarning(
    '/S/Pack',
    Match.stringLikeRegexp("freshness 'schedule' in eu-west-1"),
  );
});

describe("freshness: 'schedule'", () => {
  it('builds none of the event path in either stack, and no rule function reads a change log', () => {
    // Act
    const synth = synthesizeOrgApp({
      targetOrganizationalUnitIds: 'ou-ab12-cdef3456',
      freshness: 'schedule',
    });

    // Assess
    for (const stack of [synth.account, synth.organization]) {
      const json = templateOf(stack).toJSON() as { Resources: Resources; Rules?: unknown };
      for (const type of FRESHNESS_TYPES) expect(count(json.Resources, type)).toBe(0);
      const text = JSON.stringify(json);
      expect(text).not.toContain('MFA_CHANGE_LOG_TABLE');
      expect(text).not.toContain('StartConfigRulesEvaluation');
      expect(text).not.toContain('"aws.iam"');
      expect(text).not.toContain(FRESHNESS_ROLE_NAME);
      expect(Object.keys(json.Rules ?? {})).toEqual(['CheckBootstrapVersion']);
    }
  });
});

describe('props', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'events in a Region other than us-east-1',
      { freshness: 'events' },
      /needs the stack in us-east-1.*freshness: 'schedule'/,
    ],
    [
      'a window under a minute',
      { reevaluationWindowSeconds: 30 },
      /reevaluationWindowSeconds must be .* from 60/,
    ],
    ['an unknown mode', { freshness: 'hourly' }, /freshness/],
  ])('%s is refused with one line', (_case, props, message) => {
    // Prepare
    const app = new App();
    const stack = new Stack(app, 'S', {
      env: {
        account: '123456789012',
        region: props.freshness === 'events' ? 'eu-west-1' : 'us-east-1',
      },
    });

    // Act
    const build = () => new MfaConfigRulesAccountPack(stack, 'Pack', props);

    // Assess
    expect(build).toThrow(message);
  });
});
