/**
 * `npm run bench:organization`: an organization's periodic run against the extended moto, through
 * the real path (central handlers, AssumeRole of the execution role with each rule's session
 * policy into every member account, the rule names of each deployment mode), at 21 and 100
 * accounts; records the time and the AWS calls per account and writes them into BENCHMARKS.md
 * between the organization markers (bench/run.ts rewrites the whole file: run this one after it).
 *
 * Method: moto counts every request by operation at the server (MOTO_EXT_COUNT_CALLS=1); each
 * account has 3 IAM users (one with MFA, one without, one without a console password); 4 accounts
 * run at a time, each account's five invocations one after another, one handler (container) per
 * rule for the whole run, as Lambda keeps them warm; 3 runs per size and mode, alternating modes,
 * medians reported. A local emulator has none of AWS's latency or throttling: the times compare
 * runs here, the calls are what AWS would see.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'prettier';
import { RULE_METADATA } from '../rules/catalog';
import { startMoto, takeCallCounts } from '../test/support/moto';
import {
  memberAccounts,
  runOrganization,
  seedOrganization,
  takeAssumeRoleCalls,
  type DeploymentMode,
} from '../test/support/organization-run';
import { logger } from '../rules/runtime/logger';
import { ENV, median, ROOT, s, type Calls } from './common';

const SIZES = (process.env.BENCH_ORG_SIZES ?? '21,100').split(',').map(Number);
const RUNS = 3;
const CONCURRENCY = 4;
const MODES: DeploymentMode[] = ['conformancePack', 'configRules'];
const START = '<!-- organization:start (written by bench/organization.ts) -->';
const END = '<!-- organization:end -->';

interface Row {
  accounts: number;
  mode: DeploymentMode;
  totalMs: number;
  perAccountMs: number;
  p95AccountMs: number;
  callsPerAccount: number;
  breakdown: Calls;
  assumeRolePerAccount: number;
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

async function measure(endpoint: string, accounts: string[], mode: DeploymentMode): Promise<Row> {
  await takeCallCounts(endpoint);
  await takeAssumeRoleCalls(endpoint);
  const started = performance.now();
  const runs = await runOrganization(endpoint, accounts, mode, CONCURRENCY);
  const totalMs = performance.now() - started;
  const calls = await takeCallCounts(endpoint);
  const assumed = await takeAssumeRoleCalls(endpoint);
  const n = accounts.length;
  const per = Object.fromEntries(
    Object.entries(calls).map(([op, count]) => [op, Math.round((count / n) * 100) / 100]),
  );
  return {
    accounts: n,
    mode,
    totalMs,
    perAccountMs: median(runs.map((r) => r.ms)),
    p95AccountMs: percentile(
      runs.map((r) => r.ms),
      95,
    ),
    callsPerAccount: Object.values(calls).reduce((a, b) => a + b, 0) / n,
    breakdown: per,
    assumeRolePerAccount: assumed.length / n,
  };
}

async function main(): Promise<void> {
  Object.assign(process.env, ENV);
  logger.setLogLevel('SILENT');
  const rows: Row[] = [];
  for (const size of SIZES) {
    const moto = await startMoto({
      env: { MOTO_EXT_COUNT_CALLS: '1', MOTO_EXT_REPORT_DELAY_MS: '50' },
    });
    try {
      const accounts = memberAccounts(size);
      const samples: Record<DeploymentMode, Row[]> = { conformancePack: [], configRules: [] };
      for (let run = 0; run < RUNS; run++) {
        for (const mode of run % 2 === 0 ? MODES : [...MODES].reverse()) {
          await moto.reset();
          await seedOrganization(moto.endpoint, accounts);
          samples[mode].push(await measure(moto.endpoint, accounts, mode));
          process.stdout.write(`${String(size)} accounts, ${mode}, run ${String(run + 1)} done\n`);
        }
      }
      for (const mode of MODES) {
        const all = samples[mode];
        const first = all[0];
        if (!first) continue;
        rows.push({
          ...first,
          totalMs: median(all.map((r) => r.totalMs)),
          perAccountMs: median(all.map((r) => r.perAccountMs)),
          p95AccountMs: median(all.map((r) => r.p95AccountMs)),
        });
      }
    } finally {
      await moto.stop();
    }
  }
  const table = [
    '| accounts | rule names | whole run (median) | per account (median) | per account (p95) | AWS calls per account | AssumeRole per account | calls per account, by operation |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${String(r.accounts)} | ${r.mode === 'configRules' ? 'exact (`configRules`)' : '`<rule>-conformance-pack-<id>`'} | ${s(r.totalMs)} | ${s(r.perAccountMs)} | ${s(r.p95AccountMs)} | ${r.callsPerAccount.toFixed(2)} | ${String(r.assumeRolePerAccount)} | ${Object.entries(
          r.breakdown,
        )
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([op, n]) => `${op} ${String(n)}`)
          .join(', ')} |`,
    ),
  ].join('\n');
  const section = [
    START,
    '',
    '## Organization runs (issue 19)',
    '',
    `The central function of each of the ${String(RULE_METADATA.length)} rules evaluates every member account through its execution role (one \`AssumeRole\` per account and rule, with that rule's session policy), as a periodic run of the organization does; ${String(CONCURRENCY)} accounts at a time, 3 IAM users per account, moto on this machine, ${String(RUNS)} runs per row (medians). Per account = the account's ${String(RULE_METADATA.length)} invocations one after another. The credential report's polling makes \`GetCredentialReport\`/\`GenerateCredentialReport\` vary a little; \`GetCallerIdentity\` is once per container (outside Lambda), so it falls per account as accounts grow. Written by \`npm run bench:organization\` (bench/organization.ts).`,
    '',
    table,
    '',
    END,
  ].join('\n');
  const file = join(ROOT, 'BENCHMARKS.md');
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const next =
    start >= 0 && end > start
      ? `${text.slice(0, start)}${section}${text.slice(end + END.length)}`
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(
    file,
    await format(next, {
      filepath: file,
      ...(JSON.parse(readFileSync(join(ROOT, '.prettierrc.json'), 'utf8')) as object),
    }),
  );
  process.stdout.write(`${table}\n\nBENCHMARKS.md: organization section written.\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:organization failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
