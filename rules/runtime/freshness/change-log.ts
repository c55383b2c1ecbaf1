/**
 * The change log of the event path: a DynamoDB table (`mfa-config-rules-changes`) the freshness
 * function writes and the user rules read.
 *
 *   partition key `account` (S), sort key `sk` (S):
 *   - `change#<eventTime>#<eventID>`: one IAM call that changed a user (userName, userId, call,
 *     at), kept `CHANGE_TTL_SECONDS` (longer than a credential report may be old, four hours, plus
 *     the margin), then removed by DynamoDB's TTL; readers also skip expired items, as TTL
 *     deletion may lag;
 *   - `claim#<rule>`: the debounce of one rule's re-evaluation in that account (`until`, epoch
 *     ms): a conditional write wins only when no claim is pending, so a burst of changes asks for
 *     one re-evaluation per rule and account per window.
 *
 * Why a table of our own rather than the exemption registry's (issue 18): different writers and
 * readers (the freshness function writes, the rule functions read; nobody edits it by hand), a TTL
 * on every item, and a partition per account read with one Query per run. Nothing here can make a
 * verdict COMPLIANT: an entry only makes a run read that user live.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  BatchWriteItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { ChangeLogReader, UserChange } from '../types';

/** Entries are kept 6 hours: a credential report is at most 4 hours old, plus margin. */
export const CHANGE_TTL_SECONDS = 6 * 3600;
/** The environment variable that names the table in the rule functions and the freshness function. */
export const CHANGE_LOG_TABLE_ENV = 'MFA_CHANGE_LOG_TABLE';

export interface RecordedChange {
  account: string;
  call: string;
  at: Date;
  eventId: string;
  userName?: string;
  userId?: string;
}

export class ChangeLog implements ChangeLogReader {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records who changed (one item per user named; a call naming nobody records nothing). */
  async record(changes: readonly RecordedChange[]): Promise<number> {
    // One item per key: SQS delivers at least once, so a batch may hold one event twice, and
    // BatchWriteItem refuses a request that names a key twice.
    const byKey = new Map<string, RecordedChange>();
    for (const change of changes) {
      if (change.userName === undefined && change.userId === undefined) continue;
      byKey.set(`${change.account}|${changeKey(change)}`, change);
    }
    const items = [...byKey.values()];
    const expires = Math.floor(this.now() / 1000) + CHANGE_TTL_SECONDS;
    for (let start = 0; start < items.length; start += 25) {
      let requests = items.slice(start, start + 25).map((change) => ({
        PutRequest: {
          Item: {
            account: { S: change.account },
            sk: {
              S: `change#${change.at.toISOString()}#${change.eventId}#${change.userName ?? ''}`,
            },
            call: { S: change.call },
            at: { N: String(change.at.getTime()) },
            expiresAt: { N: String(expires) },
            ...(change.userName ? { userName: { S: change.userName } } : {}),
            ...(change.userId ? { userId: { S: change.userId } } : {}),
          } satisfies Record<string, AttributeValue>,
        },
      }));
      // Unprocessed items are retried (the SDK already retries throttling of the whole call).
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt === 5) throw new Error(`DynamoDB left ${requests.length} change(s) unwritten`);
        const out = await this.client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.table]: requests } }),
        );
        requests = (out.UnprocessedItems?.[this.table] ?? []) as typeof requests;
      }
    }
    return items.length;
  }

  /**
   * Claims the next re-evaluation of `rule` in `account` for `windowMs`: true when no claim was
   * pending (the caller then schedules the re-evaluation at the window's end), false when one is
   * (the re-evaluation already scheduled will start after this change, and read it).
   */
  async claim(account: string, rule: string, windowMs: number): Promise<boolean> {
    const now = this.now();
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            account: { S: account },
            sk: { S: `claim#${rule}` },
            until: { N: String(now + windowMs) },
            expiresAt: { N: String(Math.floor((now + windowMs) / 1000) + CHANGE_TTL_SECONDS) },
          },
          ConditionExpression: 'attribute_not_exists(sk) OR #until < :now',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':now': { N: String(now) } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      if ((error as { name?: unknown }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /** Every unexpired change recorded for the account. */
  async changes(accountId: string, signal?: AbortSignal): Promise<UserChange[]> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const changes: UserChange[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: '#account = :account AND begins_with(sk, :change)',
          ExpressionAttributeNames: { '#account': 'account' },
          ExpressionAttributeValues: { ':account': { S: accountId }, ':change': { S: 'change#' } },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
        signal ? { abortSignal: signal } : {},
      );
      for (const item of out.Items ?? []) {
        const expires = Number(item.expiresAt?.N);
        const at = Number(item.at?.N);
        // An item we cannot read counts (fail closed): only a clean expiry drops one.
        if (Number.isFinite(expires) && expires < nowSeconds) continue;
        const userName = item.userName?.S;
        const userId = item.userId?.S;
        changes.push({
          at: new Date(Number.isFinite(at) ? at : this.now()),
          call: item.call?.S ?? 'unknown',
          ...(userName ? { userName } : {}),
          ...(userId ? { userId } : {}),
        });
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return changes;
  }
}

function changeKey(change: RecordedChange): string {
  return `change#${change.at.toISOString()}#${change.eventId}#${change.userName ?? ''}`;
}

let shared: ChangeLog | undefined;

/**
 * The change log the environment names (`MFA_CHANGE_LOG_TABLE`), read with the function's own
 * credentials, or undefined when the event path is off (`freshness: 'schedule'`).
 */
export function changeLogFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ChangeLog | undefined {
  const table = env[CHANGE_LOG_TABLE_ENV];
  if (!table) return undefined;
  shared ??= new ChangeLog(new DynamoDBClient({ maxAttempts: 8, retryMode: 'adaptive' }), table);
  return shared;
}
