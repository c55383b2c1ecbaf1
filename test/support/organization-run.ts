/**
 * An organization's periodic run against the extended moto, through the real path: one central
 * handler per rule (its container reused across accounts, as Lambda does), each event naming a
 * member account and `ExecutionRoleName`, so the function assumes that account's execution role
 * with its rule's session policy and reports there; the Config rule names are those of the
 * deployment mode (`<rule>-conformance-pack-<id>` per account, or the exact names of
 * `ruleDeployment: 'configRules'`). Used by test/integration/organization-run.test.ts and
 * bench/organization.ts.
 */
import { RULE_METADATA } from '../../rules/catalog';
import { mapPool } from '../../rules/runtime/pool';
import { DEFAULT_EXECUTION_ROLE_NAME } from '../../infra/settings';
import { scheduledEvent } from './events';
import { seedUsers, setRootState, type SeededUser } from './moto';
import { motoHandler } from './rule-runs';

export type DeploymentMode = 'conformancePack' | 'configRules';

/** `n` member account ids (none is moto's default account, which plays the central one). */
export function memberAccounts(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String(200000000000 + i * 1111));
}

/** The Config rule name AWS Config gives `rule` in `account` under `mode`. */
export function configRuleName(rule: string, account: string, mode: DeploymentMode): string {
  return mode === 'configRules' ? rule : `${rule}-conformance-pack-a${account.slice(-8)}`;
}

export interface SeededAccount {
  account: string;
  users: SeededUser[];
}

/**
 * Per account: a user with MFA, one without, one without a console password; root with MFA in
 * even accounts, without in odd ones (so the verdicts differ from account to account).
 */
export async function seedOrganization(
  endpoint: string,
  accounts: readonly string[],
): Promise<SeededAccount[]> {
  return Promise.all(
    accounts.map(async (account, index) => {
      await setRootState(endpoint, {
        accountId: account,
        mfaEnabled: index % 2 === 0,
        passwordPresent: true,
      });
      const users = await seedUsers(endpoint, account, [
        { name: `with-mfa-${account}`, consolePassword: true, mfa: 'virtual' },
        { name: `without-mfa-${account}`, consolePassword: true },
        { name: `api-only-${account}`, mfa: 'none' },
      ]);
      return { account, users };
    }),
  );
}

export interface AccountRun {
  account: string;
  /** Wall time of the account's five invocations, one after another, in milliseconds. */
  ms: number;
  /** Verdicts sent, per rule. */
  sent: Record<string, number>;
}

/** Runs every rule over every account (`concurrency` accounts at a time); resolves per account. */
export async function runOrganization(
  endpoint: string,
  accounts: readonly string[],
  mode: DeploymentMode,
  concurrency = 4,
): Promise<AccountRun[]> {
  const handlers = Object.fromEntries(
    RULE_METADATA.map((rule) => [rule.name, motoHandler(endpoint, rule.name)]),
  );
  const at = new Date().toISOString();
  return mapPool(accounts, concurrency, async (account) => {
    const started = performance.now();
    const sent: Record<string, number> = {};
    for (const rule of RULE_METADATA) {
      const name = configRuleName(rule.name, account, mode);
      const handler = handlers[rule.name];
      if (!handler) throw new Error(rule.name);
      const summary = await handler(
        scheduledEvent(name, {
          accountId: account,
          resultToken: name,
          notificationCreationTime: at,
          parameters: { ExecutionRoleName: DEFAULT_EXECUTION_ROLE_NAME },
        }),
      );
      sent[rule.name] = Object.values(summary.counts).reduce((a, b) => a + b, 0);
    }
    return { account, ms: performance.now() - started, sent };
  });
}

export interface AssumeRoleCall {
  roleArn: string;
  policy: string | null;
  accessKey: string | null;
}

/** The AssumeRole requests moto received since the last call (test/moto/server.py, section j). */
export async function takeAssumeRoleCalls(endpoint: string): Promise<AssumeRoleCall[]> {
  const response = await fetch(`${endpoint}/moto-ext/assume-role-calls`);
  if (!response.ok)
    throw new Error(`moto /moto-ext/assume-role-calls: HTTP ${String(response.status)}`);
  return ((await response.json()) as { calls: AssumeRoleCall[] }).calls;
}
