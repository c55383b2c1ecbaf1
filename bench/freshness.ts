/**
 * `npm run bench:freshness` (also the last part of `npm run bench`): issue 22's two figures.
 *
 * 1. What the regression check costs: at FRESHNESS_USERS (default 5,000) users, with 0 %, 10 % and
 *    50 % of the MFA users on hardware/FIDO devices (bench/common.ts population), the IAM calls of
 *    a periodic run of iam-user-console-mfa and iam-user-mfa through their Lambda handlers (moto's
 *    count): the extra ListMFADevices are the users the report shows with MFA that no virtual
 *    device assigned now explains. The floor (bench/worker.ts) makes the same reads.
 * 2. Time to finding through the event path, per kind of change, in the emulator: from just before
 *    the IAM call to the new verdict held by Config: the call, its CloudTrail record as EventBridge
 *    delivers it, the queue's batching window (FRESHNESS_WINDOW_S, default 1 s; deployed: 60–300
 *    s), the freshness function, StartConfigRulesEvaluation, the re-evaluation's run as Config
 *    starts it, PutEvaluations. AWS's own latencies (CloudTrail → EventBridge, Config's scheduling)
 *    cannot be measured here: docs/freshness.md gives them, cited.
 */
import {
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeactivateMFADeviceCommand,
  DeleteVirtualMFADeviceCommand,
  GetUserCommand,
  IAMClient,
  ListMFADevicesCommand,
  PutUserPolicyCommand,
  TagUserCommand,
  UntagUserCommand,
} from '@aws-sdk/client-iam';
import { findRule } from '../rules/catalog';
import type { RuleName } from '../rules/rule-names';
import { ClientProvider } from '../rules/runtime/clients';
import { createHandler } from '../rules/runtime/handler';
import { logger } from '../rules/runtime/logger';
import { cloudTrailEvent, EventPath } from '../test/support/event-path';
import { scheduledEvent } from '../test/support/events';
import {
  motoClientConfig,
  seedUsers,
  startMoto,
  takeCallCounts,
  TEST_ACCOUNT_ID,
} from '../test/support/moto';
import { ENV, fmtCalls, machine, population, s, writeSection, type Calls } from './common';

const USERS = Number(process.env.FRESHNESS_USERS ?? 5000);
const WINDOW_S = Number(process.env.FRESHNESS_WINDOW_S ?? 1);
const SHARES = [0, 0.1, 0.5];
const RULES: RuleName[] = ['iam-user-console-mfa', 'iam-user-mfa'];

interface CostRow {
  share: number;
  rule: RuleName;
  calls: Calls;
  ms: number;
}

async function regressionCost(): Promise<CostRow[]> {
  const rows: CostRow[] = [];
  for (const share of SHARES) {
    const moto = await startMoto({
      env: { MOTO_EXT_REPORT_DELAY_MS: '0', MOTO_EXT_COUNT_CALLS: '1' },
    });
    try {
      await seedUsers(moto.endpoint, TEST_ACCOUNT_ID, population(USERS, share));
      const clients = new ClientProvider({ endpoint: moto.endpoint, region: 'us-east-1' });
      for (const name of RULES) {
        const rule = findRule(name);
        if (!rule) throw new Error(`no rule ${name}`);
        const handler = createHandler(rule, { clients, tuning: { pollIntervalMs: 50 } });
        // One run records a verdict per user (and has IAM generate the report); the next is measured.
        await handler(scheduledEvent(name));
        await takeCallCounts(moto.endpoint);
        const started = performance.now();
        await handler(scheduledEvent(name, { resultToken: 'TESTMODE' }));
        const ms = performance.now() - started;
        rows.push({ share, rule: name, calls: await takeCallCounts(moto.endpoint), ms });
        process.stdout.write(
          `${name} at ${String(USERS)} users, ${String(share * 100)} % hardware: ${s(ms)}, ${fmtCalls(rows.at(-1)?.calls ?? {})}\n`,
        );
      }
    } finally {
      await moto.stop();
    }
  }
  return rows;
}

interface Change {
  kind: string;
  rule: RuleName;
  expected: 'NON_COMPLIANT';
  /** Sets the user up before the report; returns nothing. */
  seed: { name: string; consolePassword?: boolean; mfa?: 'none' | 'virtual' | 'hardware' };
  before?: (iam: IAMClient) => Promise<void>;
  /** Makes the IAM call(s); returns the CloudTrail events they record. */
  act: (iam: IAMClient) => Promise<Record<string, unknown>[]>;
}

const ADMIN = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});

const CHANGES: Change[] = [
  {
    kind: 'hardware token deactivated',
    rule: 'iam-user-console-mfa',
    expected: 'NON_COMPLIANT',
    seed: { name: 'changed-token', consolePassword: true, mfa: 'hardware' },
    act: async (iam) => {
      const serial = await firstSerial(iam, 'changed-token');
      await iam.send(
        new DeactivateMFADeviceCommand({ UserName: 'changed-token', SerialNumber: serial }),
      );
      return [
        cloudTrailEvent({
          eventName: 'DeactivateMFADevice',
          requestParameters: { userName: 'changed-token', serialNumber: serial },
        }),
      ];
    },
  },
  {
    kind: 'virtual device deactivated and deleted',
    rule: 'iam-user-mfa',
    expected: 'NON_COMPLIANT',
    seed: { name: 'changed-app', mfa: 'virtual' },
    act: async (iam) => {
      const serial = await firstSerial(iam, 'changed-app');
      await iam.send(
        new DeactivateMFADeviceCommand({ UserName: 'changed-app', SerialNumber: serial }),
      );
      await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial }));
      return [
        cloudTrailEvent({
          eventName: 'DeactivateMFADevice',
          requestParameters: { userName: 'changed-app', serialNumber: serial },
        }),
        cloudTrailEvent({
          eventName: 'DeleteVirtualMFADevice',
          requestParameters: { serialNumber: serial },
        }),
      ];
    },
  },
  {
    kind: 'console password created, no MFA',
    rule: 'iam-user-console-mfa',
    expected: 'NON_COMPLIANT',
    seed: { name: 'changed-password' },
    act: async (iam) => {
      await iam.send(
        new CreateLoginProfileCommand({
          UserName: 'changed-password',
          Password: 'Changed-Passw0rd!',
        }),
      );
      return [
        cloudTrailEvent({
          eventName: 'CreateLoginProfile',
          requestParameters: { userName: 'changed-password' },
        }),
      ];
    },
  },
  {
    kind: 'new user with a console password',
    rule: 'iam-user-console-mfa',
    expected: 'NON_COMPLIANT',
    seed: { name: 'placeholder-new' },
    act: async (iam) => {
      const created = await iam.send(new CreateUserCommand({ UserName: 'changed-new' }));
      await iam.send(
        new CreateLoginProfileCommand({ UserName: 'changed-new', Password: 'Changed-Passw0rd!' }),
      );
      return [
        cloudTrailEvent({
          eventName: 'CreateUser',
          requestParameters: { userName: 'changed-new' },
          responseElements: { user: { userName: 'changed-new', userId: created.User?.UserId } },
        }),
        cloudTrailEvent({
          eventName: 'CreateLoginProfile',
          requestParameters: { userName: 'changed-new' },
        }),
      ];
    },
  },
  {
    kind: 'new administrator with a virtual device',
    rule: 'iam-user-hardware-mfa',
    expected: 'NON_COMPLIANT',
    seed: { name: 'changed-admin', consolePassword: true, mfa: 'virtual' },
    act: async (iam) => {
      await iam.send(
        new PutUserPolicyCommand({
          UserName: 'changed-admin',
          PolicyName: 'admin',
          PolicyDocument: ADMIN,
        }),
      );
      return [
        cloudTrailEvent({
          eventName: 'PutUserPolicy',
          requestParameters: {
            userName: 'changed-admin',
            policyName: 'admin',
            policyDocument: ADMIN,
          },
        }),
      ];
    },
  },
  {
    kind: 'exemption tag removed',
    rule: 'iam-user-console-mfa',
    expected: 'NON_COMPLIANT',
    seed: { name: 'changed-exempt', consolePassword: true },
    before: async (iam) => {
      const until = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
      await iam.send(
        new TagUserCommand({
          UserName: 'changed-exempt',
          Tags: [{ Key: 'mfa-exemption', Value: `${until} token ordered` }],
        }),
      );
    },
    act: async (iam) => {
      await iam.send(
        new UntagUserCommand({ UserName: 'changed-exempt', TagKeys: ['mfa-exemption'] }),
      );
      return [
        cloudTrailEvent({
          eventName: 'UntagUser',
          requestParameters: { userName: 'changed-exempt', tagKeys: ['mfa-exemption'] },
        }),
      ];
    },
  },
];

async function firstSerial(iam: IAMClient, user: string): Promise<string> {
  const out = await iam.send(new ListMFADevicesCommand({ UserName: user }));
  const serial = out.MFADevices?.[0]?.SerialNumber;
  if (!serial) throw new Error(`${user} has no MFA device`);
  return serial;
}

interface FindingRow {
  kind: string;
  rule: RuleName;
  ms: number;
  reevaluations: number;
  verdict: string;
}

const FINDING_USERS = Number(process.env.FRESHNESS_FINDING_USERS ?? 100);

async function timeToFinding(): Promise<FindingRow[]> {
  const rows: FindingRow[] = [];
  for (const change of CHANGES) {
    const moto = await startMoto({
      env: { MOTO_EXT_REPORT_DELAY_MS: '0', MOTO_EXT_REEVALUATION_INTERVAL_MS: '1000' },
    });
    try {
      const path = new EventPath(moto.endpoint, { windowSeconds: WINDOW_S, emulateWindow: true });
      await path.deploy();
      await seedUsers(moto.endpoint, TEST_ACCOUNT_ID, [
        change.seed,
        ...population(FINDING_USERS - 1).map((u) => ({ ...u, name: `other-${u.name}` })),
      ]);
      const iam = new IAMClient(motoClientConfig(moto.endpoint));
      await change.before?.(iam);
      // The report and a verdict per user exist before the change.
      await path.run(change.rule);
      const userId = await idOf(moto.endpoint, change);
      const started = performance.now();
      const events = await change.act(iam);
      const { reevaluations } = await path.deliver(events);
      const verdicts = await path.verdicts(change.rule);
      const ms = performance.now() - started;
      const verdict =
        verdicts.find(
          (v) =>
            v.resourceId === userId || (userId === undefined && v.compliance === change.expected),
        )?.compliance ?? 'none';
      if (verdict !== change.expected) {
        throw new Error(`${change.kind}: expected ${change.expected}, Config holds ${verdict}`);
      }
      rows.push({
        kind: change.kind,
        rule: change.rule,
        ms,
        reevaluations: reevaluations.length,
        verdict,
      });
      process.stdout.write(`${change.kind}: ${s(ms)} to ${verdict} on ${change.rule}\n`);
      iam.destroy();
    } finally {
      await moto.stop();
    }
  }
  return rows;
}

/** The changed user's id when it exists before the change (a new user's is not known yet). */
async function idOf(endpoint: string, change: Change): Promise<string | undefined> {
  if (change.kind.startsWith('new user')) return undefined;
  const iam = new IAMClient(motoClientConfig(endpoint));
  try {
    return (await iam.send(new GetUserCommand({ UserName: change.seed.name }))).User?.UserId;
  } finally {
    iam.destroy();
  }
}

async function main(): Promise<void> {
  // The emulator's credentials and Region, as the other benches give their workers.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: ENV.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: ENV.AWS_SECRET_ACCESS_KEY,
    AWS_REGION: ENV.AWS_REGION,
  });
  logger.setLogLevel('SILENT');
  const cost = await regressionCost();
  const findings = await timeToFinding();
  const base = (rule: RuleName) => cost.find((row) => row.rule === rule && row.share === 0);
  const costTable = [
    '| MFA users on hardware/FIDO | rule | ListMFADevices | all IAM calls | extra calls vs 0 % | run |',
    '| --- | --- | --- | --- | --- | --- |',
    ...cost.map((row) => {
      const iamCalls = Object.entries(row.calls)
        .filter(([op]) => !['PutEvaluations', 'GetComplianceDetailsByConfigRule'].includes(op))
        .reduce((sum, [, n]) => sum + n, 0);
      const zero = base(row.rule);
      const zeroIam = zero
        ? Object.entries(zero.calls)
            .filter(([op]) => !['PutEvaluations', 'GetComplianceDetailsByConfigRule'].includes(op))
            .reduce((sum, [, n]) => sum + n, 0)
        : iamCalls;
      return `| ${String(row.share * 100)} % | ${row.rule} | ${String(row.calls.ListMFADevices ?? 0)} | ${String(iamCalls)} | +${String(iamCalls - zeroIam)} | ${s(row.ms)} |`;
    }),
  ];
  const findingTable = [
    '| change | rule | time to finding (emulator) | re-evaluations started | verdict |',
    '| --- | --- | --- | --- | --- |',
    ...findings.map(
      (row) =>
        `| ${row.kind} | ${row.rule} | ${s(row.ms)} | ${String(row.reevaluations)} | ${row.verdict} |`,
    ),
  ];
  const markdown = [
    '## Freshness: regression checks and time to finding (issue 22)',
    '',
    'Machine:',
    '',
    machine(),
    '',
    `Regression check at ${USERS.toLocaleString('en-US')} users (60 % console users, 5 % of everyone console users without MFA, 40 % API-only users without MFA), one periodic run per rule through its Lambda handler after a first run; moto's call counts. The extra ListMFADevices are the users the credential report shows with MFA that no virtual device assigned now explains (console rule: console users only).`,
    '',
    ...costTable,
    '',
    `Time to finding through the event path in the emulator, ${String(FINDING_USERS)} users, batching window ${String(WINDOW_S)} s (deployed: 60–300 s, default 120 s): from just before the IAM call to the verdict Config holds. AWS's own delays come on top (docs/freshness.md).`,
    '',
    ...findingTable,
  ].join('\n');
  process.stdout.write(`\n${markdown}\n`);
  await writeSection('freshness', markdown);
}

void main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
