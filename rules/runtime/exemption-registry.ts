/**
 * The central exemption registry: a DynamoDB table in the central (organization) account, written
 * only by the principals the operator names, read by the user rules' functions with their own
 * credentials (never a member's), one strongly consistent Query per account and run.
 *
 * An item:
 *
 * | attribute   | value                                                                  |
 * | ----------- | ---------------------------------------------------------------------- |
 * | `accountId` | partition key: the 12-digit account the user belongs to                |
 * | `entry`     | sort key: `<userId>#<rule>`, `<rule>` a user rule's name or `*` (all)  |
 * | `userId`    | the user's unique id (`AIDA…`): a user re-created under the same name  |
 * |             | has a new id, and the old entry never covers it                         |
 * | `rule`      | the rule's name, or `*`                                                 |
 * | `until`     | last day covered, `YYYY-MM-DD` (end of day UTC)                         |
 * | `reason`    | why (not empty)                                                         |
 * | `grantedBy` | the ARN of whoever granted it (the CLI writes the caller's)            |
 * | `grantedAt` | when (ISO 8601)                                                         |
 *
 * Where a user rule takes its exemptions from is `ExemptionSource` (`tags`: the user's tag, as
 * before the registry; `registry`: the registry only, a member's exemption tag is read and
 * ignored; `both`: the registry first, then the tag). The organization stack passes `registry`,
 * and fixes the same value in each function's environment, so a member who edits the parameter of
 * a plain Config rule in their account gets the run refused (handler.ts), not their tags trusted.
 */
import { QueryCommand, type DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import type { Deadline } from './deadline';
import { DataLoadError, describeError, InvalidInputError } from './errors';

import {
  ALL_USER_RULES,
  DEFAULT_EXEMPTION_SOURCE,
  EXEMPTION_SOURCE_ENV,
  EXEMPTION_SOURCES,
  type ExemptionSource,
} from './exemption-source';

export * from './exemption-source';

export const exemptionSourceParameter = {
  ExemptionSource: z._default(
    z.enum(EXEMPTION_SOURCES, {
      error: `ExemptionSource must be one of ${EXEMPTION_SOURCES.join(', ')}`,
    }),
    DEFAULT_EXEMPTION_SOURCE,
  ),
};

/** IAM user unique ids: `AIDA` and 17 upper-case letters or digits. */
export const USER_ID = /^AIDA[A-Z0-9]{17}$/;
export const ACCOUNT_ID = /^\d{12}$/;
export const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface RegistryEntry {
  accountId: string;
  userId: string;
  /** A user rule's name, or `*`. */
  rule: string;
  until: string;
  reason: string;
  grantedBy: string;
  grantedAt: string;
}

/** An entry as found, or why it cannot be used (it then exempts nobody). */
export type RegistryItem =
  | { ok: true; entry: RegistryEntry }
  | { ok: false; userId: string | undefined; rule: string | undefined; problem: string };

/** The registry's entries for one account, as read at `at`. */
export interface AccountRegistry {
  accountId: string;
  items: readonly RegistryItem[];
  at: Date;
  /** Where they came from, for annotations: `registry <table>` or `exemptions file <path>`. */
  origin: string;
}

/** Reads one account's entries; the function's own reader queries the central table. */
export interface RegistryReader {
  read(accountId: string, deadline?: Deadline): Promise<AccountRegistry>;
}

/** The entry key: `<userId>#<rule>`. */
export function entryKey(userId: string, rule: string): string {
  return `${userId}#${rule}`;
}

/** A calendar day `YYYY-MM-DD` (2027-02-30 is not). */
export function isCalendarDay(value: string): boolean {
  if (!ISO_DAY.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** Checks one entry's fields (from DynamoDB or a file); `problem` names the first one wrong. */
export function checkEntry(fields: Record<string, unknown>): RegistryItem {
  const text = (key: string): string | undefined =>
    typeof fields[key] === 'string' ? fields[key] : undefined;
  const userId = text('userId');
  const rule = text('rule');
  const fail = (problem: string): RegistryItem => ({ ok: false, userId, rule, problem });
  const accountId = text('accountId');
  if (!accountId || !ACCOUNT_ID.test(accountId)) return fail('accountId is not a 12-digit id');
  if (!userId || !USER_ID.test(userId)) return fail('userId is not an IAM user id (AIDA…)');
  if (!rule) return fail('no rule');
  const until = text('until');
  if (!until || !isCalendarDay(until)) return fail('until is not a YYYY-MM-DD calendar day');
  const reason = text('reason')?.trim();
  if (!reason) return fail('no reason');
  return {
    ok: true,
    entry: {
      accountId,
      userId,
      rule,
      until,
      reason,
      grantedBy: text('grantedBy') ?? '',
      grantedAt: text('grantedAt') ?? '',
    },
  };
}

/**
 * The entry that applies to `userId` under `rule`: its own rule's entry before an every-rule one;
 * among usable ones the latest end date. An unusable entry is returned only when no usable one
 * exists (it exempts nobody; the annotation says why).
 */
export function findEntry(
  registry: AccountRegistry,
  userId: string,
  rule: string,
): RegistryItem | undefined {
  const matching = registry.items.filter(
    (item) =>
      (item.ok ? item.entry.userId : item.userId) === userId &&
      [rule, ALL_USER_RULES].includes((item.ok ? item.entry.rule : item.rule) ?? ''),
  );
  const usable = matching
    .filter((item): item is Extract<RegistryItem, { ok: true }> => item.ok)
    .sort((a, b) => (a.entry.until < b.entry.until ? 1 : a.entry.until > b.entry.until ? -1 : 0));
  return usable[0] ?? matching[0];
}

function plain(item: Record<string, AttributeValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).map(([key, value]) => [key, value.S]));
}

/**
 * The central table through the function's own credentials: one strongly consistent Query on the
 * account's partition (more only if it holds over 1 MB of entries). Any failure fails the run:
 * nothing is reported from an unread registry.
 */
export function tableReader(client: DynamoDBClient, tableName: string): RegistryReader {
  return {
    async read(accountId, deadline) {
      const at = new Date();
      const items: RegistryItem[] = [];
      let start: Record<string, AttributeValue> | undefined;
      try {
        do {
          deadline?.check();
          const out = await client.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'accountId = :a',
              ExpressionAttributeValues: { ':a': { S: accountId } },
              ConsistentRead: true,
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
            deadline ? { abortSignal: deadline.signal } : {},
          );
          for (const item of out.Items ?? []) items.push(checkEntry(plain(item)));
          start = out.LastEvaluatedKey;
        } while (start);
      } catch (error) {
        if (deadline?.expired()) throw deadline.explain(error);
        throw new DataLoadError(
          `cannot read the exemption registry ${tableName} for account ${accountId}: ${describeError(error)}`,
        );
      }
      return { accountId, items, at, origin: `registry ${tableName}` };
    },
  };
}

/** Entries held in memory (`evaluate --exemptions FILE`, tests): no DynamoDB. */
export function memoryReader(entries: readonly RegistryItem[], origin: string): RegistryReader {
  return {
    read(accountId) {
      return Promise.resolve({
        accountId,
        items: entries.filter((item) => item.ok && item.entry.accountId === accountId),
        at: new Date(),
        origin,
      });
    },
  };
}

/**
 * The function's environment wins over the rule parameter: a differing parameter (a member edited
 * their plain Config rule) refuses the run. Without the variable (the CLI, tests) the parameter
 * applies.
 */
export function checkSourceAgainstEnvironment(
  parameter: ExemptionSource,
  environment: string | undefined = process.env[EXEMPTION_SOURCE_ENV],
): void {
  if (environment === undefined || environment === '') return;
  if (parameter !== environment) {
    throw new InvalidInputError(
      `ExemptionSource '${parameter}' differs from the '${environment}' this function was deployed with: the rule's parameters were edited outside the pack; nothing was evaluated`,
    );
  }
}
