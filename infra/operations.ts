/**
 * Operating the pack: who is told when a verdict changes or a run fails, and how Security Hub
 * ranks the findings. Both packs add it with a few lines; the parts:
 *
 *   Always (whatever the props):
 *   - per rule function, an SQS queue (SSE-SQS, TLS only, 14 days' retention) as the on-failure
 *     destination of asynchronous invocations (AWS Config invokes the functions asynchronously):
 *     a run that failed after its retries leaves its invocation record (error type and message)
 *     there instead of vanishing;
 *   - per function, CloudWatch alarms on: Lambda `Errors`; messages waiting in the failure queue;
 *     and, from metric filters on the function's structured log (`error` = the error name),
 *     runs cut short by the deadline (`DeadlineError`) and runs refused for the account
 *     (`AccountMismatchError`, or `AccessDenied` assuming the execution role) — so a deadline
 *     failure and a refused account are told apart by the alarm (and metric) that fires.
 *
 *   With `notifications`:
 *   - an SNS topic (a customer managed KMS key with rotation, TLS-only policy) or the caller's
 *     topic, email subscriptions, every alarm above wired to it;
 *   - an EventBridge rule on AWS Config's `Config Rules Compliance Change` events for exactly this
 *     pack's rules (conformance-pack rule names carry a `-conformance-pack-<id>` suffix: matched
 *     by prefix), for each change to NON_COMPLIANT and back, with a readable message.
 *
 *   With `securityHub`: one AWS::SecurityHub::AutomationRule per rule, raising (or setting) the
 *   severity of this pack's AWS Config findings to the rule's metadata severity and adding a note
 *   with the framework ids and the remediation (see `automationRuleProps`).
 */
import { Annotations, ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as securityhub from 'aws-cdk-lib/aws-securityhub';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import { Construct } from 'constructs';
import { formatFrameworks, formatSecurityHub, securityHubControls } from '../rules/frameworks';
import type { RuleMetadata } from '../rules/runtime/types';
import type { RuleFunction } from './rule-function';
import { OPERATIONS_SPEC, validateProps } from './validate';

export interface NotificationsProps {
  /** Addresses subscribed to the topic by email (each must confirm the subscription). */
  readonly emails?: readonly string[];
  /**
   * Your own topic instead of the one the construct creates. Its access policy (and key policy,
   * if encrypted) must let `events.amazonaws.com` and `cloudwatch.amazonaws.com` publish.
   */
  readonly topic?: sns.ITopic;
}

export interface SecurityHubAutomationProps {
  /** First `RuleOrder` of the automation rules (1–1000; lower runs first). Default: 100. */
  readonly firstRuleOrder?: number;
}

/** Props the account and organization packs accept for operations. */
export interface OperationsOptions {
  /** Alerts on compliance changes and failed runs. Absent: alarms and failure queues only. */
  readonly notifications?: NotificationsProps;
  /**
   * Security Hub automation rules setting this pack's finding severities. Opt-in: create them in
   * the Security Hub administrator account (or a standalone account), in each Region where the
   * findings arrive. `true` uses the defaults.
   */
  readonly securityHub?: boolean | SecurityHubAutomationProps;
}

export interface MfaConfigRulesOperationsProps extends OperationsOptions {
  readonly functions: readonly RuleFunction[];
  /**
   * Whether the rules are plain Config rules, whose results AWS documents as sent to Security Hub
   * (conformance-pack and organization rules are service-linked, and are not). Default: false,
   * which makes `securityHub` warn at synthesis.
   */
  readonly rulesReachSecurityHub?: boolean;
}

/** CloudWatch namespace of the metrics the log metric filters publish (dimension `Rule`). */
export const METRIC_NAMESPACE = 'MfaConfigRules';
/**
 * Failure kinds told apart by metric: metric name → the log level of the runtime's line and how
 * its field `error` (`describeError`: "<ErrorName>: <message>") starts. A run out of time logs an
 * ERROR `DeadlineError`; an event whose account refuses the execution role (STS AccessDenied:
 * an outside account, or a member whose role is missing or altered) or whose credentials belong
 * to another account logs a WARN `AccountRefusedError` / `AccountMismatchError`
 * (rules/runtime/handler.ts), so it is not counted as a failure of the pack.
 */
export const FAILURE_METRICS = {
  DeadlineFailures: { level: 'ERROR', errorStarts: ['DeadlineError'] },
  RefusedAccountFailures: {
    level: 'WARN',
    errorStarts: ['AccountRefusedError', 'AccountMismatchError'],
  },
} as const;
/** Failed invocation records are kept this long in the failure queues (the SQS maximum). */
export const FAILURE_QUEUE_RETENTION = Duration.days(14);

const EMAIL = /^[^@\s,]+@[^@\s,]+\.[^@\s,]+$/;

/** The Config rule names of a catalog rule: its own, and the conformance-pack form. */
export function configRuleNamePrefixes(ruleName: string): { exact: string; prefix: string } {
  return { exact: ruleName, prefix: `${ruleName}-conformance-pack-` };
}

/**
 * The EventBridge pattern for this pack's compliance changes to and from NON_COMPLIANT.
 * Exact name or the conformance-pack prefix: a bare prefix `root-account-mfa` would also match
 * the AWS managed rule's default name `root-account-mfa-enabled`.
 */
export function complianceChangePattern(rules: readonly RuleMetadata[]): events.EventPattern {
  const names = rules.flatMap((rule) => {
    const { exact, prefix } = configRuleNamePrefixes(rule.name);
    return [exact, { prefix }];
  });
  return {
    source: ['aws.config'],
    detailType: ['Config Rules Compliance Change'],
    detail: {
      messageType: ['ComplianceChangeNotification'],
      configRuleName: names,
      $or: [
        { newEvaluationResult: { complianceType: ['NON_COMPLIANT'] } },
        { oldEvaluationResult: { complianceType: ['NON_COMPLIANT'] } },
      ],
    },
  };
}

/** The message each compliance change sends (an input transformer over the Config event). */
export function complianceChangeMessage(): events.RuleTargetInput {
  const f = (path: string) => events.EventField.fromPath(path);
  return events.RuleTargetInput.fromText(
    [
      `mfa-config-rules: ${f('$.detail.configRuleName')}: ${f('$.detail.newEvaluationResult.complianceType')} (was ${f('$.detail.oldEvaluationResult.complianceType')})`,
      `Account ${f('$.detail.awsAccountId')}, Region ${f('$.detail.awsRegion')}`,
      `Resource ${f('$.detail.resourceType')} ${f('$.detail.resourceId')} (for an IAM user: the user id; the annotation names the user)`,
      `Annotation: ${f('$.detail.newEvaluationResult.annotation')}`,
      `Recorded ${f('$.detail.newEvaluationResult.resultRecordedTime')}`,
    ].join('\n'),
  );
}

const NOTE_MAX = 512;

/**
 * The automation rule for one catalog rule (AWS::SecurityHub::AutomationRule).
 *
 * Matching: a finding AWS Config sends to Security Hub has `ProductName` "Config" and the Config
 * rule's name as `Title` ("Interpreting AWS Config finding names in Security Hub":
 * https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-internal-providers.html#integration-config);
 * automation-rule criteria cannot filter on `ProductFields`, so the rule matches ProductName
 * EQUALS "Config", ComplianceStatus EQUALS "FAILED" and Title EQUALS the rule name or PREFIX
 * `<name>-conformance-pack-`
 * (filters on the same field are joined by OR: AWS::SecurityHub::AutomationRule StringFilter,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-securityhub-automationrule-stringfilter.html).
 * Config findings default to severity MEDIUM whatever the rule checks (same integration page,
 * "Interpreting severity label"); the action sets the rule's own severity and a Note (Text and
 * UpdatedBy are both required: AWS::SecurityHub::AutomationRule NoteUpdate).
 */
export function automationRuleProps(
  rule: RuleMetadata,
  order: number,
): securityhub.CfnAutomationRuleProps {
  const { exact, prefix } = configRuleNamePrefixes(rule.name);
  const note = `mfa-config-rules ${rule.name}: ${formatFrameworks(rule)}, severity ${rule.severity}. Remediation: ${rule.remediation}`;
  return {
    ruleName: `mfa-config-rules ${rule.name}`,
    description: `Sets severity ${rule.severity} and a remediation note on AWS Config findings of ${rule.name} (${rule.title}${securityHubControls(rule).length > 0 ? `; as Security Hub ${formatSecurityHub(rule)}` : ''}).`,
    ruleOrder: order,
    ruleStatus: 'ENABLED',
    isTerminal: false,
    criteria: {
      productName: [{ comparison: 'EQUALS', value: 'Config' }],
      // Only failed checks: AWS Config's COMPLIANT evaluations arrive as PASSED findings, which
      // must not be raised to the rule's severity (AutomationRulesFindingFilters ComplianceStatus:
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-securityhub-automationrule-automationrulesfindingfilters.html).
      complianceStatus: [{ comparison: 'EQUALS', value: 'FAILED' }],
      title: [
        { comparison: 'EQUALS', value: exact },
        { comparison: 'PREFIX', value: prefix },
      ],
    },
    actions: [
      {
        type: 'FINDING_FIELDS_UPDATE',
        findingFieldsUpdate: {
          severity: { label: rule.severity },
          note: {
            text: note.length > NOTE_MAX ? `${note.slice(0, NOTE_MAX - 1)}…` : note,
            updatedBy: 'mfa-config-rules',
          },
        },
      },
    ],
  };
}

/** Where member accounts' compliance changes are routed (organization stack, with notifications). */
export interface OrganizationEventRouting {
  readonly organizationId: string;
  readonly targetOrganizationalUnitIds: readonly string[];
  readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
  /** Default: settings-like fixed name `mfa-config-rules-compliance-events`. */
  readonly stackSetName?: string;
}

/** Name of the central event bus member accounts forward compliance changes to. */
export const CENTRAL_EVENT_BUS_NAME = 'mfa-config-rules-compliance';
const BUS_PARAMETER = 'CentralEventBusArn';

/**
 * The template each member account gets (service-managed StackSet): an EventBridge rule on the
 * default bus with this pack's compliance-change pattern, forwarding to the central bus with a
 * role that may only put events there, and a dead-letter queue (SSE-SQS, TLS only, 14 days) for
 * events it still cannot deliver after EventBridge's retries.
 */
export function memberForwardingTemplate(rules: readonly RuleMetadata[]): Record<string, unknown> {
  const pattern = complianceChangePattern(rules);
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      "mfa-config-rules: forwards this account's AWS Config compliance changes of the pack's rules to the central event bus.",
    Parameters: {
      [BUS_PARAMETER]: { Type: 'String', Description: 'ARN of the central event bus.' },
    },
    Resources: {
      ForwardRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Description: 'Lets EventBridge forward mfa-config-rules compliance changes centrally',
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
      // Events EventBridge could not put on the central bus after its retries (24 hours): kept
      // here 14 days instead of dropped. The central account cannot see this account's
      // FailedInvocations, so this queue is the record of what never arrived
      // (`aws sqs receive-message` in the member; `mfa-config-rules doctor --deployed` reports
      // accounts whose results are missing centrally).
      ForwardDeadLetters: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          SqsManagedSseEnabled: true,
          MessageRetentionPeriod: 14 * 24 * 3600,
        },
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
          Description: 'mfa-config-rules: compliance changes to the central event bus',
          EventPattern: {
            source: pattern.source,
            'detail-type': pattern.detailType,
            detail: pattern.detail,
          },
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

export class MfaConfigRulesOperations extends Construct {
  /** The topic alerts go to (only with `notifications`). */
  readonly topic?: sns.ITopic;
  /** Per function (same order): the on-failure destination of asynchronous invocations. */
  readonly failureQueues: readonly sqs.Queue[];
  /** Per function: its Lambda `Errors` alarm. */
  readonly errorAlarms: readonly cloudwatch.Alarm[];
  /** Every alarm, the `Errors` ones included. */
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly complianceChangeRule?: events.Rule;
  /**
   * The alert path's own alarms (with notifications): each compliance-change rule's
   * `FailedInvocations` and the topic's `NumberOfNotificationsFailed`.
   */
  readonly alertPathAlarms: cloudwatch.Alarm[];
  readonly automationRules: readonly securityhub.CfnAutomationRule[];
  /** Organization stack with notifications: the bus member accounts forward changes to. */
  centralEventBus?: events.EventBus;
  forwardingStackSet?: cloudformation.CfnStackSet;
  private readonly rules: readonly RuleMetadata[];

  constructor(scope: Construct, id: string, props: MfaConfigRulesOperationsProps) {
    super(scope, id);
    validateProps(this, props, OPERATIONS_SPEC);
    const notifications = props.notifications;
    for (const email of notifications?.emails ?? []) {
      if (!Token.isUnresolved(email) && !EMAIL.test(email)) {
        throw new Error(`${this.node.path}: '${email}' is not an email address`);
      }
    }
    this.topic = notifications ? (notifications.topic ?? this.createTopic()) : undefined;
    for (const email of notifications?.emails ?? []) {
      this.topic?.addSubscription(new subscriptions.EmailSubscription(email));
    }
    const action = this.topic ? new cwActions.SnsAction(this.topic) : undefined;
    // cdk-nag Serverless: the alert path (EventBridge → SNS → email) has no dead-letter queue.
    if (this.topic) this.acknowledgeAlertPath();

    const queues: sqs.Queue[] = [];
    const errorAlarms: cloudwatch.Alarm[] = [];
    const alarms: cloudwatch.Alarm[] = [];
    for (const fn of props.functions) {
      const scopeOf = new Construct(this, fn.node.id);
      const queue = this.failureDestination(scopeOf, fn);
      queues.push(queue);
      const { errors, others } = this.alarmsFor(scopeOf, fn, queue);
      errorAlarms.push(errors);
      alarms.push(errors, ...others);
    }
    if (action) for (const alarm of alarms) alarm.addAlarmAction(action);
    this.failureQueues = queues;
    this.errorAlarms = errorAlarms;
    this.alarms = alarms;

    const rules = props.functions.map((fn) => fn.rule);
    this.rules = rules;
    this.alertPathAlarms = [];
    if (this.topic && action) {
      const rule = new events.Rule(this, 'ComplianceChange', {
        description: `mfa-config-rules: AWS Config compliance changes to and from NON_COMPLIANT of ${rules.map((r) => r.name).join(', ')}`,
        eventPattern: complianceChangePattern(rules),
        targets: [new targets.SnsTopic(this.topic, { message: complianceChangeMessage() })],
      });
      this.complianceChangeRule = rule;
      this.watchAlertPath(rule, undefined, action);
      this.watchTopic(this.topic, action);
    }

    const hub = props.securityHub;
    const firstOrder = typeof hub === 'object' ? (hub.firstRuleOrder ?? 100) : 100;
    this.automationRules = hub
      ? rules.map(
          (rule, index) =>
            new securityhub.CfnAutomationRule(
              this,
              `SecurityHub${rule.name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}`,
              automationRuleProps(rule, firstOrder + index),
            ),
        )
      : [];
    if (hub && !props.rulesReachSecurityHub) {
      Annotations.of(this).addWarningV2(
        'mfa-config-rules:securityHubWithServiceLinkedRules',
        "Security Hub automation rules act on AWS Config findings, but AWS documents that evaluations of service-linked rules (conformance-pack and organization rules) are not sent to Security Hub. Deploy with ruleDeployment 'configRules' (context ruleDeployment=configRules, either stack) so the findings exist; see docs/security-hub.md.",
      );
    }
    if (hub && (firstOrder < 1 || firstOrder + rules.length - 1 > 1000)) {
      throw new Error(`${this.node.path}: securityHub.firstRuleOrder must leave orders in 1–1000`);
    }
  }

  /**
   * Routes member accounts' compliance changes to this account's topic (organization stack, only
   * with notifications): a central event bus that accepts events from the organization only
   * (`aws:PrincipalOrgID`), the same rule and message on it, and a service-managed StackSet that
   * gives every account of the target OUs a forwarding rule (in this Region: the organization
   * conformance pack runs here).
   */
  routeOrganizationEvents(routing: OrganizationEventRouting): void {
    if (!this.topic) return;
    const bus = new events.EventBus(this, 'CentralEventBus', {
      eventBusName: CENTRAL_EVENT_BUS_NAME,
      description: 'mfa-config-rules: AWS Config compliance changes forwarded by member accounts',
    });
    bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OrganizationMembersPutEvents',
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': routing.organizationId } },
      }),
    );
    const memberRule = new events.Rule(this, 'MemberComplianceChange', {
      eventBus: bus,
      description: `mfa-config-rules: member accounts' compliance changes to and from NON_COMPLIANT of ${this.rules.map((r) => r.name).join(', ')}`,
      eventPattern: complianceChangePattern(this.rules),
      targets: [new targets.SnsTopic(this.topic, { message: complianceChangeMessage() })],
    });
    this.watchAlertPath(memberRule, bus, new cwActions.SnsAction(this.topic));
    this.centralEventBus = bus;
    this.forwardingStackSet = new cloudformation.CfnStackSet(this, 'ForwardingStackSet', {
      stackSetName: routing.stackSetName ?? 'mfa-config-rules-compliance-events',
      description:
        'Forwards mfa-config-rules compliance changes of each account to the central event bus.',
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      callAs: routing.callAs,
      capabilities: ['CAPABILITY_IAM'],
      managedExecution: { Active: true },
      operationPreferences: {
        regionConcurrencyType: 'PARALLEL',
        maxConcurrentPercentage: 100,
        failureTolerancePercentage: 10,
      },
      parameters: [{ parameterKey: BUS_PARAMETER, parameterValue: bus.eventBusArn }],
      stackInstancesGroup: [
        {
          // From a delegated administrator, this (central) account is itself in the target OUs:
          // its own rule on the default bus (above) already mails its changes, so the StackSet
          // leaves it out (AccountFilterType DIFFERENCE: "StackSets deploys to the OU, excluding
          // the accounts specified in the Accounts parameter":
          // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-cloudformation-stackset-deploymenttargets.html),
          // or every change would be mailed twice. The management account (SELF) never gets a
          // service-managed stack instance anyway.
          deploymentTargets:
            routing.callAs === 'DELEGATED_ADMIN'
              ? {
                  organizationalUnitIds: [...routing.targetOrganizationalUnitIds],
                  accounts: [Stack.of(this).account],
                  accountFilterType: 'DIFFERENCE',
                }
              : { organizationalUnitIds: [...routing.targetOrganizationalUnitIds] },
          regions: [Stack.of(this).region],
        },
      ],
      templateBody: JSON.stringify(memberForwardingTemplate(this.rules)),
    });
  }

  /**
   * Alarm on a compliance-change rule's `FailedInvocations` (AWS/Events): events it could not
   * deliver to the topic after EventBridge's retries. The metric's dimensions are `RuleName` for a
   * rule on the default bus and `EventBusName` + `RuleName` on a custom bus ("Monitoring Amazon
   * EventBridge": https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html);
   * EventBridge sends it only when it is not zero, so missing data is not a breach.
   */
  private watchAlertPath(
    rule: events.Rule,
    bus: events.IEventBus | undefined,
    action: cwActions.SnsAction,
  ): void {
    const alarm = new cloudwatch.Alarm(rule, 'FailedInvocationsAlarm', {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'FailedInvocations',
        dimensionsMap: {
          ...(bus ? { EventBusName: bus.eventBusName } : {}),
          RuleName: rule.ruleName,
        },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `mfa-config-rules: the compliance-change rule${bus ? ' on the central bus (member accounts)' : ''} could not deliver a change to the alert topic after EventBridge's retries: alerts are being lost. Check the topic policy and its KMS key policy (events.amazonaws.com). The verdicts themselves stay in AWS Config.`,
    });
    alarm.addAlarmAction(action);
    this.alertPathAlarms.push(alarm);
  }

  /**
   * Alarm on the topic's `NumberOfNotificationsFailed` (AWS/SNS, dimension TopicName): a delivery
   * to a subscription (an email address) that SNS gave up on. The alarm notifies the same topic,
   * so a topic that fails every delivery is seen in CloudWatch (ALARM), not by email.
   */
  private watchTopic(topic: sns.ITopic, action: cwActions.SnsAction): void {
    const alarm = new cloudwatch.Alarm(this, 'TopicDeliveryFailuresAlarm', {
      metric: topic.metricNumberOfNotificationsFailed({
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'mfa-config-rules: the alert topic failed to deliver a notification to a subscription (NumberOfNotificationsFailed): an email address bounces or a subscription was removed. Check the subscriptions of the topic.',
    });
    alarm.addAlarmAction(action);
    this.alertPathAlarms.push(alarm);
  }

  private createTopic(): sns.Topic {
    const stack = Stack.of(this);
    const key = new kms.Key(this, 'TopicKey', {
      description: 'mfa-config-rules: encrypts the alert topic',
      enableKeyRotation: true,
    });
    // EventBridge and CloudWatch alarms publish to an encrypted topic only if the key lets them.
    // EventBridge: the statement AWS documents for an encrypted SNS target, with no condition
    // ("Amazon SNS permissions": https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions).
    // Do not "tighten" it with aws:SourceAccount or aws:SourceArn: EventBridge is not documented to
    // supply them to KMS when it publishes to a topic, and a condition it does not meet silently
    // stops every compliance-change alert (the topic's NumberOfNotificationsFailed and the rules'
    // FailedInvocations alarms below are how that would show). Who may publish is governed by the
    // topic policy.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgePublishesToTopic',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    const topic = new sns.Topic(this, 'Topic', {
      displayName: 'mfa-config-rules alerts',
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );
    return topic;
  }

  /** cdk-nag Serverless findings of the alert path (EventBridge → SNS → email), acknowledged. */
  private acknowledgeAlertPath(): void {
    Validations.of(this).acknowledge(
      {
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'Email subscriptions of the alert topic: SNS retries email delivery by its own policy, and an alert it still cannot deliver loses no evidence: the verdict stays in AWS Config (and its Security Hub finding), and a failure alarm stays in ALARM in CloudWatch. The TopicDeliveryFailuresAlarm watches NumberOfNotificationsFailed instead of a dead-letter queue no one reads.',
      },
      {
        id: 'Serverless-EventBusDLQ',
        reason:
          "Compliance-change rules targeting the alert topic in this account: EventBridge retries delivery for 24 hours, each rule's FailedInvocationsAlarm fires on an event it still could not deliver, and the verdict stays in AWS Config. Member accounts' forwarding rules, whose failures this account cannot see, have their own dead-letter queue (memberForwardingTemplate).",
      },
    );
  }

  /** The function's on-failure destination: its own queue, set on its EventInvokeConfig. */
  private failureDestination(scope: Construct, fn: RuleFunction): sqs.Queue {
    const queue = new sqs.Queue(scope, 'FailedInvocations', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: FAILURE_QUEUE_RETENTION,
    });
    const deadLetter =
      'This queue is itself the on-failure destination (dead letter) of the rule function; failed records are alarmed on and read by an operator, never consumed or redriven, so there is nothing to redrive to.';
    Validations.of(queue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: deadLetter },
      { id: 'Serverless-SQSRedrivePolicy', reason: deadLetter },
    );
    // The function is built with retryAttempts/maxEventAge, so CDK already made its
    // EventInvokeConfig; a second configureAsyncInvoke would throw. Add the destination to it.
    const config = fn.function.node.tryFindChild('EventInvokeConfig');
    const cfn = config?.node.defaultChild as lambda.CfnEventInvokeConfig | undefined;
    if (!cfn) {
      throw new Error(`${fn.node.path}: no EventInvokeConfig to add an on-failure destination to`);
    }
    cfn.destinationConfig = { onFailure: { destination: queue.queueArn } };
    // Lambda sends the invocation record with the function's role: SendMessage on this queue only.
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'OnFailureDestination',
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
      }),
    );
    return queue;
  }

  private alarmsFor(
    scope: Construct,
    fn: RuleFunction,
    queue: sqs.Queue,
  ): { errors: cloudwatch.Alarm; others: cloudwatch.Alarm[] } {
    const name = fn.rule.name;
    const period = Duration.minutes(5);
    const common = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    const errors = new cloudwatch.Alarm(scope, 'ErrorsAlarm', {
      ...common,
      metric: fn.function.metricErrors({ period, statistic: 'Sum' }),
      alarmDescription: `mfa-config-rules ${name}: the rule function failed (Lambda Errors). Its verdicts in AWS Config were not updated by that run. See the function's log group (field "error") and the failure queue.`,
    });
    const alarms = [
      new cloudwatch.Alarm(scope, 'FailedInvocationsAlarm', {
        ...common,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        alarmDescription: `mfa-config-rules ${name}: an AWS Config invocation failed after its retries; its record (error type and message) waits in the failure queue for 14 days.`,
      }),
    ];
    for (const [metricName, { level, errorStarts }] of Object.entries(FAILURE_METRICS)) {
      new logs.MetricFilter(scope, `${metricName}Filter`, {
        logGroup: fn.logGroup,
        metricNamespace: METRIC_NAMESPACE,
        metricName,
        metricValue: '1',
        dimensions: { Rule: '$.rule' },
        filterPattern: logs.FilterPattern.all(
          logs.FilterPattern.stringValue('$.level', '=', level),
          logs.FilterPattern.any(
            ...errorStarts.map((start) =>
              logs.FilterPattern.stringValue('$.error', '=', `${start}*`),
            ),
          ),
        ),
      });
      const deadline = metricName === 'DeadlineFailures';
      alarms.push(
        new cloudwatch.Alarm(scope, `${metricName}Alarm`, {
          ...common,
          metric: new cloudwatch.Metric({
            namespace: METRIC_NAMESPACE,
            metricName,
            dimensionsMap: { Rule: name },
            period,
            statistic: 'Sum',
          }),
          alarmDescription: deadline
            ? `mfa-config-rules ${name}: a run stopped at its deadline (DeadlineError) before reporting everything — IAM throttling or a very large account. Nothing partial was reported; raise the timeout or find what shares the IAM rate limit.`
            : `mfa-config-rules ${name}: a run was refused for its account (AccountMismatchError, or AccessDenied / "cannot assume" on the execution role) — the execution role is missing or does not trust the function, or the event named another account.`,
        }),
      );
    }
    return { errors, others: alarms };
  }
}
