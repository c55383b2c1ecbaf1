/** What the benchmark scripts share: running workers, counting calls, formatting figures. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { GenerateCredentialReportCommand, IAMClient } from '@aws-sdk/client-iam';
import { build } from 'esbuild';
import { BUNDLING } from '../infra/rule-function';
import { ruleEntryStdin } from '../scripts/rule-entry';
import { ESBUILD_TARGET, LAMBDA_ESBUILD_ALIASES } from '../infra/settings';
import { motoClientConfig, takeCallCounts, type SeedUser } from '../test/support/moto';
import type { WorkerResult } from './events';
import type { Approach } from './worker';

export const ROOT = resolve(__dirname, '..');
export type Calls = Record<string, number>;

/** One approach's median time, its calls by operation and the users it found NON_COMPLIANT. */
export interface Measured {
  ms: number;
  calls: Calls;
  nonCompliant: number;
}

export const ENV = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
export const total = (calls: Calls): number => Object.values(calls).reduce((a, b) => a + b, 0);
export const fmtCalls = (calls: Calls): string =>
  Object.entries(calls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
export const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

export function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...ENV, ...env } });
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

export function lastJsonLine(stdout: string): string | undefined {
  return stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
}

/** One run of an approach in its own process; calls as moto counted them. */
export async function worker(
  approach: Approach,
  endpoint: string,
  env: Record<string, string> = {},
): Promise<WorkerResult> {
  await takeCallCounts(endpoint);
  const out = await run(
    process.execPath,
    ['--import', 'tsx', 'bench/worker.ts', approach, endpoint],
    env,
  );
  const line = lastJsonLine(out.stdout);
  if (out.code !== 0 || !line) {
    throw new Error(`worker ${approach} failed (${out.code}): ${out.stderr.slice(-2000)}`);
  }
  const result = JSON.parse(line) as WorkerResult;
  const served = await takeCallCounts(endpoint);
  if (fmtCalls(served) !== fmtCalls(result.calls)) {
    throw new Error(
      `${approach}: the SDK sent ${fmtCalls(result.calls)} but moto served ${fmtCalls(served)}`,
    );
  }
  return result;
}

/**
 * 60 % console users; 5 % of everyone console users without MFA; the rest of them with MFA, of
 * which `hardwareShare` (0–1, in tenths; default 0.5) hold a hardware/FIDO device and the others a
 * virtual one.
 */
export function population(size: number, hardwareShare = 0.5): SeedUser[] {
  const consoleUsers = Math.round(size * 0.6);
  const noMfa = Math.round(size * 0.05);
  const hardwareTenths = Math.round(hardwareShare * 10);
  return Array.from({ length: size }, (_, i) => {
    const name = `bench-user-${String(i).padStart(5, '0')}`;
    if (i >= consoleUsers) return { name, consolePassword: false, mfa: 'none' };
    if (i < noMfa) return { name, consolePassword: true, mfa: 'none' };
    return {
      name,
      consolePassword: true,
      mfa: (i - noMfa) % 10 < hardwareTenths ? 'hardware' : 'virtual',
    };
  });
}

export async function generateReport(endpoint: string): Promise<void> {
  const iam = new IAMClient(motoClientConfig(endpoint));
  for (;;) {
    const out = await iam.send(new GenerateCredentialReportCommand({}));
    if (out.State === 'COMPLETE') return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Markers of the section bench/user-rules.ts writes into BENCHMARKS.md (after the console rule's). */
export const OTHER_RULES_START = '<!-- other-rules:start (written by bench/user-rules.ts) -->';
export const OTHER_RULES_END = '<!-- other-rules:end -->';

/**
 * The machine a figure was taken on, and how busy it was (load average over 1 / 5 minutes: on a
 * machine shared with other work, timings are inflated).
 */
export function machine(): string {
  const [one = 0, five = 0] = loadavg();
  return [
    `- CPUs (\`nproc\`): ${cpus().length} (${cpus()[0]?.model ?? 'unknown'}); load average ${one.toFixed(2)} / ${five.toFixed(2)} (1 / 5 min) at the start`,
    `- Memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(freemem() / 2 ** 30).toFixed(1)} GiB free at start`,
    `- Node.js: ${process.version}`,
  ].join('\n');
}

const sectionStart = (name: string) => `<!-- ${name}:start`;
const sectionEnd = (name: string) => `<!-- ${name}:end -->`;

/**
 * Writes `markdown` as the section `name` of BENCHMARKS.md (between its markers), in place if the
 * file has it, else at the end; prettier-formatted as the rest of the file.
 */
export async function writeSection(name: string, markdown: string): Promise<void> {
  const { format } = await import('prettier');
  const file = join(ROOT, 'BENCHMARKS.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const body = await format(markdown, { parser: 'markdown', printWidth: 100, proseWrap: 'always' });
  const block = `${sectionStart(name)} (written by bench/${name}.ts) -->\n\n${body}\n${sectionEnd(name)}`;
  const start = text.indexOf(sectionStart(name));
  const end = text.indexOf(sectionEnd(name));
  const next =
    start >= 0 && end > start
      ? `${text.slice(0, start)}${block}${text.slice(end + sectionEnd(name).length)}`
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}

/** Every marked section BENCHMARKS.md holds now (written by the other scripts), to keep them. */
export function keptSections(): string {
  const file = join(ROOT, 'BENCHMARKS.md');
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  const blocks = [...text.matchAll(/<!-- ([\w-]+):start[^>]*-->[\s\S]*?<!-- \1:end -->/g)].map(
    (match) => match[0],
  );
  return blocks.map((block) => `\n${block}\n`).join('');
}

/** The V8 flags the Lambda Node.js bootstrap derives from a function's memory (see BENCHMARKS.md). */
export function lambdaNodeFlags(memoryMiB: number): string[] {
  const newSpace = Math.floor(memoryMiB / 10);
  return [
    '--expose-gc',
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMiB - newSpace}`,
  ];
}

/** A rule's bundle as CDK deploys it (infra/rule-function.ts BUNDLING): `<dir>/<rule>/index.mjs`. */
export async function buildRuleBundle(rule: string, dir: string): Promise<string> {
  const file = join(dir, rule, 'index.mjs');
  await build({
    stdin: ruleEntryStdin(rule),
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: ESBUILD_TARGET,
    mainFields: BUNDLING.mainFields ?? [],
    banner: { js: BUNDLING.banner ?? '' },
    minify: BUNDLING.minify ?? false,
    sourcemap: BUNDLING.sourceMap ?? false,
    treeShaking: true,
    legalComments: 'none',
    external: BUNDLING.externalModules ?? [],
    alias: { ...LAMBDA_ESBUILD_ALIASES },
    logLevel: 'warning',
  });
  return file;
}

/** bench/lambda-runner.ts compiled for plain `node`: `<dir>/lambda-runner.mjs`. */
export async function buildLambdaRunner(dir: string): Promise<string> {
  const runner = join(dir, 'lambda-runner.mjs');
  await build({
    entryPoints: [join(ROOT, 'bench', 'lambda-runner.ts')],
    outfile: runner,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: ESBUILD_TARGET,
    logLevel: 'warning',
  });
  return runner;
}
