/**
 * The event path (issue 22, `freshness: 'events'`, the default): IAM's "AWS API Call via
 * CloudTrail" events for the verdict-changing calls (rules/runtime/freshness/iam-events.ts) →
 * an EventBridge rule → an SQS queue → the freshness function (batching window = the debounce
 * window) → the change log (DynamoDB, TTL) and one StartConfigRulesEvaluation per rule and account.
 *
 * IAM's events are delivered to EventBridge in us-east-1 only, and only while a CloudTrail trail
 * records management events there (docs/freshness.md): the stack must be in us-east-1 (a
 * CloudFormation rule refuses any other Region with that sentence). Organisation-wide, a StackSet
 * (`mfa-config-rules-iam-events`) gives every account of the target OUs a rule on its us-east-1
 * default bus that forwards these events to this account's bus `mfa-config-rules-iam-events`,
 * which admits the organization only (`aws:PrincipalOrgID`).
 *
 * Nothing here is created with `freshness: 'schedule'`.
 */
import {
  Annotations,
  Aws,
  CfnRule,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { iamEventPattern } from '../rules/runtime/freshness/iam-events';
import { REGISTRY_CHANGE_SOURCE } from '../rules/runtime/freshness/registry-events';
import { CHANGE_LOG_TABLE_ENV } from '../rules/runtime/freshness/change-log';
import { reevaluationPermissions } from '../rules/runtime/grants';
import type { RuleMetadata } from '../rules/runtime/types';
import { DEFAULT_EXEMPTION_TAG_KEY } from '../rules/runtime/exemptions';
import { acknowledge } from './nag-acknowledgments';
import { toPolicyStatements, wildcardAcknowledgments, wildcardFinding } from './permissions';
import { bundleDir, RUNTIME, type RuleFunction } from './rule-function';
import {
  DEFAULT_LOG_RETENTION_DAYS,
  IAM_EVENTS_FORWARD_ROLE_NAME,
  IAM_EVENTS_FORWARD_RULE_NAME,
} from './settings';
import { retentionDays } from './rule-function';

export type Freshness = 'events' | 'schedule';
export const FRESHNESS_MODES: readonly Freshness[] = ['events', 'schedule'];
export const DEFAULT_FRESHNESS: Freshness = 'events';
/** The debounce window: Config starts a rule at most once a minute; the batching window ≤ 300 s. */
export const REEVALUATION_WINDOW_SECONDS = { min: 60, max: 300, default: 120 } as const;
/** The freshness function's role name in organization deployments (member execution roles trust it). */
export const FRESHNESS_ROLE_NAME = 'MfaConfigRules-freshness';
export const IAM_EVENT_BUS_NAME = 'mfa-config-rules-iam-events';
export const IAM_EVENTS_STACK_SET_NAME = 'mfa-config-rules-iam-events';
/** IAM's events reach EventBridge in this Region only. */
export const IAM_EVENTS_REGION = 'us-east-1';
const FUNCTION_TIMEOUT_SECONDS = 30;
const PRIVILEGED_TAG_KEY = 'mfa-privileged';

export interface FreshnessProps {
  readonly rules: readonly RuleMetadata[];
  readonly functions: readonly RuleFunction[];
  readonly windowSeconds?: number;
  /** The pack's log retention and removal policy (default: one year, RETAIN), as its functions'. */
  readonly logRetention?: logs.RetentionDays;
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Per rule, its parameter values (for the exemption and privilege tag keys). */
  readonly ruleParameters: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Organization: the execution role to assume, the organization, the OUs to forward from. */
  readonly organization?: {
    readonly executionRoleName: string;
    readonly organizationId: string;
    readonly targetOrganizationalUnitIds: readonly string[];
    readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
  };
}

/** The window, checked: a whole number of seconds in REEVALUATION_WINDOW_SECONDS. */
export function reevaluationWindow(scope: Construct, value: number | undefined): number {
  const window = value ?? REEVALUATION_WINDOW_SECONDS.default;
  if (
    !Number.isInteger(window) ||
    window < REEVALUATION_WINDOW_SECONDS.min ||
    window > REEVALUATION_WINDOW_SECONDS.max
  ) {
    throw new Error(
      `${scope.node.path}: reevaluationWindowSeconds must be a whole number of seconds from ${String(REEVALUATION_WINDOW_SECONDS.min)} (AWS Config starts a rule at most once a minute) to ${String(REEVALUATION_WINDOW_SECONDS.max)} (the longest SQS batching window), not ${String(window)}`,
    );
  }
  return window;
}

/**
 * `freshness`, checked. Not given, in a stack whose Region is known and is not us-east-1 (where
 * IAM's events are delivered): `schedule`, with a warning saying why and how to get the event path.
 * Given as `events` there: an error (IAM's events never reach that Region).
 */
export function freshnessMode(scope: Construct, value: unknown): Freshness {
  const mode = value ?? DEFAULT_FRESHNESS;
  if (!FRESHNESS_MODES.includes(mode as Freshness)) {
    throw new Error(
      `${scope.node.path}: freshness must be 'events' or 'schedule', not ${JSON.stringify(mode)}`,
    );
  }
  const region = Stack.of(scope).region;
  if (
    mode === 'events' &&
    value === undefined &&
    !Token.isUnresolved(region) &&
    region !== IAM_EVENTS_REGION
  ) {
    Annotations.of(scope).addWarningV2(
      'mfa-config-rules:freshnessSchedule',
      `freshness 'schedule' in ${region}: IAM's CloudTrail events are delivered in ${IAM_EVENTS_REGION} only, so the event path (regressions found within minutes, docs/freshness.md) needs the stack there; the periodic runs still catch a removed virtual MFA device at once`,
    );
    return 'schedule';
  }
  return mode as Freshness;
}

/** The exemption and privilege tag keys the deployed rules use (lower case, as IAM matches keys). */
function tagKeys(props: FreshnessProps): { exemption: string[]; privilege: string[] } {
  const exemption = new Set<string>();
  const privilege = new Set<string>();
  for (const rule of props.rules) {
    const values = props.ruleParameters[rule.name] ?? {};
    if (rule.parameters.some((p) => p.name === 'ExemptionTagKey')) {
      const key = values.ExemptionTagKey ?? DEFAULT_EXEMPTION_TAG_KEY;
      if (key !== '') exemption.add(key.toLowerCase());
    }
    if (rule.parameters.some((p) => p.name === 'PrivilegedTagKey')) {
      const key = values.PrivilegedTagKey ?? PRIVILEGED_TAG_KEY;
      if (key !== '') privilege.add(key.toLowerCase());
    }
  }
  return { exemption: [...exemption].sort(), privilege: [...privilege].sort() };
}

export class MfaConfigRulesFreshness extends Construct {
  readonly table: dynamodb.Table;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly rule: events.Rule;
  readonly alarms: cloudwatch.Alarm[];
  /** Organization: the bus member accounts forward IAM events to, and the StackSet that does it. */
  readonly bus?: events.EventBus;
  readonly busRule?: events.Rule;
  readonly forwardingStackSet?: cloudformation.CfnStackSet;

  constructor(scope: Construct, id: string, props: FreshnessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const window = reevaluationWindow(this, props.windowSeconds);
    if (!Token.isUnresolved(stack.region) && stack.region !== IAM_EVENTS_REGION) {
      throw new Error(
        `${this.node.path}: freshness 'events' needs the stack in ${IAM_EVENTS_REGION}, where IAM's CloudTrail events are delivered (this stack is in ${stack.region}); deploy in ${IAM_EVENTS_REGION} or set freshness: 'schedule'`,
      );
    }
    // An environment-agnostic stack: CloudFormation refuses any other Region with one line.
    new CfnRule(this, 'IamEventsRegion', {
      assertions: [
        {
          assert: Fn.conditionEquals(Aws.REGION, IAM_EVENTS_REGION),
          assertDescription: `freshness 'events' needs the stack in ${IAM_EVENTS_REGION}, where IAM's CloudTrail events are delivered; deploy there or set freshness: 'schedule'`,
        },
      ],
    });

    this.table = new dynamodb.Table(this, 'ChangeLog', {
      partitionKey: { name: 'account', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Entries live 6 hours; nothing to keep when the stack goes.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'IamEvents', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // At least the function's timeout (Lambda's requirement); a message deferred (a claim
      // pending, Config busy) comes back after it.
      visibilityTimeout: Duration.seconds(2 * FUNCTION_TIMEOUT_SECONDS),
      retentionPeriod: Duration.days(1),
      // ~15 minutes of retries (an evaluation of 5,000 users may hold Config's lock that long).
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 15 },
    });

    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? retentionDays(DEFAULT_LOG_RETENTION_DAYS),
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    const organization = props.organization;
    const statements = [
      new iam.PolicyStatement({
        sid: 'OwnLogGroup',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
      new iam.PolicyStatement({
        sid: 'ChangeLogWrite',
        actions: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'],
        resources: [this.table.tableArn],
      }),
    ];
    if (organization) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'AssumeExecutionRoleInOrganization',
          actions: ['sts:AssumeRole'],
          resources: [
            stack.formatArn({
              service: 'iam',
              region: '',
              account: '*',
              resource: 'role',
              resourceName: organization.executionRoleName,
            }),
          ],
          conditions: { StringEquals: { 'aws:ResourceOrgID': organization.organizationId } },
        }),
      );
    } else {
      statements.push(...toPolicyStatements(this, reevaluationPermissions()));
    }
    this.role = new iam.Role(this, 'Role', {
      ...(organization ? { roleName: FRESHNESS_ROLE_NAME } : {}),
      description:
        'Runs the mfa-config-rules freshness function: records changed IAM users, re-evaluates the pack',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: { Freshness: new iam.PolicyDocument({ statements }) },
    });
    const keys = tagKeys(props);
    this.function = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(bundleDir('freshness')),
      handler: 'index.handler',
      description:
        'mfa-config-rules: IAM changes → change log and one re-evaluation per rule and account (issue 22)',
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS),
      role: this.role,
      logGroup,
      environment: {
        [CHANGE_LOG_TABLE_ENV]: this.table.tableName,
        MFA_RULES: props.rules.map((rule) => rule.name).join(','),
        MFA_REEVALUATION_WINDOW_SECONDS: String(window),
        MFA_EXEMPTION_TAG_KEYS: keys.exemption.join(','),
        MFA_PRIVILEGE_TAG_KEYS: keys.privilege.join(','),
        ...(organization ? { MFA_EXECUTION_ROLE_NAME: organization.executionRoleName } : {}),
      },
    });
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 1000,
        maxBatchingWindow: Duration.seconds(window),
        reportBatchItemFailures: true,
        maxConcurrency: 2,
      }),
    );

    // The account's own IAM events (the default bus of us-east-1).
    this.rule = new events.Rule(this, 'IamChanges', {
      description:
        'mfa-config-rules: IAM calls that can change an MFA verdict, to the freshness queue',
      eventPattern: eventPattern(),
      targets: [new targets.SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue })],
    });

    // The pack's user rules read the change log: its name and Query on it, nothing else.
    for (const fn of props.functions) {
      if (fn.rule.readsChangeLog !== true) continue;
      fn.function.addEnvironment(CHANGE_LOG_TABLE_ENV, this.table.tableName);
      fn.role.attachInlinePolicy(
        new iam.Policy(fn, 'ChangeLogRead', {
          statements: [
            new iam.PolicyStatement({
              sid: 'ChangeLogRead',
              actions: ['dynamodb:Query'],
              resources: [this.table.tableArn],
            }),
          ],
        }),
      );
    }

    if (organization) {
      this.bus = new events.EventBus(this, 'IamEventBus', {
        eventBusName: IAM_EVENT_BUS_NAME,
        description: "mfa-config-rules: member accounts' IAM calls that can change an MFA verdict",
      });
      this.bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OrganizationMembersPutEvents',
          principals: [new iam.AnyPrincipal()],
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          conditions: { StringEquals: { 'aws:PrincipalOrgID': organization.organizationId } },
        }),
      );
      this.busRule = new events.Rule(this, 'MemberIamChanges', {
        eventBus: this.bus,
        description: "mfa-config-rules: member accounts' IAM calls, to the freshness queue",
        eventPattern: eventPattern(),
        targets: [new targets.SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue })],
      });
      this.forwardingStackSet = new cloudformation.CfnStackSet(this, 'IamEventsStackSet', {
        stackSetName: IAM_EVENTS_STACK_SET_NAME,
        description:
          "Forwards each account's IAM calls that can change an MFA verdict to the central bus.",
        permissionModel: 'SERVICE_MANAGED',
        autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
        callAs: organization.callAs,
        // The forwarding role has a fixed name (the protection SCP names it).
        capabilities: ['CAPABILITY_NAMED_IAM'],
        managedExecution: { Active: true },
        operationPreferences: {
          regionConcurrencyType: 'PARALLEL',
          maxConcurrentPercentage: 100,
          failureTolerancePercentage: 10,
        },
        parameters: [{ parameterKey: BUS_PARAMETER, parameterValue: this.bus.eventBusArn }],
        stackInstancesGroup: [
          {
            // The central account's own events reach the rule on its own default bus above.
            deploymentTargets:
              organization.callAs === 'DELEGATED_ADMIN'
                ? {
                    organizationalUnitIds: [...organization.targetOrganizationalUnitIds],
                    accounts: [stack.account],
                    accountFilterType: 'DIFFERENCE',
                  }
                : { organizationalUnitIds: [...organization.targetOrganizationalUnitIds] },
            regions: [IAM_EVENTS_REGION],
          },
        ],
        templateBody: JSON.stringify(iamEventForwardingTemplate()),
      });
    }

    this.alarms = [
      new cloudwatch.Alarm(this, 'DeadLettersAlarm', {
        alarmDescription:
          'mfa-config-rules freshness: IAM events that could not be handled (see the dead-letter queue); their users keep the report verdict until the next periodic run',
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'ErrorsAlarm', {
        alarmDescription: 'mfa-config-rules freshness function errors',
        metric: this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];

    const iam5 = organization ? [] : wildcardAcknowledgments(this, reevaluationPermissions());
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This is the dead-letter queue itself (of the event queue and of the EventBridge targets): nothing consumes it, the alarm reports any message in it.',
    });
    const mapping = this.function.node
      .findAll()
      .find((child) => child instanceof lambda.CfnEventSourceMapping);
    if (mapping) {
      Validations.of(mapping).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          "Lambda supports on-failure destinations for stream and Kafka sources, not SQS: a message the function cannot handle returns to the queue (ReportBatchItemFailures) and, after maxReceiveCount, goes to the queue's dead-letter queue, which is alarmed.",
      });
    }
    Validations.of(this.role).acknowledge(
      ...iam5,
      ...(organization
        ? []
        : [
            {
              id: 'Serverless-LambdaStarPermissions',
              reason:
                'config:DescribeConfigRules has no resource type (Service Authorization Reference), so its resource is "*"; config:StartConfigRulesEvaluation is on this account\'s config-rule/* (a rule ARN ends in a generated id).',
            },
          ]),
      ...(organization
        ? [
            {
              id:
                'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/' +
                organization.executionRoleName +
                ']',
              reason: `The freshness function re-evaluates the pack in every account of the organization: it may assume only the role named ${organization.executionRoleName}, in any account, and only when that account belongs to the organization (aws:ResourceOrgID condition), with a session policy limited to config:DescribeConfigRules and config:StartConfigRulesEvaluation.`,
            },
          ]
        : []),
    );
    acknowledge(this.function, [
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          "The function is invoked by an SQS event source mapping, not asynchronously: messages it cannot handle go to the queue's own dead-letter queue (maxReceiveCount 15), which is alarmed.",
      },
      {
        id: 'Serverless-LambdaTracing',
        reason:
          'Each batch logs one structured line (changes, users recorded, re-evaluations started, deferred); X-Ray would add xray:PutTraceSegments on "*" without evidence an operator needs.',
      },
    ]);
  }

  /**
   * Exemption registry changes re-evaluate too (registry-events.ts): the table's stream (keys
   * only) → an EventBridge pipe → this queue, one message per granted, changed or revoked entry,
   * so a revoked exemption's finding is back within the window instead of at the next periodic
   * run. The pipe's role reads that stream and sends to this queue (and its dead-letter queue for
   * records it cannot deliver), nothing else.
   */
  watchRegistry(table: dynamodb.Table): pipes.CfnPipe {
    const streamArn = table.tableStreamArn;
    if (!streamArn) throw new Error(`${table.node.path}: the exemption registry has no stream`);
    const role = new iam.Role(this, 'RegistryPipeRole', {
      description: 'mfa-config-rules: the exemption registry stream to the freshness queue',
      assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    });
    const policy = new iam.Policy(this, 'RegistryPipePolicy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadRegistryStream',
          actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
          resources: [streamArn],
        }),
        new iam.PolicyStatement({
          sid: 'ListStreams',
          actions: ['dynamodb:ListStreams'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'SendToFreshnessQueues',
          actions: ['sqs:SendMessage'],
          resources: [this.queue.queueArn, this.deadLetterQueue.queueArn],
        }),
      ],
    });
    role.attachInlinePolicy(policy);
    Validations.of(policy).acknowledge({
      id: wildcardFinding(policy, '*'),
      reason:
        'dynamodb:ListStreams has no resource type (Service Authorization Reference): Resource "*" is the only value it accepts; the stream itself is read by its ARN.',
    });
    const pipe = new pipes.CfnPipe(this, 'RegistryPipe', {
      description: 'mfa-config-rules: exemption registry changes re-evaluate the rules they cover',
      roleArn: role.roleArn,
      source: streamArn,
      sourceParameters: {
        dynamoDbStreamParameters: {
          startingPosition: 'LATEST',
          batchSize: 1,
          maximumRetryAttempts: 10,
          deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        },
      },
      target: this.queue.queueArn,
      targetParameters: {
        inputTemplate: registryPipeInputTemplate(),
      },
    });
    pipe.node.addDependency(policy);
    return pipe;
  }
}

/**
 * The message the registry pipe writes for each stream record (EventBridge Pipes input
 * transformation: string paths quoted, the number not), as rules/runtime/freshness/registry-events.ts
 * reads it.
 */
export function registryPipeInputTemplate(): string {
  const key = (name: string) => `<$.dynamodb.Keys.${name}.S>`;
  return `{"source": "${REGISTRY_CHANGE_SOURCE}", "eventName": "<$.eventName>", "account": "${key('accountId')}", "entry": "${key('entry')}", "eventId": "<$.eventID>", "at": <$.dynamodb.ApproximateCreationDateTime>}`;
}

const BUS_PARAMETER = 'CentralIamEventBusArn';
function eventPattern(): events.EventPattern {
  const pattern = iamEventPattern();
  return { source: pattern.source, detailType: pattern['detail-type'], detail: pattern.detail };
}

/**
 * The template each member account gets in us-east-1 (service-managed StackSet): a rule on the
 * default bus with the IAM pattern, forwarding to the central bus with a role that may only put
 * events there, and a dead-letter queue for events it still cannot deliver.
 */
export function iamEventForwardingTemplate(): Record<string, unknown> {
  const pattern = iamEventPattern();
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      "mfa-config-rules: forwards this account's IAM calls that can change an MFA verdict to the central event bus (issue 22).",
    Parameters: {
      [BUS_PARAMETER]: { Type: 'String', Description: 'ARN of the central IAM event bus.' },
    },
    Resources: {
      ForwardRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          // A fixed name, so the protection SCP (executionRoleProtectionScp) can protect it.
          RoleName: IAM_EVENTS_FORWARD_ROLE_NAME,
          Description: 'Lets EventBridge forward IAM calls to the mfa-config-rules central bus',
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'PutEventsToCentralBus',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: BUS_PARAMETER } },
                ],
              },
            },
          ],
        },
      },
      ForwardDeadLetters: {
        Type: 'AWS::SQS::Queue',
        Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 },
      },
      ForwardDeadLettersPolicy: {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: {
          Queues: [{ Ref: 'ForwardDeadLetters' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'ForwardRuleDeadLetters',
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: { 'Fn::GetAtt': ['ForwardDeadLetters', 'Arn'] },
                Condition: {
                  ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['ForwardRule', 'Arn'] } },
                },
              },
              {
                Sid: 'TlsOnly',
                Effect: 'Deny',
                Principal: '*',
                Action: 'sqs:*',
                Resource: { 'Fn::GetAtt': ['ForwardDeadLetters', 'Arn'] },
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              },
            ],
          },
        },
      },
      ForwardRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          // A fixed name, so the protection SCP (executionRoleProtectionScp) can protect it.
          Name: IAM_EVENTS_FORWARD_RULE_NAME,
          Description:
            'mfa-config-rules: IAM calls that can change an MFA verdict, to the central bus',
          EventPattern: pattern,
          State: 'ENABLED',
          Targets: [
            {
              Id: 'CentralBus',
              Arn: { Ref: BUS_PARAMETER },
              RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] },
              DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['ForwardDeadLetters', 'Arn'] } },
              RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
            },
          ],
        },
      },
    },
  };
}
