/**
 * `evaluate` at 5,000 users against the floor, as whole processes timed from a shell
 * (bench/alternate.sh), alternating, median of CLI_ROUNDS (default 5):
 *
 *   evaluate     node bin/mfa-config-rules.js evaluate --rule iam-user-console-mfa --output json
 *   output-dir   the same with --output-dir (the four formats from that one evaluation)
 *   floor        bench/worker.ts `floor` (the console rule's bulk-read floor), bundled with esbuild
 *                like the CLI (minified, SDK inside) so both are plain `node` on one file
 *
 * Calls are moto's count per process (/moto-ext/calls). Target (issue 20): the console rule's
 * evaluation ≤ 1.0 × the floor's time with the floor's calls. The CLI also asks STS who it is
 * (GetCallerIdentity, to name the account): that one call is shown, not hidden.
 *
 * `npm run bench:cli` writes its section of BENCHMARKS.md. CLI_USERS sets the account size.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { build, isStale } from '../scripts/build';
import { seedUsers, startMoto, TEST_ACCOUNT_ID } from '../test/support/moto';
import {
  ENV,
  fmtCalls,
  generateReport,
  machine,
  median,
  population,
  ROOT,
  s,
  total,
  writeSection,
  type Calls,
} from './common';

const USERS = Number(process.env.CLI_USERS ?? 5000);
const ROUNDS = Number(process.env.CLI_ROUNDS ?? 5);
const TARGET = 1.0;

interface Sample {
  name: string;
  ms: number;
  exit: number;
  calls: Calls;
}

interface Result {
  name: string;
  ms: number;
  calls: Calls;
  exit: number;
  ranges: [number, number];
}

function bundleWorker(dir: string): string {
  const file = join(dir, 'worker.js');
  buildSync({
    entryPoints: [join(ROOT, 'bench', 'worker.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    minify: true,
    logLevel: 'warning',
  });
  return file;
}

export async function measureCli(): Promise<{ results: Result[]; users: number }> {
  if (isStale()) build();
  const dir = mkdtempSync(join(tmpdir(), 'mfa-cli-bench-'));
  const moto = await startMoto({ env: { MOTO_EXT_COUNT_CALLS: '1' } });
  try {
    const worker = bundleWorker(dir);
    await seedUsers(moto.endpoint, TEST_ACCOUNT_ID, population(USERS));
    await generateReport(moto.endpoint);
    const aws = `--endpoint-url ${moto.endpoint} --region us-east-1`;
    const evaluate = `node bin/mfa-config-rules.js evaluate --rule iam-user-console-mfa ${aws}`;
    const commands = [
      ['evaluate', `${evaluate} --output json`],
      ['output-dir', `rm -rf ${join(dir, 'out')} && ${evaluate} --output-dir ${join(dir, 'out')}`],
      ['floor', `node ${worker} floor ${moto.endpoint}`],
    ];
    const out = spawnSync(
      'bash',
      [join(ROOT, 'bench', 'alternate.sh'), String(ROUNDS), ...commands.flat()],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...ENV, CALLS_URL: `${moto.endpoint}/moto-ext/calls` },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    if (out.status !== 0) throw new Error(`bench/alternate.sh failed: ${out.stderr}`);
    const samples = out.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Omit<Sample, 'calls'> & { calls: { calls: Calls } });
    const results = commands.map(([name = '']) => {
      const mine = samples.filter((sample) => sample.name === name);
      const calls = mine.map((sample) => fmtCalls(sample.calls.calls));
      if (new Set(calls).size !== 1)
        throw new Error(`${name}: calls differ between rounds: ${calls.join(' | ')}`);
      const ms = mine.map((sample) => sample.ms);
      return {
        name,
        ms: median(ms),
        calls: mine[0]?.calls.calls ?? {},
        exit: mine[0]?.exit ?? -1,
        ranges: [Math.min(...ms), Math.max(...ms)] as [number, number],
      };
    });
    return { results, users: USERS };
  } finally {
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function cliMarkdown(results: readonly Result[], users: number): string {
  const floor = results.find((r) => r.name === 'floor');
  const ratio = (r: Result) => (floor ? r.ms / floor.ms : Number.NaN);
  const evaluate = results.find((r) => r.name === 'evaluate');
  const extra = (r: Result) => (floor ? total(r.calls) - total(floor.calls) : 0);
  return [
    `## \`evaluate\` at ${users.toLocaleString('en')} users, whole processes`,
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`bench/cli-evaluate.ts\` (\`npm run bench:cli\`).`,
    '',
    machine(),
    '',
    `One fresh moto server seeded as in the method above (${users.toLocaleString('en')} users, 5 % console users without MFA), credential report generated first. The commands alternate in each round, timed from bash (\`bench/alternate.sh\`), median of ${ROUNDS} rounds; moto counts each process's calls. \`floor\` is \`bench/worker.ts floor\` bundled with esbuild like the CLI, so both are \`node\` on one bundled file; its time includes its process start, as the CLI's does.`,
    '',
    '| Command | Wall time (median) | min – max | Ratio to floor | AWS calls | Calls by operation | Exit |',
    '| --- | ---: | ---: | ---: | ---: | --- | ---: |',
    ...results.map(
      (r) =>
        `| ${r.name === 'evaluate' ? '`evaluate --rule iam-user-console-mfa --output json`' : r.name === 'output-dir' ? '`evaluate --rule iam-user-console-mfa --output-dir DIR` (4 files)' : '`floor` (bench/worker.ts)'} | ${s(r.ms)} | ${s(r.ranges[0])} – ${s(r.ranges[1])} | ${ratio(r).toFixed(2)} × | ${total(r.calls)}${r.name === 'floor' ? '' : ` (+${extra(r)})`} | ${fmtCalls(r.calls)} | ${r.exit} |`,
    ),
    '',
    evaluate && floor
      ? `Target: the console rule's evaluation ≤ ${TARGET.toFixed(1)} × the floor's time with the floor's calls. Measured ${ratio(evaluate).toFixed(2)} × (${ratio(evaluate) <= TARGET ? 'holds' : '**over the target**'}); calls: the floor's plus ${extra(evaluate)} (${fmtCalls(Object.fromEntries(Object.entries(evaluate.calls).filter(([op, n]) => (floor.calls[op] ?? 0) !== n)))}): STS GetCallerIdentity, which names the account the verdicts belong to.`
      : '',
    '',
  ].join('\n');
}

if (require.main === module) {
  void (async () => {
    const { results, users } = await measureCli();
    const markdown = cliMarkdown(results, users);
    process.stdout.write(markdown);
    await writeSection('cli-evaluate', markdown);
  })().catch((error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
