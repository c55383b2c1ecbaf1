/**
 * The shared scenario accounts (what an administrator set up), their seeding into moto, and the
 * verdicts every rule must give in them, read from each rule's folder (`rules/<name>/cases.ts`):
 * a test that checks every rule across a scenario derives its expectations here, never by hand.
 */
import * as path from 'node:path';
import { CreateVirtualMFADeviceCommand, IAMClient } from '@aws-sdk/client-iam';
import { RULES } from '../../rules/catalog';
import {
  countVerdicts,
  expectedVerdicts,
  type RuleCases,
  type ScenarioAccount,
  type ScenarioRoot,
  type ScenarioUser,
} from '../../rules/runtime/cases';
import type { ComplianceType } from '../../rules/runtime/types';
import { motoClientConfig, seedUsers, setRootState, TEST_ACCOUNT_ID } from './moto';

export type { ScenarioAccount, ScenarioRoot, ScenarioUser };

const ROOT_WITH_PASSWORD: ScenarioRoot = {
  mfa: 'none',
  password: true,
  accessKeys: false,
  signingCertificates: false,
};

/** The account `npm run demo` seeds (and the browser test reads). */
export const DEMO_ACCOUNT: ScenarioAccount = {
  root: ROOT_WITH_PASSWORD,
  users: [
    { name: 'alice', consolePassword: true, mfa: 'virtual' },
    { name: 'bob', consolePassword: true, mfa: 'none' },
    { name: 'carol', consolePassword: true, mfa: 'hardware' },
    { name: 'deploy-bot', consolePassword: false, mfa: 'none' },
    { name: 'dave', consolePassword: true, mfa: 'none' },
  ],
};

/** Root users every account-level rule is run against (test/integration/rules.test.ts). */
export const ROOT_STATES: Readonly<Record<string, ScenarioRoot>> = {
  'a password and no MFA': ROOT_WITH_PASSWORD,
  'a password and a virtual MFA device': { ...ROOT_WITH_PASSWORD, mfa: 'virtual' },
  'a password and a hardware MFA device': { ...ROOT_WITH_PASSWORD, mfa: 'hardware' },
  'access keys and a hardware MFA device': {
    ...ROOT_WITH_PASSWORD,
    mfa: 'hardware',
    accessKeys: true,
  },
  'access keys only': { ...ROOT_WITH_PASSWORD, password: false, accessKeys: true },
  'a signing certificate only': {
    ...ROOT_WITH_PASSWORD,
    password: false,
    signingCertificates: true,
  },
  'no credentials (centralized root access)': { ...ROOT_WITH_PASSWORD, password: false },
};

/** `count` console users, every other one without MFA (the consumer and large-output tests). */
export function consoleUsersAccount(count: number): ScenarioAccount {
  return {
    root: { ...ROOT_WITH_PASSWORD, mfa: 'hardware' },
    users: Array.from({ length: count }, (_, i) => ({
      name: `user-with-a-longish-name-${String(i).padStart(4, '0')}`,
      consolePassword: true,
      mfa: i % 2 === 0 ? ('virtual' as const) : ('none' as const),
    })),
  };
}

/** A rule's cases, from its folder. */
export function casesOf(ruleName: string): RuleCases {
  const file = path.join(__dirname, '..', '..', 'rules', ruleName, 'cases');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(file) as { cases: RuleCases }).cases;
}

/** Every rule's expected verdicts in a scenario account: rule → resource name → verdict. */
export function expectedByRule(
  account: ScenarioAccount,
  accountId = TEST_ACCOUNT_ID,
): Map<string, Map<string, ComplianceType>> {
  return new Map(
    RULES.map((rule) => [
      rule.metadata.name,
      expectedVerdicts(casesOf(rule.metadata.name), account, accountId),
    ]),
  );
}

/** Counts per rule and in total, for summaries: rule → {NON_COMPLIANT, COMPLIANT, NOT_APPLICABLE}. */
export function expectedCounts(account: ScenarioAccount): {
  byRule: Map<string, Record<ComplianceType, number>>;
  total: Record<ComplianceType, number>;
  evaluations: number;
} {
  const byRule = new Map(
    [...expectedByRule(account)].map(([rule, verdicts]) => [
      rule,
      countVerdicts(verdicts.values()),
    ]),
  );
  const total = countVerdicts(
    [...expectedByRule(account).values()].flatMap((v) => [...v.values()]),
  );
  return {
    byRule,
    total,
    evaluations: total.COMPLIANT + total.NON_COMPLIANT + total.NOT_APPLICABLE,
  };
}

/** Sets the root user of the test account as the scenario describes. */
export async function seedRoot(endpoint: string, root: ScenarioRoot): Promise<void> {
  let virtualMfaSerial: string | null = null;
  if (root.mfa === 'virtual') {
    const iam = new IAMClient(motoClientConfig(endpoint));
    try {
      const created = await iam.send(
        new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `root-mfa-${Date.now()}` }),
      );
      virtualMfaSerial = created.VirtualMFADevice?.SerialNumber ?? null;
    } finally {
      iam.destroy();
    }
  }
  await setRootState(endpoint, {
    mfaEnabled: root.mfa !== 'none',
    passwordPresent: root.password,
    accessKeysPresent: root.accessKeys,
    signingCertificatesPresent: root.signingCertificates,
    virtualMfaSerial,
  });
}

/** Seeds a whole scenario account into moto (the test account). */
export async function seedScenario(endpoint: string, account: ScenarioAccount): Promise<void> {
  await seedRoot(endpoint, account.root);
  await seedUsers(
    endpoint,
    TEST_ACCOUNT_ID,
    account.users.map((user) => ({
      name: user.name,
      consolePassword: user.consolePassword,
      mfa: user.mfa,
    })),
  );
}

/** One line per subject: `root:       password, no MFA`, `alice:      console password + virtual MFA`. */
export function describeScenario(account: ScenarioAccount): string {
  const mfa = (kind: ScenarioRoot['mfa']) => (kind === 'none' ? 'no MFA' : `${kind} MFA`);
  const { root } = account;
  const credentials = [
    root.password ? 'password' : '',
    root.accessKeys ? 'access keys' : '',
    root.signingCertificates ? 'signing certificate' : '',
  ].filter(Boolean);
  const lines: [string, string][] = [
    ['root', `${credentials.join(', ') || 'no credentials'}, ${mfa(root.mfa)}`],
    ...account.users.map((user): [string, string] => [
      user.name,
      user.consolePassword
        ? `console password${user.mfa === 'none' ? ', no MFA' : ` + ${mfa(user.mfa)}`}`
        : `API only (no console password)${user.mfa === 'none' ? '' : ` + ${mfa(user.mfa)}`}`,
    ]),
  ];
  const width = Math.max(...lines.map(([name]) => name.length)) + 2;
  return lines.map(([name, text]) => `${`${name}:`.padEnd(width)}${text}`).join('\n');
}
