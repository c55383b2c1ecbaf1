/**
 * The exemption registry's table as the CLI writes and lists it (the functions only Query it:
 * rules/runtime/exemption-registry.ts). Keys: `accountId` (partition), `entry` = `<userId>#<rule>`
 * (sort).
 */
import {
  DeleteItemCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  checkEntry,
  entryKey,
  type RegistryEntry,
  type RegistryItem,
} from '../rules/runtime/exemption-registry';

export const PARTITION_KEY = 'accountId';
export const SORT_KEY = 'entry';

function item(entry: RegistryEntry): Record<string, AttributeValue> {
  return {
    [PARTITION_KEY]: { S: entry.accountId },
    [SORT_KEY]: { S: entryKey(entry.userId, entry.rule) },
    userId: { S: entry.userId },
    rule: { S: entry.rule },
    until: { S: entry.until },
    reason: { S: entry.reason },
    grantedBy: { S: entry.grantedBy },
    grantedAt: { S: entry.grantedAt },
  };
}

/** Writes (or replaces) the entry for the user id and rule. */
export async function putEntry(
  client: DynamoDBClient,
  table: string,
  entry: RegistryEntry,
): Promise<void> {
  await client.send(new PutItemCommand({ TableName: table, Item: item(entry) }));
}

/** Deletes the entry; resolves to false when there was none. */
export async function deleteEntry(
  client: DynamoDBClient,
  table: string,
  key: { accountId: string; userId: string; rule: string },
): Promise<boolean> {
  const out = await client.send(
    new DeleteItemCommand({
      TableName: table,
      Key: {
        [PARTITION_KEY]: { S: key.accountId },
        [SORT_KEY]: { S: entryKey(key.userId, key.rule) },
      },
      ReturnValues: 'ALL_OLD',
    }),
  );
  return out.Attributes !== undefined;
}

/** Every entry of the table (a Scan, paged), as checked items. */
export async function scanEntries(client: DynamoDBClient, table: string): Promise<RegistryItem[]> {
  const items: RegistryItem[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(
      new ScanCommand({
        TableName: table,
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const found of out.Items ?? []) {
      items.push(checkEntry(Object.fromEntries(Object.entries(found).map(([k, v]) => [k, v.S]))));
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
