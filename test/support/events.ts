/**
 * AWS Config events as Config sends them to a rule's Lambda function. Plain data, no SDK: the demo
 * and the benchmark's Lambda runner use them too.
 */
import { TEST_ACCOUNT_ID } from './moto';

/** The event envelope fields the runtime reads. */
export interface ConfigEvent {
  /** JSON text of the invoking event (the notification). */
  invokingEvent: string;
  /** JSON text of the rule parameters; Config leaves it out when the rule has none. */
  ruleParameters?: string;
  resultToken: string;
  configRuleName: string;
  accountId: string;
}

/** The envelope fields callers vary. */
export interface EventOptions {
  /** The account the event is for. Defaults to TEST_ACCOUNT_ID. */
  accountId?: string;
  /**
   * Defaults to the rule's name: moto stores PutEvaluations under the rule the token names (the
   * text before its first '/'). 'TESTMODE' makes PutEvaluations validate and store nothing.
   */
  resultToken?: string;
  /** Sent as the ruleParameters JSON text; absent, the event has no ruleParameters at all. */
  parameters?: Record<string, unknown>;
}

export interface ScheduledEventOptions extends EventOptions {
  /** ISO 8601 time, the ordering time of every evaluation of the run. Defaults to now. */
  notificationCreationTime?: string;
}

/** A configuration item as a change notification carries it (the fields the rules read). */
export interface ConfigurationItem {
  /** Defaults to AWS::IAM::User, the one resource type whose changes trigger a rule. */
  resourceType?: string;
  resourceId: string;
  resourceName: string;
  /** configurationItemStatus: OK, ResourceDiscovered, ResourceDeleted, ResourceNotRecorded, … */
  status: string;
  /** configurationItemCaptureTime (ISO 8601), the evaluation's ordering time. Defaults to now. */
  captureTime?: string;
}

export interface ChangeEventOptions extends EventOptions {
  /**
   * Send an OversizedConfigurationItemChangeNotification, whose item comes as
   * configurationItemSummary: what Config sends when the item is too large for the event.
   */
  oversized?: boolean;
}

function envelope(rule: string, invoking: object, options: EventOptions): ConfigEvent {
  return {
    invokingEvent: JSON.stringify(invoking),
    ...(options.parameters ? { ruleParameters: JSON.stringify(options.parameters) } : {}),
    resultToken: options.resultToken ?? rule,
    configRuleName: rule,
    accountId: options.accountId ?? TEST_ACCOUNT_ID,
  };
}

/** The event of a periodic run: evaluate every resource of the rule's type in the account. */
export function scheduledEvent(rule: string, options: ScheduledEventOptions = {}): ConfigEvent {
  const invoking = {
    messageType: 'ScheduledNotification',
    notificationCreationTime: options.notificationCreationTime ?? new Date().toISOString(),
  };
  return envelope(rule, invoking, options);
}

/** The event of a configuration change: evaluate the one resource the item names. */
export function changeEvent(
  rule: string,
  item: ConfigurationItem,
  options: ChangeEventOptions = {},
): ConfigEvent {
  const configurationItem = {
    resourceType: item.resourceType ?? 'AWS::IAM::User',
    resourceId: item.resourceId,
    resourceName: item.resourceName,
    configurationItemStatus: item.status,
    configurationItemCaptureTime: item.captureTime ?? new Date().toISOString(),
  };
  const invoking = options.oversized
    ? {
        messageType: 'OversizedConfigurationItemChangeNotification',
        configurationItemSummary: configurationItem,
      }
    : { messageType: 'ConfigurationItemChangeNotification', configurationItem };
  return envelope(rule, invoking, options);
}
