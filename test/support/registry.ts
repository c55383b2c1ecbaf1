/** The exemption registry's table in moto (the central account): created as the stacks create it. */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PARTITION_KEY, putEntry, SORT_KEY } from '../../cli/exemption-store';
import {
  DEFAULT_EXEMPTION_TABLE,
  type RegistryEntry,
} from '../../rules/runtime/exemption-registry';
import { isoDay } from '../../rules/runtime/exemptions';
import { motoClientConfig } from './moto';

const DAY_MS = 86_400_000;

/** The UTC day `days` from now, `YYYY-MM-DD` (an entry's `until`). */
export function inDays(days: number): string {
  return isoDay(new Date(Date.now() + days * DAY_MS));
}

export function registryClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient(motoClientConfig(endpoint));
}

export async function createRegistryTable(
  endpoint: string,
  table = DEFAULT_EXEMPTION_TABLE,
): Promise<void> {
  await registryClient(endpoint).send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: PARTITION_KEY, AttributeType: 'S' },
        { AttributeName: SORT_KEY, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: SORT_KEY, KeyType: 'RANGE' },
      ],
    }),
  );
}

export async function putRegistryEntries(
  endpoint: string,
  entries: readonly (Omit<RegistryEntry, 'grantedBy' | 'grantedAt'> &
    Partial<Pick<RegistryEntry, 'grantedBy' | 'grantedAt'>>)[],
  table = DEFAULT_EXEMPTION_TABLE,
): Promise<void> {
  const client = registryClient(endpoint);
  for (const entry of entries) {
    await putEntry(client, table, {
      grantedBy: 'arn:aws:iam::123456789012:role/SecurityExemptions',
      grantedAt: new Date().toISOString(),
      ...entry,
    });
  }
}
