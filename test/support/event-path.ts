/**
 * The event path (issue 22) end to end against the extended moto: an IAM call made through the
 * SDK, its CloudTrail record as EventBridge delivers it ("AWS API Call via CloudTrail"), the SQS
 * batch the event source mapping hands the freshness function after its batching window, the
 * StartConfigRulesEvaluation requests moto records, then each re-evaluation's run as Config starts
 * it (a ScheduledNotification for the deployed rule name), and the verdict Config then holds.
 *
 * Used by test/integration/event-path.test.ts and bench/freshness.ts.
 */
import { randomUUID } from 'node:crypto';
import { ConfigServiceClient, PutConfigRuleCommand } from '@aws-sdk/client-config-service';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { findRule } from '../../rules/catalog';
import type { RuleName } from '../../rules/rule-names';
import { ClientProvider } from '../../rules/runtime/clients';
import { ChangeLog } from '../../rules/runtime/freshness/change-log';
import {
  createFreshnessHandler,
  FRESHNESS_ENV,
  type FreshnessHandler,
} from '../../rules/runtime/freshness/handler';
import { createHandler, type ConfigRuleHandler } from '../../rules/runtime/handler';
import { scheduledEvent } from './events';
import { motoClientConfig, TEST_ACCOUNT_ID } from './moto';
import { storedEvaluations, type StoredEvaluation } from './stored';

export const CHANGE_TABLE = 'mfa-config-rules-changes';
/** The suffix a conformance pack gives its rules' names in the emulated account. */
export const PACK_SUFFIX = '-conformance-pack-ab12cd34e';
const USER_RULES: RuleName[] = ['iam-user-console-mfa', 'iam-user-mfa', 'iam-user-hardware-mfa'];

export interface CloudTrailCall {
  eventName: string;
  requestParameters?: Record<string, unknown>;
  responseElements?: Record<string, unknown>;
  errorCode?: string;
  account?: string;
  /** When the IAM call was made; default now. */
  at?: Date;
}

/** One IAM API call as EventBridge delivers its CloudTrail record (us-east-1, default bus). */
export function cloudTrailEvent(call: CloudTrailCall): Record<string, unknown> {
  const account = call.account ?? TEST_ACCOUNT_ID;
  const at = (call.at ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.iam',
    account,
    time: at,
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDAADMINISTRATOR',
        arn: `arn:aws:iam::${account}:user/administrator`,
        accountId: account,
        userName: 'administrator',
      },
      eventTime: at,
      eventSource: 'iam.amazonaws.com',
      eventName: call.eventName,
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.7',
      userAgent: 'aws-cli/2.17.0',
      requestParameters: call.requestParameters ?? null,
      responseElements: call.responseElements ?? null,
      ...(call.errorCode ? { errorCode: call.errorCode, errorMessage: call.errorCode } : {}),
      requestID: randomUUID(),
      eventID: randomUUID(),
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: account,
      eventCategory: 'Management',
    },
  };
}

/** The SQS batch the event source mapping delivers: each message body is one EventBridge event. */
export function queueBatch(events: readonly Record<string, unknown>[]): {
  Records: { messageId: string; body: string }[];
} {
  return {
    Records: events.map((event) => ({ messageId: randomUUID(), body: JSON.stringify(event) })),
  };
}

export interface Reevaluation {
  accountId: string;
  region: string;
  rules: string[];
  at: number;
}

export async function takeReevaluations(endpoint: string): Promise<Reevaluation[]> {
  const response = await fetch(`${endpoint}/moto-ext/reevaluations`);
  if (!response.ok) throw new Error(`moto /moto-ext/reevaluations: HTTP ${response.status}`);
  return ((await response.json()) as { reevaluations: Reevaluation[] }).reevaluations;
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, Math.max(0, ms));
  });

export interface EventPathOptions {
  /** The debounce window (the event source mapping's batching window), seconds. */
  windowSeconds?: number;
  rules?: RuleName[];
  /** Wait the window before handing the batch over, as the event source mapping does. */
  emulateWindow?: boolean;
}

/** The emulated account's side of the event path. */
export class EventPath {
  readonly freshness: FreshnessHandler;
  readonly changeLog: ChangeLog;
  private readonly handlers = new Map<string, ConfigRuleHandler>();
  readonly windowSeconds: number;
  readonly rules: RuleName[];

  constructor(
    private readonly endpoint: string,
    private readonly options: EventPathOptions = {},
  ) {
    this.windowSeconds = options.windowSeconds ?? 1;
    this.rules = options.rules ?? USER_RULES;
    const clients = new ClientProvider({ endpoint, region: 'us-east-1' });
    this.changeLog = new ChangeLog(new DynamoDBClient(motoClientConfig(endpoint)), CHANGE_TABLE);
    this.freshness = createFreshnessHandler({
      clients,
      changeLog: this.changeLog,
      env: {
        [FRESHNESS_ENV.table]: CHANGE_TABLE,
        [FRESHNESS_ENV.rules]: this.rules.join(','),
        [FRESHNESS_ENV.windowSeconds]: String(this.windowSeconds),
        [FRESHNESS_ENV.exemptionTagKeys]: 'mfa-exemption',
        [FRESHNESS_ENV.privilegeTagKeys]: 'mfa-privileged',
      },
    });
    for (const name of this.rules) {
      const rule = findRule(name);
      if (!rule) throw new Error(`no rule ${name}`);
      this.handlers.set(
        name,
        createHandler(rule, {
          clients,
          tuning: { pollIntervalMs: 20 },
          ...(rule.metadata.readsChangeLog ? { changeLog: this.changeLog } : {}),
        }),
      );
    }
  }

  /** What the stack deploys, in moto: the change-log table and the rules (conformance-pack names). */
  async deploy(): Promise<void> {
    const config = motoClientConfig(this.endpoint);
    const dynamodb = new DynamoDBClient(config);
    await dynamodb.send(
      new CreateTableCommand({
        TableName: CHANGE_TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'account', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'account', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    dynamodb.destroy();
    const iam = new IAMClient(config);
    const lambda = new LambdaClient(config);
    const configService = new ConfigServiceClient(config);
    const role = await iam.send(
      new CreateRoleCommand({ RoleName: 'rule-function', AssumeRolePolicyDocument: '{}' }),
    );
    // The smallest valid zip archive: moto stores the code, nothing runs it.
    const zip = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...Array<number>(18).fill(0)]);
    for (const name of this.rules) {
      const fn = await lambda.send(
        new CreateFunctionCommand({
          FunctionName: `fn-${name}`,
          Runtime: 'nodejs22.x',
          Role: role.Role?.Arn ?? '',
          Handler: 'index.handler',
          Code: { ZipFile: zip },
        }),
      );
      await configService.send(
        new PutConfigRuleCommand({
          ConfigRule: {
            ConfigRuleName: `${name}${PACK_SUFFIX}`,
            Source: {
              Owner: 'CUSTOM_LAMBDA',
              SourceIdentifier: fn.FunctionArn ?? '',
              SourceDetails: [
                {
                  EventSource: 'aws.config',
                  MessageType: 'ScheduledNotification',
                  MaximumExecutionFrequency: 'TwentyFour_Hours',
                },
              ],
            },
          },
        }),
      );
    }
    iam.destroy();
    lambda.destroy();
    configService.destroy();
  }

  /** A periodic run of one rule, as Config starts it (also what a re-evaluation starts). */
  async run(rule: RuleName): Promise<void> {
    const handler = this.handlers.get(rule);
    if (!handler) throw new Error(`rule ${rule} is not deployed here`);
    const name = `${rule}${PACK_SUFFIX}`;
    await handler(scheduledEvent(name, { resultToken: name }));
  }

  /** The verdicts Config holds for one rule. */
  async verdicts(rule: RuleName): Promise<StoredEvaluation[]> {
    return storedEvaluations(this.endpoint, `${rule}${PACK_SUFFIX}`);
  }

  /**
   * Delivers events as the queue does (after the batching window, when emulated), then runs every
   * re-evaluation that was started, as Config would. Returns what was started and the function's
   * result.
   */
  async deliver(events: readonly Record<string, unknown>[]): Promise<{
    result: Awaited<ReturnType<FreshnessHandler>>;
    reevaluations: Reevaluation[];
  }> {
    if (this.options.emulateWindow) await sleep(this.windowSeconds * 1000);
    const result = await this.freshness(queueBatch(events));
    const reevaluations = await takeReevaluations(this.endpoint);
    for (const reevaluation of reevaluations) {
      for (const configRuleName of reevaluation.rules) {
        const rule = this.rules.find((name) => configRuleName === `${name}${PACK_SUFFIX}`);
        if (rule) await this.run(rule);
      }
    }
    return { result, reevaluations };
  }
}
