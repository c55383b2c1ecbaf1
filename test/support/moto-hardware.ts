/**
 * Typed wrappers for the extended moto's hardware-MFA endpoints (test/moto/server.py, section i):
 * FIDO certifications for GetMFADevice, and bulk seeding of users with groups, policies, tags and
 * MFA devices. Node built-ins only, so the benchmark can use it too. The server needs
 * MOTO_IAM_LOAD_MANAGED_POLICIES=true to attach AWS managed policies such as AdministratorAccess.
 */
import { TEST_ACCOUNT_ID, type SeededUser } from './moto';

export const ADMINISTRATOR_ACCESS = 'arn:aws:iam::aws:policy/AdministratorAccess';
/** The environment the server needs for these users. */
export const HARDWARE_MOTO_ENV = { MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' } as const;

/** A device to enable: by serial (plain: hardware TOTP; `arn:…:u2f/…`: FIDO), or a new virtual one. */
export type SeedDevice =
  { serial: string; certifications?: Record<string, string> } | { kind: 'virtual' };

export interface SeedHardwareUser {
  name: string;
  groups?: string[];
  policies?: string[];
  /** An inline policy document (`<name>-inline`). */
  inline?: object;
  /** A managed policy ARN set as the user's permissions boundary. */
  boundary?: string;
  tags?: Record<string, string>;
  devices?: SeedDevice[];
}

export interface SeedGroup {
  name: string;
  policies?: string[];
}

/** A customer-managed policy, created before groups and users (ARN `…:policy/<name>`). */
export interface SeedPolicy {
  name: string;
  document: object;
}

export interface SeedRole {
  name: string;
  trust: object;
  policies?: string[];
  inline?: object;
}

/** A FIDO key's serial as IAM gives it: `arn:aws:iam::<account>:u2f/user/<name>/<key>`. */
export function fidoSerial(userName: string, key = 'key-1', accountId = TEST_ACCOUNT_ID): string {
  return `arn:aws:iam::${accountId}:u2f/user/${userName}/${key}`;
}

async function post(endpoint: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${endpoint}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`moto ${path} failed with HTTP ${response.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

/** Creates groups, then users (groups, policies, tags, devices) server-side in one request. */
export async function seedHardwareUsers(
  endpoint: string,
  spec: {
    policies?: SeedPolicy[];
    roles?: SeedRole[];
    groups?: SeedGroup[];
    users: SeedHardwareUser[];
  },
  accountId: string = TEST_ACCOUNT_ID,
): Promise<SeededUser[]> {
  const result = (await post(endpoint, '/moto-ext/seed-hardware-users', {
    accountId,
    ...spec,
  })) as { users: SeededUser[] };
  return result.users;
}

/** What GetMFADevice reports for a FIDO serial; null: no Certifications member. */
export async function setFidoCertifications(
  endpoint: string,
  serial: string,
  certifications: Record<string, string> | null,
  accountId: string = TEST_ACCOUNT_ID,
): Promise<void> {
  await post(endpoint, '/moto-ext/fido-certifications', { accountId, serial, certifications });
}

/** Back-dates a user: its CreateDate everywhere IAM reports it (credential report included). */
export async function setUserCreated(
  endpoint: string,
  userName: string,
  createdAt: Date,
  accountId: string = TEST_ACCOUNT_ID,
): Promise<void> {
  await post(endpoint, '/moto-ext/user-created', {
    accountId,
    userName,
    createdAt: createdAt.toISOString(),
  });
}
