/**
 * `npm run bench` (after bench/run.ts): iam-user-hardware-mfa against moto at 100, 1,000 and 5,000
 * users, next to its floor, written into its own section of BENCHMARKS.md (between the markers
 * below; the rest of the file is left as it is). `BENCH_SIZES=100,1000` limits the sizes.
 *
 * Floor: the fewest IAM calls a correct check can make: every page of GetAccountAuthorizationDetails
 * (users and groups, 1,000 entities a page), ListMFADevices for each privileged user, and
 * GetMFADevice for each FIDO key of a privileged user whose verdict depends on its certification
 * (no virtual or unknown device already fails the user). Target: the rule's IAM calls ≤ floor + 2.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetAccountAuthorizationDetailsCommand,
  GetMFADeviceCommand,
  IAMClient,
  ListMFADevicesCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
} from '@aws-sdk/client-iam';
import { format } from 'prettier';
import { findRule } from '../rules/catalog';
import { ClientProvider, createClients } from '../rules/runtime/clients';
import { createHandler } from '../rules/runtime/handler';
import { logger } from '../rules/runtime/logger';
import { parseParameters } from '../rules/runtime/parameters';
import { mapPool } from '../rules/runtime/pool';
import { scheduledEvent } from '../test/support/events';
import { fmtCalls, median, ROOT, s, total, type Calls, type Measured } from './common';
import { motoClientConfig, startMoto, takeCallCounts, TEST_ACCOUNT_ID } from '../test/support/moto';
import {
  ADMINISTRATOR_ACCESS,
  fidoSerial,
  HARDWARE_MOTO_ENV,
  seedHardwareUsers,
  type SeedHardwareUser,
} from '../test/support/moto-hardware';

const RULE = 'iam-user-hardware-mfa';
const REGION = 'us-east-1';
const SIZES = (process.env.BENCH_SIZES ?? '100,1000,5000').split(',').map(Number);
const RUNS = (users: number) => (users <= 1000 ? 5 : 3);
const START = '<!-- iam-user-hardware-mfa:start -->';
const END = '<!-- iam-user-hardware-mfa:end -->';
/** Config reads and writes and STS, which the floor (an IAM read only) does not make. */
const NOT_IAM = new Set([
  'PutEvaluations',
  'GetComplianceDetailsByConfigRule',
  'GetCallerIdentity',
]);
const SLACK = 2;

interface SizeResult {
  users: number;
  privileged: number;
  runs: number;
  rule: Measured;
  /** The rule's own reads and verdicts (gather + evaluate), without Config: like for like. */
  reads: Measured;
  floor: Measured;
}

const iamCalls = (calls: Calls): number =>
  Object.entries(calls).reduce((sum, [op, n]) => (NOT_IAM.has(op) ? sum : sum + n), 0);

/**
 * 2 % of users privileged (half through the group Admins, a quarter with AdministratorAccess
 * attached, a quarter tagged mfa-privileged=true); their devices: 40 % a hardware TOTP token,
 * 25 % a certified FIDO key, 10 % an uncertified FIDO device, 10 % a virtual device, 5 % a hardware
 * token beside a virtual device, 5 % a hardware token and a certified FIDO key, 5 % none. Every
 * other user: a virtual device or nothing, in one of 20 ordinary groups half the time.
 */
function population(size: number): { users: SeedHardwareUser[]; privileged: number } {
  const privileged = Math.max(1, Math.round(size * 0.02));
  const step = Math.floor(size / privileged);
  const users: SeedHardwareUser[] = [];
  let p = 0;
  for (let i = 0; i < size; i++) {
    const name = `bench-user-${String(i).padStart(5, '0')}`;
    if (i % step !== 0 || p >= privileged) {
      users.push({
        name,
        ...(i % 2 ? { groups: [`team-${i % 20}`] } : {}),
        ...(i % 3 === 0 ? { devices: [{ kind: 'virtual' as const }] } : {}),
      });
      continue;
    }
    const how = p % 4;
    const privilege =
      how < 2
        ? { groups: ['Admins'] }
        : how === 2
          ? { policies: [ADMINISTRATOR_ACCESS] }
          : { tags: { 'mfa-privileged': 'true' } };
    const bucket = (p * 7) % 20; // spread the device kinds over the privilege paths
    const fido = { serial: fidoSerial(name), certifications: { 'FIDO Certification': 'L1' } };
    const devices =
      bucket < 8
        ? [{ serial: `GAHT${String(i).padStart(8, '0')}` }]
        : bucket < 13
          ? [fido]
          : bucket < 15
            ? [{ serial: fidoSerial(name) }]
            : bucket < 17
              ? [{ kind: 'virtual' as const }]
              : bucket < 18
                ? [{ serial: `GAHT${String(i).padStart(8, '0')}` }, { kind: 'virtual' as const }]
                : bucket < 19
                  ? [{ serial: `GAHT${String(i).padStart(8, '0')}` }, fido]
                  : [];
    users.push({ name, ...privilege, devices });
    p++;
  }
  return { users, privileged };
}

async function runRule(endpoint: string, resultToken: string): Promise<Measured> {
  const rule = findRule(RULE);
  if (!rule) throw new Error(`${RULE} is not in the catalog`);
  const handler = createHandler(rule, {
    clients: new ClientProvider({ endpoint, region: REGION }),
  });
  const timeout = rule.metadata.sizing.timeoutSeconds * 1000;
  const deadline = Date.now() + timeout;
  await takeCallCounts(endpoint);
  const started = performance.now();
  const summary = await handler(scheduledEvent(RULE, { resultToken }), {
    getRemainingTimeInMillis: () => deadline - Date.now(),
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${TEST_ACCOUNT_ID}:function:${RULE}`,
  });
  const ms = performance.now() - started;
  return { ms, calls: await takeCallCounts(endpoint), nonCompliant: summary.counts.NON_COMPLIANT };
}

/** The rule's gather and evaluate alone: the same IAM reads, no Config, no STS. */
async function runReads(endpoint: string): Promise<Measured> {
  const rule = findRule(RULE);
  if (!rule) throw new Error(`${RULE} is not in the catalog`);
  const clients = createClients({ endpoint, region: REGION });
  const params = parseParameters(rule, {});
  await takeCallCounts(endpoint);
  const started = performance.now();
  const facts: unknown = await rule.gather(
    { clients, accountId: TEST_ACCOUNT_ID, partition: 'aws', remainingMs: () => 300_000 },
    { kind: 'all' },
    params,
  );
  const evaluations = rule.evaluate(facts, params);
  const ms = performance.now() - started;
  clients.iam.destroy();
  clients.config.destroy();
  return {
    ms,
    calls: await takeCallCounts(endpoint),
    nonCompliant: evaluations.filter((e) => e.compliance === 'NON_COMPLIANT').length,
  };
}

/** The floor, written independently of the rule (same definitions: see the header). */
async function runFloor(endpoint: string): Promise<Measured> {
  const iam = new IAMClient(motoClientConfig(endpoint));
  await takeCallCounts(endpoint);
  const started = performance.now();
  const users: NonNullable<GetAccountAuthorizationDetailsCommandOutput['UserDetailList']> = [];
  const groups = new Map<string, string[]>();
  let marker: string | undefined;
  do {
    const page = await iam.send(
      new GetAccountAuthorizationDetailsCommand({
        Filter: ['User', 'Group'],
        MaxItems: 1000,
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    users.push(...(page.UserDetailList ?? []));
    for (const g of page.GroupDetailList ?? []) {
      groups.set(
        g.GroupName ?? '',
        (g.AttachedManagedPolicies ?? []).map((a) => a.PolicyArn ?? ''),
      );
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  const admin = (arn: string) => arn.endsWith(':iam::aws:policy/AdministratorAccess');
  const privileged = users.filter(
    (u) =>
      (u.AttachedManagedPolicies ?? []).some((a) => admin(a.PolicyArn ?? '')) ||
      (u.GroupList ?? []).some((g) => (groups.get(g) ?? []).some(admin)) ||
      (u.Tags ?? []).some((t) => t.Key === 'mfa-privileged' && t.Value?.toLowerCase() === 'true'),
  );
  const verdicts = await mapPool(privileged, 8, async (u) => {
    const out = await iam.send(new ListMFADevicesCommand({ UserName: u.UserName }));
    const serials = (out.MFADevices ?? []).map((d) => d.SerialNumber ?? '');
    if (serials.length === 0) return false;
    const kind = (serial: string) =>
      !serial.startsWith('arn:') ? 'hardware' : serial.includes(':u2f/') ? 'fido' : 'other';
    if (serials.some((serial) => kind(serial) === 'other')) return false;
    for (const serial of serials.filter((x) => kind(x) === 'fido')) {
      const device = await iam.send(
        new GetMFADeviceCommand({ UserName: u.UserName, SerialNumber: serial }),
      );
      if (Object.keys(device.Certifications ?? {}).length === 0) return false;
    }
    return true;
  });
  const ms = performance.now() - started;
  iam.destroy();
  return {
    ms,
    calls: await takeCallCounts(endpoint),
    nonCompliant: verdicts.filter((ok) => !ok).length,
  };
}

async function measureSize(size: number): Promise<SizeResult> {
  const moto = await startMoto({ env: { ...HARDWARE_MOTO_ENV, MOTO_EXT_COUNT_CALLS: '1' } });
  try {
    const { users, privileged } = population(size);
    await seedHardwareUsers(moto.endpoint, {
      groups: [
        { name: 'Admins', policies: [ADMINISTRATOR_ACCESS] },
        ...Array.from({ length: 20 }, (_, i) => ({
          name: `team-${i}`,
          policies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
        })),
      ],
      users,
    });
    // One run with a real result token: Config holds a verdict per user, as after earlier runs,
    // so every timed run reads them all (the clean-up of vanished users).
    await runRule(moto.endpoint, RULE);
    const runs = RUNS(size);
    const rule: Measured[] = [];
    const reads: Measured[] = [];
    const floor: Measured[] = [];
    for (let i = 0; i < runs; i++) {
      rule.push(await runRule(moto.endpoint, 'TESTMODE'));
      reads.push(await runReads(moto.endpoint));
      floor.push(await runFloor(moto.endpoint));
    }
    const pick = (all: Measured[]): Measured => {
      const [first] = all;
      if (!first) throw new Error('no run');
      for (const m of all) {
        if (fmtCalls(m.calls) !== fmtCalls(first.calls) || m.nonCompliant !== first.nonCompliant) {
          throw new Error(`runs disagree: ${fmtCalls(m.calls)} vs ${fmtCalls(first.calls)}`);
        }
      }
      return { ...first, ms: median(all.map((m) => m.ms)) };
    };
    const result = {
      users: size,
      privileged,
      runs,
      rule: pick(rule),
      reads: pick(reads),
      floor: pick(floor),
    };
    if (
      result.rule.nonCompliant !== result.floor.nonCompliant ||
      result.reads.nonCompliant !== result.floor.nonCompliant
    ) {
      throw new Error(
        `rule and floor disagree at ${size} users: ${result.rule.nonCompliant} vs ${result.floor.nonCompliant} NON_COMPLIANT`,
      );
    }
    return result;
  } finally {
    await moto.stop();
  }
}

function section(sizes: SizeResult[]): string {
  const rows = sizes.flatMap((r) => {
    const over = iamCalls(r.rule.calls) - iamCalls(r.floor.calls);
    const met = over <= SLACK ? `met (+${over})` : `**missed** (+${over})`;
    return [
      `| ${r.users} | ${r.privileged} | rule (source, tsx) | ${s(r.rule.ms)} | ${iamCalls(r.rule.calls)} (${total(r.rule.calls)} with Config) | ${fmtCalls(r.rule.calls)} | ${r.rule.nonCompliant} | ${met} |`,
      `| ${r.users} | ${r.privileged} | rule's reads only (gather + evaluate) | ${s(r.reads.ms)} | ${iamCalls(r.reads.calls)} | ${fmtCalls(r.reads.calls)} | ${r.reads.nonCompliant} | |`,
      `| ${r.users} | ${r.privileged} | floor | ${s(r.floor.ms)} | ${iamCalls(r.floor.calls)} | ${fmtCalls(r.floor.calls)} | ${r.floor.nonCompliant} | |`,
    ];
  });
  return [
    START,
    '',
    '## iam-user-hardware-mfa',
    '',
    'Generated by `bench/hardware-mfa.ts` (part of `npm run bench`); it rewrites only this section.',
    '',
    '- **Account**: a fresh moto server per size (`MOTO_IAM_LOAD_MANAGED_POLICIES=true`), seeded',
    '  server-side: 2 % of users privileged (half through the group `Admins` with',
    '  AdministratorAccess, a quarter with it attached, a quarter tagged `mfa-privileged=true`);',
    '  their devices: 40 % a hardware TOTP token, 25 % a certified FIDO key, 10 % an uncertified',
    '  FIDO device, 10 % a virtual device, 5 % hardware beside virtual, 5 % hardware and a',
    '  certified FIDO key, 5 % none. Other users: a virtual device or none, half of them in one of',
    '  20 ordinary groups.',
    '- **rule**: `createHandler` with a ScheduledNotification event (TESTMODE) and a Lambda-like',
    "  context (the function's 300 s), in-process; one earlier run with a real result token stored",
    '  a verdict per user, so every timed run reads them (GetComplianceDetailsByConfigRule).',
    "- **rule's reads only**: the rule's `gather` and `evaluate` alone (no Config, no STS), to",
    '  compare like for like with the floor; the rest of the rule row is Config served by moto',
    '  (verdicts on record, 100 a page, and PutEvaluations, 100 a call).',
    '- **floor**: the fewest IAM calls a correct check makes, written apart from the rule: every',
    '  page of GetAccountAuthorizationDetails (users and groups, 1,000 a page), ListMFADevices per',
    '  privileged user, GetMFADevice per FIDO key of a privileged user whose verdict depends on it',
    '  (no virtual device already fails the user); 8 users in flight. No Config, no STS.',
    `- Calls counted by moto (\`MOTO_EXT_COUNT_CALLS=1\`); ${RUNS(100)} runs each at 100 and 1,000 users,`,
    `  ${RUNS(5000)} at 5,000, alternating; wall time is the median. Target: the rule's IAM calls at most`,
    `  the floor + ${SLACK}; both must find the same users NON_COMPLIANT or the bench stops.`,
    '',
    '| Users | Privileged | Approach | Wall time (median) | IAM calls | Calls by operation | Non-compliant | Floor + 2 |',
    '| ----: | ---------: | -------- | -----------------: | --------: | ------------------ | ------------: | --------- |',
    ...rows,
    '',
    END,
  ].join('\n');
}

async function write(sizes: SizeResult[]): Promise<void> {
  const file = join(ROOT, 'BENCHMARKS.md');
  const current = readFileSync(file, 'utf8');
  const ours = section(sizes);
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start >= 0 && end > start
      ? `${current.slice(0, start)}${ours}${current.slice(end + END.length)}`
      : `${current.trimEnd()}\n\n${ours}\n`;
  writeFileSync(
    file,
    await format(next, {
      parser: 'markdown',
      printWidth: 100,
      singleQuote: true,
      trailingComma: 'all',
    }),
  );
}

async function main(): Promise<void> {
  logger.setLogLevel('ERROR');
  process.env.AWS_ACCESS_KEY_ID ??= 'testing';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
  const sizes: SizeResult[] = [];
  for (const size of [...SIZES].sort((a, b) => a - b)) {
    process.stdout.write(`${RULE}: ${size} users…\n`);
    const result = await measureSize(size);
    sizes.push(result);
    process.stdout.write(
      `  rule ${s(result.rule.ms)} ${fmtCalls(result.rule.calls)}\n  reads ${s(result.reads.ms)}\n  floor ${s(result.floor.ms)} ${fmtCalls(result.floor.calls)}\n`,
    );
  }
  await write(sizes);
  const missed = sizes.filter((r) => iamCalls(r.rule.calls) > iamCalls(r.floor.calls) + SLACK);
  process.stdout.write(
    `BENCHMARKS.md: ${RULE} section written${missed.length ? `; floor + ${SLACK} MISSED at ${missed.map((r) => r.users).join(', ')} users` : ''}.\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
