/**
 * `npm run bench` (after bench/run.ts): iam-user-hardware-mfa against moto at 100, 1,000 and 5,000
 * users (with a fifth as many roles and a tenth as many customer-managed policies: 1,000 and 500
 * at 5,000 users), next to its floor, written into its own section of BENCHMARKS.md (between the
 * markers below; the rest of the file is left as it is). `BENCH_SIZES=100,1000` limits the sizes.
 *
 * Floor: the fewest IAM calls a correct check can make: every page of GetAccountAuthorizationDetails
 * with what the privilege definition needs (users, groups, roles, customer- and AWS-managed
 * policies, 1,000 entities a page), ListMFADevices for each privileged user, and GetMFADevice for
 * each FIDO key of a privileged user whose verdict depends on its certification (no virtual or
 * unknown device already fails the user). Who is privileged is decided with the rule's own pure
 * analysis (privilege.ts): the floor is about reads, and the definition is tested on its own.
 * Target: the rule's IAM calls ≤ floor + 2.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
import { DETAILS_FILTER } from '../rules/iam-user-hardware-mfa/facts';
import { usersWithPrivilege } from '../rules/iam-user-hardware-mfa/privilege';
import { ClientProvider, createClients } from '../rules/runtime/clients';
import { createHandler } from '../rules/runtime/handler';
import { logger } from '../rules/runtime/logger';
import { parseParameters } from '../rules/runtime/parameters';
import { mapPool } from '../rules/runtime/pool';
import { scheduledEvent } from '../test/support/events';
import {
  buildLambdaRunner,
  buildRuleBundle,
  fmtCalls,
  lambdaNodeFlags,
  lastJsonLine,
  median,
  ROOT,
  run,
  s,
  total,
  type Calls,
  type Measured,
} from './common';
import { motoClientConfig, startMoto, takeCallCounts, TEST_ACCOUNT_ID } from '../test/support/moto';
import {
  ADMINISTRATOR_ACCESS,
  fidoSerial,
  HARDWARE_MOTO_ENV,
  seedHardwareUsers,
  type SeedHardwareUser,
  type SeedPolicy,
  type SeedRole,
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
  roles: number;
  policies: number;
  privileged: number;
  runs: number;
  rule: Measured;
  /** The deployed bundle under Lambda's memory flags, in its own process. */
  bundle: Measured & { peakRssMb: number };
  /** GetAccountAuthorizationDetails pages the rule read. */
  pages: number;
  /** The rule's own reads and verdicts (gather + evaluate), without Config: like for like. */
  reads: Measured;
  floor: Measured;
}

const iamCalls = (calls: Calls): number =>
  Object.entries(calls).reduce((sum, [op, n]) => (NOT_IAM.has(op) ? sum : sum + n), 0);

const ACCOUNT_ROOT = `arn:aws:iam::${TEST_ACCOUNT_ID}:root`;
const customerArn = (name: string) => `arn:aws:iam::${TEST_ACCOUNT_ID}:policy/${name}`;
const roleArn = (name: string) => `arn:aws:iam::${TEST_ACCOUNT_ID}:role/${name}`;
const trust = (principal: object) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }],
});
const allow = (action: string | string[], resource: string | string[] = '*') => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: action, Resource: resource }],
});

/**
 * A tenth as many customer-managed policies as users (500 at 5,000): ordinary S3 and EC2 access on
 * named resources, one in fifty administrator-like ("*", or iam:*). A fifth as many roles (1,000):
 * service roles (Lambda, EC2) with those policies, one in a hundred an administrator role trusting
 * the account root, one in ten a read-only role trusting the account root.
 */
function accountShape(size: number): { policies: SeedPolicy[]; roles: SeedRole[] } {
  const policies: SeedPolicy[] = Array.from({ length: Math.max(2, size / 10) }, (_, i) => ({
    name: `bench-policy-${String(i).padStart(4, '0')}`,
    document:
      i % 50 === 0
        ? allow(i % 100 === 0 ? '*' : 'iam:*')
        : {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['s3:GetObject', 's3:PutObject'],
                Resource: `arn:aws:s3:::bench-bucket-${i}/*`,
              },
              { Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' },
              { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' },
            ],
          },
  }));
  const ordinary = policies.filter((_, i) => i % 50 !== 0).map((p) => customerArn(p.name));
  const roles: SeedRole[] = Array.from({ length: Math.max(2, size / 5) }, (_, i) => {
    const name = `bench-role-${String(i).padStart(4, '0')}`;
    if (i % 100 === 0)
      return { name, trust: trust({ AWS: ACCOUNT_ROOT }), policies: [ADMINISTRATOR_ACCESS] };
    if (i % 10 === 0) {
      return {
        name,
        trust: trust({ AWS: ACCOUNT_ROOT }),
        policies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      };
    }
    return {
      name,
      trust: trust({ Service: i % 2 ? 'lambda.amazonaws.com' : 'ec2.amazonaws.com' }),
      policies: [ordinary[i % ordinary.length] ?? ''],
    };
  });
  return { policies, roles };
}

/**
 * 2 % of users privileged, by six routes in turn: the group Admins (AdministratorAccess), it
 * attached, the tag mfa-privileged=true, an inline "*", an administrator-like customer policy,
 * sts:AssumeRole on an administrator role; their devices: 40 % a hardware TOTP token, 25 % a
 * certified FIDO key, 10 % an uncertified FIDO device, 10 % a virtual device, 5 % a hardware token
 * beside a virtual device, 5 % a hardware token and a certified FIDO key, 5 % none. Every other
 * user: a virtual device or nothing, in one of 20 ordinary groups half the time, an ordinary
 * customer policy a third of the time, sts:AssumeRole on the read-only roles a tenth of the time.
 */
function population(size: number): { users: SeedHardwareUser[]; privileged: number } {
  const shape = accountShape(size);
  const adminPolicy = customerArn(shape.policies[0]?.name ?? '');
  const ordinary = shape.policies.slice(1).filter((_, i) => (i + 1) % 50 !== 0);
  const adminRole = roleArn(shape.roles[0]?.name ?? '');
  const readOnlyRoles = shape.roles
    .filter((_, i) => i % 10 === 0 && i % 100 !== 0)
    .map((role) => roleArn(role.name));
  const privileged = Math.max(1, Math.round(size * 0.02));
  const step = Math.floor(size / privileged);
  const users: SeedHardwareUser[] = [];
  let p = 0;
  for (let i = 0; i < size; i++) {
    const name = `bench-user-${String(i).padStart(5, '0')}`;
    if (i % step !== 0 || p >= privileged) {
      const policy = ordinary[i % ordinary.length];
      users.push({
        name,
        ...(i % 2 ? { groups: [`team-${i % 20}`] } : {}),
        ...(i % 3 === 0 ? { devices: [{ kind: 'virtual' as const }] } : {}),
        ...(i % 3 === 1 && policy ? { policies: [customerArn(policy.name)] } : {}),
        ...(i % 10 === 5 && readOnlyRoles.length > 0
          ? { inline: allow('sts:AssumeRole', readOnlyRoles) }
          : {}),
      });
      continue;
    }
    const how = p % 6;
    const privilege: Partial<SeedHardwareUser> =
      [
        { groups: ['Admins'] },
        { policies: [ADMINISTRATOR_ACCESS] },
        { tags: { 'mfa-privileged': 'true' } },
        { inline: allow('*') },
        { policies: [adminPolicy] },
        { inline: allow('sts:AssumeRole', adminRole) },
      ][how] ?? {};
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

/**
 * The floor: the bulk read the definition needs, the rule's pure analysis of who is privileged,
 * then each privileged user's devices, written apart from the rule's reads.
 */
async function runFloor(endpoint: string): Promise<Measured> {
  const iam = new IAMClient(motoClientConfig(endpoint));
  await takeCallCounts(endpoint);
  const started = performance.now();
  const details = {
    accountId: TEST_ACCOUNT_ID,
    partition: 'aws',
    users: [] as NonNullable<GetAccountAuthorizationDetailsCommandOutput['UserDetailList']>,
    groups: [] as NonNullable<GetAccountAuthorizationDetailsCommandOutput['GroupDetailList']>,
    roles: [] as NonNullable<GetAccountAuthorizationDetailsCommandOutput['RoleDetailList']>,
    policies: [] as NonNullable<GetAccountAuthorizationDetailsCommandOutput['Policies']>,
  };
  let marker: string | undefined;
  do {
    const page = await iam.send(
      new GetAccountAuthorizationDetailsCommand({
        Filter: [...DETAILS_FILTER],
        MaxItems: 1000,
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    details.users.push(...(page.UserDetailList ?? []));
    details.groups.push(...(page.GroupDetailList ?? []));
    details.roles.push(...(page.RoleDetailList ?? []));
    details.policies.push(...(page.Policies ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  const privileged = usersWithPrivilege(details, {
    privilegedPolicyArns: [],
    privilegedTagKey: 'mfa-privileged',
  }).filter((u) => u.privilege.length > 0);
  const verdicts = await mapPool(privileged, 8, async (u) => {
    const out = await iam.send(new ListMFADevicesCommand({ UserName: u.userName }));
    const serials = (out.MFADevices ?? []).map((d) => d.SerialNumber ?? '');
    if (serials.length === 0) return false;
    const kind = (serial: string) =>
      /^[A-Za-z0-9]{9,}$/.test(serial) ? 'hardware' : serial.includes(':u2f/') ? 'fido' : 'other';
    if (serials.some((serial) => kind(serial) === 'other')) return false;
    for (const serial of serials.filter((x) => kind(x) === 'fido')) {
      const device = await iam.send(
        new GetMFADeviceCommand({ UserName: u.userName, SerialNumber: serial }),
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

/** The deployed bundle once, in its own `node` with Lambda's memory flags: time and peak RSS. */
async function runBundle(
  endpoint: string,
  runner: string,
  bundle: string,
): Promise<Measured & { peakRssMb: number }> {
  const rule = findRule(RULE);
  if (!rule) throw new Error(`${RULE} is not in the catalog`);
  const { memoryMiB, timeoutSeconds } = rule.metadata.sizing;
  await takeCallCounts(endpoint);
  const out = await run(
    process.execPath,
    [...lambdaNodeFlags(memoryMiB), runner, bundle, String(timeoutSeconds), RULE],
    { AWS_ENDPOINT_URL: endpoint },
  );
  const line = lastJsonLine(out.stdout);
  if (out.code !== 0 || !line) {
    throw new Error(`bundle run failed (${out.code}): ${out.stderr.slice(-2000)}`);
  }
  const result = JSON.parse(line) as { ms: number; peakRssMb: number; nonCompliant: number };
  return { ...result, calls: await takeCallCounts(endpoint) };
}

async function measureSize(
  size: number,
  bundled: { runner: string; bundle: string },
): Promise<SizeResult> {
  const moto = await startMoto({ env: { ...HARDWARE_MOTO_ENV, MOTO_EXT_COUNT_CALLS: '1' } });
  try {
    const { users, privileged } = population(size);
    const shape = accountShape(size);
    await seedHardwareUsers(moto.endpoint, {
      ...shape,
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
    const bundle: (Measured & { peakRssMb: number })[] = [];
    for (let i = 0; i < runs; i++) {
      rule.push(await runRule(moto.endpoint, 'TESTMODE'));
      bundle.push(await runBundle(moto.endpoint, bundled.runner, bundled.bundle));
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
    const picked = pick(rule);
    const result: SizeResult = {
      users: size,
      roles: shape.roles.length,
      policies: shape.policies.length,
      privileged,
      runs,
      rule: picked,
      bundle: { ...pick(bundle), peakRssMb: median(bundle.map((b) => b.peakRssMb)) },
      pages: picked.calls.GetAccountAuthorizationDetails ?? 0,
      reads: pick(reads),
      floor: pick(floor),
    };
    if (
      result.bundle.nonCompliant !== result.floor.nonCompliant ||
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
    const who = `${r.users} / ${r.roles} / ${r.policies} | ${r.privileged}`;
    return [
      `| ${who} | rule (source, tsx) | ${s(r.rule.ms)} | | ${iamCalls(r.rule.calls)} (${total(r.rule.calls)} with Config) | ${fmtCalls(r.rule.calls)} | ${r.rule.nonCompliant} | ${met} |`,
      `| ${who} | rule (deployed bundle, Lambda memory flags) | ${s(r.bundle.ms)} | ${r.bundle.peakRssMb.toFixed(0)} MB | ${iamCalls(r.bundle.calls)} | ${fmtCalls(r.bundle.calls)} | ${r.bundle.nonCompliant} | |`,
      `| ${who} | rule's reads only (gather + evaluate) | ${s(r.reads.ms)} | | ${iamCalls(r.reads.calls)} | ${fmtCalls(r.reads.calls)} | ${r.reads.nonCompliant} | |`,
      `| ${who} | floor | ${s(r.floor.ms)} | | ${iamCalls(r.floor.calls)} | ${fmtCalls(r.floor.calls)} | ${r.floor.nonCompliant} | |`,
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
    '  server-side with users, a fifth as many roles and a tenth as many customer-managed policies',
    '  (5,000 / 1,000 / 500). 2 % of users privileged, by six routes in turn: the group `Admins`',
    '  (AdministratorAccess), it attached, the tag `mfa-privileged=true`, an inline `"*"`, an',
    '  administrator-like customer policy, `sts:AssumeRole` on an administrator role. Their',
    '  devices: 40 % a hardware TOTP token, 25 % a certified FIDO key, 10 % an uncertified FIDO',
    '  device, 10 % a virtual device, 5 % hardware beside virtual, 5 % hardware and a certified FIDO',
    '  key, 5 % none. Other users: a virtual device or none, half in one of 20 ordinary groups, a',
    '  third with an ordinary customer policy, a tenth allowed to assume the read-only roles.',
    '  Roles: service roles (Lambda, EC2) with ordinary policies; 1 % administrator roles and 10 %',
    '  read-only roles trusting the account root.',
    '- **rule**: `createHandler` with a ScheduledNotification event (TESTMODE) and a Lambda-like',
    "  context (the function's 300 s), in-process; one earlier run with a real result token stored",
    '  a verdict per user, so every timed run reads them (GetComplianceDetailsByConfigRule).',
    '- **deployed bundle**: the bundle CDK deploys, in its own `node` with the V8 memory flags',
    "  Lambda derives from the function's memory; peak RSS is that process's `maxRSS`.",
    "- **rule's reads only**: the rule's `gather` and `evaluate` alone (no Config, no STS), to",
    '  compare like for like with the floor; the rest of the rule row is Config served by moto',
    '  (verdicts on record, 100 a page, and PutEvaluations, 100 a call).',
    '- **floor**: the fewest IAM calls a correct check makes, its reads written apart from the',
    '  rule: every page of GetAccountAuthorizationDetails (users, groups, roles, customer- and',
    '  AWS-managed policies, 1,000 entities a page), ListMFADevices per privileged user,',
    '  GetMFADevice per FIDO key of a privileged user whose verdict depends on it (no virtual device',
    "  already fails the user); 8 users in flight. Who is privileged: the rule's own pure analysis",
    '  (`privilege.ts`), as the floor measures reads. No Config, no STS.',
    `- Calls counted by moto (\`MOTO_EXT_COUNT_CALLS=1\`); ${RUNS(100)} runs each at 100 and 1,000 users,`,
    `  ${RUNS(5000)} at 5,000, alternating; wall time is the median. Target: the rule's IAM calls at most`,
    `  the floor + ${SLACK}; both must find the same users NON_COMPLIANT or the bench stops.`,
    '',
    '| Users / roles / policies | Privileged | Approach | Wall time (median) | Peak RSS | IAM calls | Calls by operation | Non-compliant | Floor + 2 |',
    '| -----------------------: | ---------: | -------- | -----------------: | -------: | --------: | ------------------ | ------------: | --------- |',
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
  const dir = mkdtempSync(join(tmpdir(), 'mfa-bench-hw-'));
  const bundled = {
    runner: await buildLambdaRunner(dir),
    bundle: await buildRuleBundle(RULE, dir),
  };
  for (const size of [...SIZES].sort((a, b) => a - b)) {
    process.stdout.write(`${RULE}: ${size} users…\n`);
    const result = await measureSize(size, bundled);
    sizes.push(result);
    process.stdout.write(
      `  rule ${s(result.rule.ms)} ${fmtCalls(result.rule.calls)}\n  bundle ${s(result.bundle.ms)} peak ${result.bundle.peakRssMb.toFixed(0)} MB\n  reads ${s(result.reads.ms)}\n  floor ${s(result.floor.ms)} ${fmtCalls(result.floor.calls)}\n`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
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
