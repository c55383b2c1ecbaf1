/**
 * `npm run bench`: measures iam-user-console-mfa against moto at 100, 1,000 and 5,000 users, next
 * to the per-user procedure (baseline) and the bulk-read floor, plus bundle size and cold start,
 * and writes BENCHMARKS.md. See BENCHMARKS.md for the method.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GenerateCredentialReportCommand, IAMClient } from '@aws-sdk/client-iam';
import { build } from 'esbuild';
import { format } from 'prettier';
import { ESBUILD_TARGET, RULE_FUNCTION_SIZING } from '../infra/settings';
import { RULE_NAMES } from '../rules/catalog';
import {
  motoClientConfig,
  seedUsers,
  startMoto,
  TEST_ACCOUNT_ID,
  type SeedUser,
} from '../test/support/moto';
import type { Approach, WorkerResult } from './worker';

const ROOT = resolve(__dirname, '..');
const SIZES = (process.env.BENCH_SIZES ?? '100,1000,5000').split(',').map(Number);
const RULE = 'iam-user-console-mfa';
/** Model of real AWS (assumption, not a measurement). */
const LATENCY_MS = 50;
const IAM_RATE_PER_API = 10;
const MODEL_CONCURRENCY = 8;
const LIVE_OPS = new Set(['ListMFADevices', 'GetLoginProfile']);
const NON_IAM_OPS = new Set([
  'GetCallerIdentity',
  'AssumeRole',
  'GetComplianceDetailsByConfigRule',
  'PutEvaluations',
]);

const ENV = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};

type Calls = Record<string, number>;
interface Measured {
  ms: number;
  calls: Calls;
  peakRssMb: number;
  nonCompliant: number;
}
interface SizeResult {
  users: number;
  runs: number;
  handler: Measured;
  cli: { ms: number; exitCode: number };
  perUser: Measured;
  floor: Measured;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const total = (calls: Calls): number => Object.values(calls).reduce((a, b) => a + b, 0);
const fmtCalls = (calls: Calls): string =>
  Object.entries(calls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

function run(
  cmd: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { cwd: ROOT, env: ENV });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      resolvePromise({ code: code ?? -1, stdout, stderr, ms: performance.now() - started });
    });
  });
}

async function worker(approach: Approach, endpoint: string): Promise<WorkerResult> {
  const out = await run(process.execPath, [
    '--import',
    'tsx',
    'bench/worker.ts',
    approach,
    endpoint,
  ]);
  const line = out.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"ms"'));
  if (out.code !== 0 || !line) {
    throw new Error(`worker ${approach} failed (${out.code}): ${out.stderr.slice(-2000)}`);
  }
  return JSON.parse(line) as WorkerResult;
}

function summarize(results: WorkerResult[]): Measured {
  const first = results[0];
  if (!first) throw new Error('no runs');
  return {
    ms: median(results.map((r) => r.ms)),
    calls: first.calls,
    peakRssMb: median(results.map((r) => r.peakRssMb)),
    nonCompliant: first.nonCompliant,
  };
}

/** 60 % console users; 5 % of everyone console users without MFA; the rest of them virtual/hardware. */
export function population(size: number): SeedUser[] {
  const consoleUsers = Math.round(size * 0.6);
  const noMfa = Math.round(size * 0.05);
  return Array.from({ length: size }, (_, i) => {
    const name = `bench-user-${String(i).padStart(5, '0')}`;
    if (i >= consoleUsers) return { name, consolePassword: false, mfa: 'none' };
    if (i < noMfa) return { name, consolePassword: true, mfa: 'none' };
    return { name, consolePassword: true, mfa: i % 2 ? 'virtual' : 'hardware' };
  });
}

async function generateReport(endpoint: string): Promise<void> {
  const iam = new IAMClient(motoClientConfig(endpoint));
  for (;;) {
    const out = await iam.send(new GenerateCredentialReportCommand({}));
    if (out.State === 'COMPLETE') return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function measureSize(users: number): Promise<SizeResult> {
  const moto = await startMoto();
  try {
    await seedUsers(moto.endpoint, TEST_ACCOUNT_ID, population(users));
    await generateReport(moto.endpoint);
    const runs = users <= 100 ? 5 : 3;
    const handler: WorkerResult[] = [];
    const perUser: WorkerResult[] = [];
    const floor: WorkerResult[] = [];
    const cli: { ms: number; exitCode: number }[] = [];
    for (let i = 0; i < runs; i++) {
      handler.push(await worker('handler', moto.endpoint));
      const out = await run(process.execPath, [
        'bin/mfa-config-rules.js',
        'evaluate',
        '--rule',
        RULE,
        '--output',
        'json',
        '--endpoint-url',
        moto.endpoint,
        '--region',
        'us-east-1',
      ]);
      if (out.code !== 0 && out.code !== 1) {
        throw new Error(`CLI failed (${out.code}): ${out.stderr.slice(-2000)}`);
      }
      cli.push({ ms: out.ms, exitCode: out.code });
      perUser.push(await worker('per-user', moto.endpoint));
      floor.push(await worker('floor', moto.endpoint));
      process.stdout.write(`  ${users} users: run ${i + 1}/${runs} done\n`);
    }
    return {
      users,
      runs,
      handler: summarize(handler),
      cli: { ms: median(cli.map((c) => c.ms)), exitCode: cli[0]?.exitCode ?? -1 },
      perUser: summarize(perUser),
      floor: summarize(floor),
    };
  } finally {
    await moto.stop();
  }
}

interface ColdStart {
  rule: string;
  sizeKb: number;
  importMs: number;
}
interface ColdStarts {
  bareMs: number;
  sdkMs: number;
  bundles: ColdStart[];
}

function timeNode(args: string[], times = 10): number {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    const out = spawnSync(process.execPath, args, { cwd: ROOT, env: ENV });
    if (out.status !== 0) throw new Error(`node ${args.join(' ')}: ${out.stderr.toString()}`);
    samples.push(performance.now() - started);
  }
  return median(samples);
}

async function coldStarts(): Promise<ColdStarts> {
  const dir = mkdtempSync(join(tmpdir(), 'mfa-bench-'));
  try {
    const bundles: ColdStart[] = [];
    const bareMs = timeNode(['-e', '0']);
    const sdkMs = timeNode([
      '-e',
      "require('@aws-sdk/client-iam'); require('@aws-sdk/client-config-service')",
    ]);
    for (const rule of RULE_NAMES) {
      const outfile = join(dir, rule, 'index.mjs');
      // The options of infra/rule-function.ts BUNDLING, as NodejsFunction passes them to esbuild.
      await build({
        entryPoints: [join(ROOT, 'rules', rule, 'handler.ts')],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: ESBUILD_TARGET,
        mainFields: ['module', 'main'],
        banner: {
          js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        },
        minify: true,
        sourcemap: false,
        treeShaking: true,
        legalComments: 'none',
        external: [],
        logLevel: 'warning',
      });
      const url = pathToFileURL(outfile).href;
      bundles.push({
        rule,
        sizeKb: statSync(outfile).size / 1024,
        importMs: timeNode(['--input-type=module', '-e', `await import(${JSON.stringify(url)})`]),
      });
    }
    return { bareMs, sdkMs, bundles };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Real-AWS model: sequential calls at LATENCY_MS, live per-user calls at IAM_RATE_PER_API per API. */
function modelRule(calls: Calls): number {
  let sequential = 0;
  let liveMs = 0;
  for (const [op, n] of Object.entries(calls)) {
    if (LIVE_OPS.has(op)) {
      liveMs = Math.max(
        liveMs,
        (n / IAM_RATE_PER_API) * 1000,
        (n * LATENCY_MS) / MODEL_CONCURRENCY,
      );
    } else {
      sequential += n * LATENCY_MS;
    }
  }
  return sequential + liveMs;
}
function modelPerUser(calls: Calls): number {
  const sequential = total(calls) * LATENCY_MS;
  const rateBound = Math.max(...Object.values(calls).map((n) => (n / IAM_RATE_PER_API) * 1000));
  return Math.max(sequential, rateBound);
}

function machine(): string {
  return [
    `- CPUs (\`nproc\`): ${cpus().length} (${cpus()[0]?.model ?? 'unknown'})`,
    `- Memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(freemem() / 2 ** 30).toFixed(1)} GiB free at start`,
    `- Node.js: ${process.version}; moto 5.2.1 (test/moto/server.py), local loopback`,
    `- Date: ${new Date().toISOString()}`,
  ].join('\n');
}

function check(ok: boolean): string {
  return ok ? 'holds' : '**FAILS**';
}

function report(sizes: SizeResult[], cold: ColdStarts | undefined, pending: number[]): string {
  const lines: string[] = [];
  lines.push('# Benchmarks', '');
  lines.push(
    'Generated by `npm run bench` (`bench/run.ts`); numbers below are from the run on this machine.',
    '',
  );
  lines.push('## Machine', '', machine(), '');
  lines.push('## How to reproduce', '', '```sh', 'npm ci && npm run bench', '```', '');
  lines.push(
    'Needs Python with `moto[server]==5.2.1` (see `test/support/moto.ts`). `BENCH_SIZES=100,1000`',
    'limits the account sizes.',
    '',
  );
  lines.push('## Method', '');
  lines.push(
    '- Each size gets a fresh moto server, seeded server-side: 60 % of users have a console',
    '  password; 5 % of all users are console users without MFA; the other console users have a',
    '  virtual or a hardware MFA device (half each); API-only users have no MFA. The credential',
    '  report is generated (GenerateCredentialReport until COMPLETE) before anything is timed.',
    '- Approaches run alternately in the same run; the value shown is the median of 5 runs (100',
    '  users) or 3 runs (1,000 and 5,000). Every handler / per-user / floor run is its own Node',
    '  process (`bench/worker.ts`), so peak RSS (`process.resourceUsage().maxRSS`) is that',
    '  approach alone, including Node and the loaded modules. Wall time is measured in the worker',
    '  around the work only (module loading excluded).',
    '- **handler**: `createHandler(rule, { clients: new ClientProvider({ endpoint, region }) })`',
    "  with a ScheduledNotification event and resultToken 'TESTMODE' (so PutEvaluations is",
    '  called in test mode). API calls are counted by wrapping `send` of IAMClient,',
    '  ConfigServiceClient and STSClient.',
    '- **CLI**: `node bin/mfa-config-rules.js evaluate --rule iam-user-console-mfa --output json',
    '  --endpoint-url … --region us-east-1`, spawned; wall time only, including process start and',
    '  tsx transpilation.',
    '- **per-user (baseline)**: ListUsers (all pages, default page size), then GetLoginProfile +',
    '  ListMFADevices for every user, one call at a time.',
    '- **floor**: ListUsers (pages of 1,000), GenerateCredentialReport + GetCredentialReport,',
    '  ListVirtualMFADevices (Assigned), concurrently, then one ListMFADevices per user the report',
    '  flags (password, no MFA) whom no assigned virtual device clears, 8 in flight. No STS, no',
    '  PutEvaluations: the floor only reads.',
    '',
  );

  lines.push('## Results (moto, local)', '');
  lines.push(
    '| Users | Approach | Wall time (median) | API calls | Calls by operation | Peak RSS | Non-compliant |',
  );
  lines.push('| ---: | --- | ---: | ---: | --- | ---: | ---: |');
  for (const r of sizes) {
    const row = (name: string, m: Measured): string =>
      `| ${r.users} | ${name} | ${s(m.ms)} | ${total(m.calls)} | ${fmtCalls(m.calls)} | ${m.peakRssMb.toFixed(0)} MB | ${m.nonCompliant} |`;
    lines.push(row('handler', r.handler));
    lines.push(
      `| ${r.users} | CLI (spawned, incl. process start) | ${s(r.cli.ms)} | – | – | – | exit ${r.cli.exitCode} |`,
    );
    lines.push(row('per-user (baseline)', r.perUser));
    lines.push(row('floor', r.floor));
  }
  for (const users of pending) {
    lines.push(`| ${users} | (not measured in this run) | – | – | – | – | – |`);
  }
  lines.push('');

  lines.push('## Reach targets', '');
  lines.push('| Users | Target | Measured | Verdict |', '| ---: | --- | --- | --- |');
  for (const r of sizes) {
    const ratio = r.handler.ms / r.floor.ms;
    lines.push(
      `| ${r.users} | evaluation time ≤ 1.2 × floor | ${s(r.handler.ms)} vs ${s(r.floor.ms)} (${ratio.toFixed(2)} ×) | ${check(ratio <= 1.2)} |`,
    );
    const extra = total(r.handler.calls) - total(r.floor.calls);
    lines.push(
      `| ${r.users} | API calls ≤ floor + 5 | ${total(r.handler.calls)} vs ${total(r.floor.calls)} (+${extra}) | ${check(extra <= 5)} |`,
    );
  }
  for (const r of sizes) {
    const reads = (calls: Calls): number =>
      Object.entries(calls)
        .filter(([op]) => !NON_IAM_OPS.has(op))
        .reduce((sum, [, n]) => sum + n, 0);
    const extra = reads(r.handler.calls) - reads(r.floor.calls);
    lines.push(
      `| ${r.users} | (informative) IAM calls ≤ floor + 5, STS/Config excluded | ${reads(r.handler.calls)} vs ${reads(r.floor.calls)} (+${extra}) | ${check(extra <= 5)} |`,
    );
  }
  const big = sizes.find((r) => r.users === 5000);
  lines.push(
    big
      ? `| 5000 | peak RSS ≤ 150 MB | ${big.handler.peakRssMb.toFixed(0)} MB | ${check(big.handler.peakRssMb <= 150)} |`
      : '| 5000 | peak RSS ≤ 150 MB | not measured in this run | unknown |',
  );
  if (cold) {
    for (const b of cold.bundles) {
      lines.push(
        `| – | bundle ≤ 500 KB (${b.rule}) | ${b.sizeKb.toFixed(0)} KB | ${check(b.sizeKb <= 500)} |`,
      );
    }
    for (const b of cold.bundles) {
      const ratio = (b.importMs - cold.bareMs) / (cold.sdkMs - cold.bareMs);
      lines.push(
        `| – | load ratio < 0.8 (${b.rule}) | ${ratio.toFixed(2)} | ${check(ratio < 0.8)} |`,
      );
    }
  } else {
    lines.push('| – | bundle ≤ 500 KB, load ratio < 0.8 | not measured in this run | unknown |');
  }
  lines.push('');
  lines.push(
    'The floor only reads IAM. The handler must also call STS GetCallerIdentity, Config',
    'GetComplianceDetailsByConfigRule (clean-up of vanished users) and PutEvaluations (one per 100',
    'evaluations, so 50 at 5,000 users): "API calls ≤ floor + 5" as literally stated cannot hold',
    'above a few hundred users. The informative row compares IAM calls only.',
    '',
  );

  if (cold) {
    lines.push('## Bundle size and cold start', '');
    lines.push(
      'Each handler bundled with esbuild using the options of `BUNDLING` in',
      `\`infra/rule-function.ts\` (ESM, minified, tree-shaken, platform node, target`,
      `\`${ESBUILD_TARGET}\` from \`infra/settings.ts\`, mainFields module/main, createRequire banner,`,
      'AWS SDK bundled, no legal comments). Load time: median of 10 fresh',
      '`node --input-type=module -e "await import(bundle)"` processes, against median of 10 fresh',
      "`node -e \"require('@aws-sdk/client-iam'); require('@aws-sdk/client-config-service')\"`",
      `processes (node_modules); bare \`node -e 0\` (${cold.bareMs.toFixed(0)} ms) is subtracted from both.`,
      'The bundle also contains client-sts, zod and Powertools Logger, which the SDK baseline does',
      'not load.',
      '',
    );
    lines.push('| Bundle | Size | Load (median) | Load − bare | Ratio to SDK load |');
    lines.push('| --- | ---: | ---: | ---: | ---: |');
    for (const b of cold.bundles) {
      lines.push(
        `| ${b.rule} | ${b.sizeKb.toFixed(0)} KB | ${b.importMs.toFixed(0)} ms | ${(b.importMs - cold.bareMs).toFixed(0)} ms | ${((b.importMs - cold.bareMs) / (cold.sdkMs - cold.bareMs)).toFixed(2)} |`,
      );
    }
    lines.push(
      `| SDK clients from node_modules | – | ${cold.sdkMs.toFixed(0)} ms | ${(cold.sdkMs - cold.bareMs).toFixed(0)} ms | 1.00 |`,
      '',
    );
  }

  const sizing = RULE_FUNCTION_SIZING[RULE];
  const model = big ?? sizes[sizes.length - 1];
  if (model && sizing) {
    const scale = 5000 / model.users;
    const scaled = (calls: Calls): Calls =>
      Object.fromEntries(
        Object.entries(calls).map(([op, n]) => [
          op,
          // Page counts and fixed calls do not scale linearly; only extrapolate if 5,000 was not run.
          scale === 1 ? n : Math.ceil(n * scale),
        ]),
      );
    const ruleCalls = scaled(model.handler.calls);
    const perUserCalls = scaled(model.perUser.calls);
    const ruleMs = modelRule(ruleCalls);
    const perUserMs = modelPerUser(perUserCalls);
    const timeout = sizing.timeoutSeconds * 1000;
    lines.push('## Model of real AWS at 5,000 users', '');
    lines.push(
      `Assumptions (not measured): every IAM/STS/Config call takes ${LATENCY_MS} ms; IAM serves at`,
      `most ${IAM_RATE_PER_API} requests/s per API per account and nothing else in the account uses`,
      'that budget; no throttling retries. The rule: every bulk call (ListUsers pages, credential',
      'report, ListVirtualMFADevices pages, STS, Config) one after another (conservative: the',
      `handler actually overlaps the three bulk reads), then the per-user ListMFADevices at`,
      `max(n / ${IAM_RATE_PER_API} per s, n × ${LATENCY_MS} ms / ${MODEL_CONCURRENCY} in flight). The per-user procedure: every call`,
      `one after another (${LATENCY_MS} ms each) or, if slower, ${IAM_RATE_PER_API}/s per API.`,
      scale === 1
        ? 'Call counts are those measured at 5,000 users.'
        : `Call counts are extrapolated ×${scale} from ${model.users} users (5,000 not measured in this run).`,
      '',
    );
    lines.push(
      `| Approach | Calls | Modelled time | Lambda timeout (${sizing.timeoutSeconds} s) | Margin |`,
    );
    lines.push('| --- | ---: | ---: | ---: | ---: |');
    lines.push(
      `| rule (handler) | ${total(ruleCalls)} | ${s(ruleMs)} | ${sizing.timeoutSeconds} s | ${(timeout / ruleMs).toFixed(1)} × (${s(timeout - ruleMs)} spare) |`,
    );
    lines.push(
      `| per-user procedure | ${total(perUserCalls)} | ${s(perUserMs)} | ${sizing.timeoutSeconds} s | ${(timeout / perUserMs).toFixed(2)} × (${perUserMs > timeout ? 'does not fit' : `${s(timeout - perUserMs)} spare`}) |`,
    );
    lines.push('');
    lines.push(
      `Memory: the function has ${sizing.memoryMiB} MiB; the handler's measured peak RSS at ${model.users} users`,
      `was ${model.handler.peakRssMb.toFixed(0)} MB (${(sizing.memoryMiB / model.handler.peakRssMb).toFixed(1)} × headroom; measured under tsx, which`,
      'adds its own transpiler to the process, so the bundled Lambda should need less).',
      '',
    );
  }
  return lines.join('\n');
}

function table(sizes: SizeResult[]): string {
  const out = ['users  approach     wall      calls  peakRSS  nonCompliant  calls by operation'];
  for (const r of sizes) {
    for (const [name, m] of [
      ['handler', r.handler],
      ['per-user', r.perUser],
      ['floor', r.floor],
    ] as const) {
      out.push(
        `${String(r.users).padEnd(6)} ${name.padEnd(11)} ${s(m.ms).padStart(9)} ${String(total(m.calls)).padStart(6)} ${`${m.peakRssMb.toFixed(0)} MB`.padStart(8)} ${String(m.nonCompliant).padStart(13)}  ${fmtCalls(m.calls)}`,
      );
    }
    out.push(`${String(r.users).padEnd(6)} ${'CLI'.padEnd(11)} ${s(r.cli.ms).padStart(9)}`);
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const sizes: SizeResult[] = [];
  let cold: ColdStarts | undefined;
  const write = async (): Promise<void> => {
    const pending = SIZES.filter((n) => !sizes.some((r) => r.users === n));
    const markdown = await format(report(sizes, cold, pending), {
      parser: 'markdown',
      printWidth: 100,
      singleQuote: true,
      trailingComma: 'all',
    });
    writeFileSync(join(ROOT, 'BENCHMARKS.md'), markdown);
  };
  const ordered = [...SIZES].sort((a, b) => a - b);
  for (const users of ordered) {
    if (users === ordered[ordered.length - 1] && !cold) {
      process.stdout.write('cold start and bundle size…\n');
      cold = await coldStarts();
      await write();
    }
    process.stdout.write(`${users} users…\n`);
    sizes.push(await measureSize(users));
    await write();
    process.stdout.write(`${table(sizes)}\n`);
  }
  await write();
  process.stdout.write('\nBENCHMARKS.md written.\n');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
