/**
 * The AWS Config event, validated strictly. Anything off throws an InvalidInputError naming what
 * is wrong; AWS Config shows that message on the rule and nothing is reported.
 *
 * Unknown keys, in the event and in `invokingEvent`, are IGNORED, not rejected: every key the
 * runtime reads is required to have exactly its documented shape, and nothing else is read or
 * passed on. AWS adds fields to these events over time (`configRuleId`, `version`,
 * `evaluationMode`, `executionRoleArn`, `recordVersion`, `configurationItemDiff`, …; the
 * configuration item carries dozens); rejecting unknown keys would turn such an addition into
 * every rule of every account failing at once, with verdicts frozen until a new release. Ignoring
 * them cannot change a verdict, because nothing unknown is ever used.
 */
import * as z from 'zod/mini';
import { InvalidInputError } from './errors';
import type { Scope } from './types';

export const MESSAGE_TYPES = [
  'ScheduledNotification',
  'ConfigurationItemChangeNotification',
  'OversizedConfigurationItemChangeNotification',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/**
 * Statuses a configuration item may have. None short-cuts the verdict: a change notification is
 * answered from IAM as it is now (runtime/handler.ts), so a user who still exists gets the verdict
 * the next periodic run gives, whatever the item says or `eventLeftScope`.
 */
const KNOWN_STATUSES = [
  'OK',
  'ResourceDiscovered',
  'ResourceDeleted',
  'ResourceNotRecorded',
  'ResourceDeletedNotRecorded',
];

/**
 * An ISO 8601 date and time with a time zone (`Z` or `±hh:mm`), as AWS Config writes them
 * (`2016-02-17T01:36:34.043Z`). `Date.parse` alone would accept `"0"` (the year 2000), a date
 * without a zone (read as local time) and February 30.
 */
const isoTime = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 date and time with a time zone, e.g. 2026-03-01T10:00:00Z',
});

const envelopeSchema = z.object({
  invokingEvent: z.string({ error: 'invokingEvent must be a JSON string' }),
  ruleParameters: z.optional(z.string({ error: 'ruleParameters must be a JSON string' })),
  resultToken: z
    .string({ error: 'resultToken is required' })
    .check(z.minLength(1, 'resultToken is empty')),
  eventLeftScope: z.optional(z.boolean()),
  configRuleName: z
    .string({ error: 'configRuleName is required' })
    .check(z.minLength(1, 'configRuleName is empty')),
  accountId: z
    .string({
      error: (issue) =>
        issue.input === undefined ? 'accountId is required' : 'accountId must be a 12-digit string',
    })
    .check(z.regex(/^\d{12}$/, 'accountId must be a 12-digit string')),
  configRuleArn: z.optional(z.string()),
  executionRoleArn: z.optional(z.string()),
});

const itemSchema = z.object({
  resourceType: z.string().check(z.minLength(1)),
  resourceId: z.string().check(z.minLength(1)),
  resourceName: z.nullish(z.string()),
  configurationItemStatus: z.enum(KNOWN_STATUSES as [string, ...string[]]),
  configurationItemCaptureTime: isoTime,
});

const invokingSchema = z.discriminatedUnion('messageType', [
  z.object({ messageType: z.literal('ScheduledNotification'), notificationCreationTime: isoTime }),
  z.object({
    messageType: z.literal('ConfigurationItemChangeNotification'),
    configurationItem: itemSchema,
  }),
  z.object({
    messageType: z.literal('OversizedConfigurationItemChangeNotification'),
    configurationItemSummary: itemSchema,
  }),
]);

/** What one invocation must do, as the event asks it. */
export interface ConfigRequest {
  ruleName: string;
  accountId: string;
  resultToken: string;
  testMode: boolean;
  messageType: MessageType;
  orderingTimestamp: Date;
  /** Raw rule parameters (validated against the rule's schema separately). */
  ruleParameters: Record<string, unknown>;
  target:
    | { kind: 'all' }
    | {
        kind: 'resource';
        resourceType: string;
        resourceId: string;
        resourceName: string | undefined;
      };
}

export function parseConfigEvent(event: unknown): ConfigRequest {
  const envelope = check(envelopeSchema, event, 'event');
  const invoking = check(
    invokingSchema,
    parseJson(envelope.invokingEvent, 'invokingEvent'),
    'invokingEvent',
  );
  const ruleParameters =
    envelope.ruleParameters === undefined
      ? {}
      : parseJson(envelope.ruleParameters, 'ruleParameters');
  if (
    typeof ruleParameters !== 'object' ||
    ruleParameters === null ||
    Array.isArray(ruleParameters)
  ) {
    throw new InvalidInputError('invalid event: ruleParameters must be a JSON object');
  }
  const common = {
    ruleName: envelope.configRuleName,
    accountId: envelope.accountId,
    resultToken: envelope.resultToken,
    testMode: envelope.resultToken === 'TESTMODE',
    messageType: invoking.messageType,
    ruleParameters: ruleParameters as Record<string, unknown>,
  };
  if (invoking.messageType === 'ScheduledNotification') {
    return {
      ...common,
      orderingTimestamp: new Date(invoking.notificationCreationTime),
      target: { kind: 'all' },
    };
  }
  const item =
    invoking.messageType === 'ConfigurationItemChangeNotification'
      ? invoking.configurationItem
      : invoking.configurationItemSummary;
  return {
    ...common,
    orderingTimestamp: new Date(item.configurationItemCaptureTime),
    target: {
      kind: 'resource',
      resourceType: item.resourceType,
      resourceId: item.resourceId,
      resourceName: item.resourceName ?? undefined,
    },
  };
}

/** The scope a rule evaluates for a change notification on one resource. */
export function scopeFor(request: ConfigRequest): Scope {
  if (request.target.kind === 'all') return { kind: 'all' };
  return { kind: 'user', userId: request.target.resourceId, userName: request.target.resourceName };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidInputError(`invalid event: ${what} is not valid JSON`);
  }
}

function check<T>(schema: z.ZodMiniType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidInputError(`invalid ${what}: ${formatIssues(result.error)}`);
}

export function formatIssues(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path.join('.');
      const message = describeIssue(issue);
      // A message that already names its key ("accountId must be …") is not prefixed again.
      return !path || message.startsWith(`${path} `) ? message : `${path}: ${message}`;
    })
    .join('; ');
}

/** zod/mini ships no message locale (it keeps the Lambda bundle small): say it here. */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.message && issue.message !== 'Invalid input') return issue.message;
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'not one of the accepted shapes (check messageType)';
    default:
      return issue.message || issue.code;
  }
}
