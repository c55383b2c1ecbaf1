/** Shared fixtures for the unit suites (mocked SDK clients, report CSV, errors). */
import { parse } from 'csv-parse/sync';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { IAMClient } from '@aws-sdk/client-iam';
import type { GatherContext } from '../../rules/runtime/types';

export const ACCOUNT = '123456789012';
export const CREATED = '2024-01-01T00:00:00+00:00';
export const CREATED_DATE = new Date('2024-01-01T00:00:00Z');
export const REPORT_HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,mfa_active';

export function gatherContext(): GatherContext {
  return {
    clients: {
      iam: new IAMClient({ region: 'us-east-1' }),
      config: new ConfigServiceClient({ region: 'us-east-1' }),
    },
    accountId: ACCOUNT,
    partition: 'aws',
    remainingMs: () => 1e9,
    tuning: { pollIntervalMs: 1, sleep: () => Promise.resolve() },
  };
}

/**
 * A GetAccountSummary answer: by default a root user with MFA and a password, and no access keys
 * or signing certificates; `overrides` changes single keys.
 */
export function accountSummary(overrides: Record<string, number> = {}): {
  SummaryMap: Record<string, number>;
} {
  return {
    SummaryMap: {
      AccountMFAEnabled: 1,
      AccountPasswordPresent: 1,
      AccountAccessKeysPresent: 0,
      AccountSigningCertificatesPresent: 0,
      ...overrides,
    },
  };
}

/** An SDK-style service error: compared by `name` in the runtime. */
export function awsError(name: string, message = name): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export function userArn(name: string, account = ACCOUNT): string {
  return `arn:aws:iam::${account}:user/${name}`;
}

export interface TestUser {
  UserName: string;
  UserId: string;
  Arn: string;
  Path: string;
  CreateDate: Date;
}

export function listedUser(name: string, id = `AIDA${name.toUpperCase()}`): TestUser {
  return { UserName: name, UserId: id, Arn: userArn(name), Path: '/', CreateDate: CREATED_DATE };
}

/** One well-formed report row. */
export function reportRow(
  name: string,
  password: boolean,
  mfa: boolean,
  created = CREATED,
): string {
  return `${name},${userArn(name)},${created},${String(password)},N/A,${String(mfa)}`;
}

export const ROOT_ROW = `<root_account>,arn:aws:iam::${ACCOUNT}:root,${CREATED},not_supported,N/A,false`;

export function reportCsv(rows: readonly string[]): Uint8Array {
  return new TextEncoder().encode([REPORT_HEADER, ROOT_ROW, ...rows].join('\n') + '\n');
}

/**
 * A virtual device assigned now, by user name, for every report row that shows MFA: the bulk
 * facts then stand as the report gives them (a user the report shows with MFA and no virtual device
 * assigned gets ListMFADevices live, runtime/facts/users.ts).
 */
export function virtualDevicesFor(rows: readonly string[]): Record<string, string> {
  const devices: Record<string, string> = {};
  const records: string[][] = parse(rows.join('\n'), { relax_column_count: true });
  for (const row of records) {
    const [name, , , , , mfa] = row;
    if (name && mfa === 'true') devices[name] = `arn:aws:iam::${ACCOUNT}:mfa/${name}`;
  }
  return devices;
}

/** ListVirtualMFADevices' answer with `virtualDevicesFor(rows)` assigned. */
export function virtualMfaListing(rows: readonly string[]): {
  VirtualMFADevices: { SerialNumber: string; User: TestUser }[];
  IsTruncated: false;
} {
  return {
    VirtualMFADevices: Object.entries(virtualDevicesFor(rows)).map(([name, serial]) => ({
      SerialNumber: serial,
      User: listedUser(name),
    })),
    IsTruncated: false,
  };
}
