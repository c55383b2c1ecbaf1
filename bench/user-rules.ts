/**
 * `npm run bench` (second part): each rule other than iam-user-console-mfa against its own floor at
 * 100, 1,000 and 5,000 users (BENCH_SIZES), on the same moto harness and the same population as the
 * console rule's bench: time (median) and calls by operation, counted by the SDK and by moto, which
 * must agree. Writes its section of BENCHMARKS.md between the other-rules markers and leaves the
 * console rule's section alone.
 *
 * A rule's floor is the fewest calls a correct check makes, written by hand in bench/worker.ts: the
 * same bulk reads, the per-user live reads the freshness needs, and the exemption tag of each user
 * still NON_COMPLIANT. The rule also reads its verdicts on record and sends PutEvaluations, which
 * the floor leaves out: those are counted apart.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'prettier';
import { logger } from '../rules/runtime/logger';
import { findRule } from '../rules/catalog';
import { ClientProvider } from '../rules/runtime/clients';
import { createHandler } from '../rules/runtime/handler';
import { scheduledEvent } from '../test/support/events';
import { seedUsers, startMoto, TEST_ACCOUNT_ID, type SeedUser } from '../test/support/moto';
import {
  fmtCalls,
  generateReport,
  median,
  OTHER_RULES_END,
  OTHER_RULES_START,
  population,
  ROOT,
  s,
  total,
  worker,
  type Calls,
  type Measured,
} from './common';
import { lambdaContext, REGION, type WorkerResult } from './events';
import type { Approach } from './worker';

const SIZES = (process.env.BENCH_SIZES ?? '100,1000,5000').split(',').map(Number);
const ROUNDS = (users: number) => (users <= 1000 ? 5 : 3);
/** Config's own calls: the rule makes them, a floor that only decides does not. */
const CONFIG_OPS = new Set(['PutEvaluations', 'GetComplianceDetailsByConfigRule']);

interface RuleBench {
  rule: string;
  /** What the account holds. */
  population: (size: number) => SeedUser[];
  populationText: string;
  /** The hand-written floor (bench/worker.ts), and alternatives measured beside it. */
  floor: Approach;
  alternatives: { approach: Approach; label: string }[];
}

export const RULE_BENCHES: RuleBench[] = [
  {
    rule: 'iam-user-mfa',
    population,
    populationText:
      "the console rule's population: 60 % console users, 5 % of everyone console users without MFA, 40 % API-only users without MFA (all NON_COMPLIANT here), no exemption tags",
    // The fewest calls: tags in bulk once there are more than 10 users to read per 1,000 users,
    // as the rule does (facts/exemption-tags.ts); per user beside it, to show what the switch saves.
    floor: 'floor-user-mfa-bulk-tags',
    alternatives: [
      {
        approach: 'floor-user-mfa',
        label: 'floor with exemption tags read per user (ListUserTags)',
      },
    ],
  },
];

interface SizeResult {
  users: number;
  rounds: number;
  rule: Measured;
  floor: Measured;
  alternatives: (Measured & { label: string })[];
}

function summarize(results: WorkerResult[]): Measured {
  const [first] = results;
  if (!first) throw new Error('no runs');
  for (const r of results) {
    if (fmtCalls(r.calls) !== fmtCalls(first.calls)) {
      throw new Error(`calls differ between runs: ${fmtCalls(first.calls)} / ${fmtCalls(r.calls)}`);
    }
  }
  return {
    ms: median(results.map((r) => r.ms)),
    calls: first.calls,
    nonCompliant: first.nonCompliant,
  };
}

const iamOnly = (calls: Calls): Calls =>
  Object.fromEntries(Object.entries(calls).filter(([op]) => !CONFIG_OPS.has(op)));

/** One real periodic run first, so Config holds a verdict per user as in an account in use. */
async function recordVerdicts(endpoint: string, rule: string): Promise<void> {
  const definition = findRule(rule);
  if (!definition) throw new Error(`${rule} is not in the catalog`);
  process.env.AWS_ACCESS_KEY_ID ??= 'testing';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
  await createHandler(definition, { clients: new ClientProvider({ endpoint, region: REGION }) })(
    scheduledEvent(rule),
    lambdaContext(300, rule),
  );
}

async function measure(bench: RuleBench, users: number): Promise<SizeResult> {
  const moto = await startMoto({ env: { MOTO_EXT_COUNT_CALLS: '1' } });
  try {
    await seedUsers(moto.endpoint, TEST_ACCOUNT_ID, bench.population(users));
    await generateReport(moto.endpoint);
    await recordVerdicts(moto.endpoint, bench.rule);
    const rounds = ROUNDS(users);
    const rule: WorkerResult[] = [];
    const floor: WorkerResult[] = [];
    const alternatives = bench.alternatives.map(() => [] as WorkerResult[]);
    for (let i = 0; i < rounds; i++) {
      rule.push(await worker('handler', moto.endpoint, { BENCH_RULE: bench.rule }));
      floor.push(await worker(bench.floor, moto.endpoint));
      for (const [j, alternative] of bench.alternatives.entries()) {
        alternatives[j]?.push(await worker(alternative.approach, moto.endpoint));
      }
    }
    const result: SizeResult = {
      users,
      rounds,
      rule: summarize(rule),
      floor: summarize(floor),
      alternatives: bench.alternatives.map((alternative, j) => ({
        label: alternative.label,
        ...summarize(alternatives[j] ?? []),
      })),
    };
    for (const other of [result.floor, ...result.alternatives]) {
      if (other.nonCompliant !== result.rule.nonCompliant) {
        throw new Error(
          `${bench.rule} at ${users}: the rule found ${result.rule.nonCompliant} NON_COMPLIANT, a floor ${other.nonCompliant}`,
        );
      }
    }
    return result;
  } finally {
    await moto.stop();
  }
}

function section(bench: RuleBench, sizes: SizeResult[]): string {
  const rows = sizes.map((r) => {
    const ruleIam = total(iamOnly(r.rule.calls));
    const floorIam = total(r.floor.calls);
    return `| ${r.users.toLocaleString('en-US')} | ${s(r.rule.ms)} | ${s(r.floor.ms)} | ${(r.rule.ms / r.floor.ms).toFixed(2)} × | ${ruleIam} / ${floorIam} (${ruleIam - floorIam >= 0 ? '+' : ''}${ruleIam - floorIam}) | ${total(r.rule.calls) - ruleIam} | ${r.rule.nonCompliant} |`;
  });
  const byOperation = sizes.flatMap((r) => [
    `- ${r.users.toLocaleString('en-US')} users, rule: ${fmtCalls(r.rule.calls)}`,
    `- ${r.users.toLocaleString('en-US')} users, floor: ${fmtCalls(r.floor.calls)}`,
    ...r.alternatives.map(
      (a) =>
        `- ${r.users.toLocaleString('en-US')} users, ${a.label}: ${fmtCalls(a.calls)} (${s(a.ms)})`,
    ),
  ]);
  return [
    `### \`${bench.rule}\``,
    '',
    `Account: ${bench.populationText}. Median of ${sizes.map((r) => `${r.rounds}`).join(' / ')} runs per size; the rule runs in-process through its Lambda handler (TESTMODE token) after one real run has recorded a verdict per user.`,
    '',
    '| users | rule | floor | ratio | IAM calls rule / floor | Config calls (rule only) | NON_COMPLIANT |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    'Calls by operation:',
    '',
    ...byOperation,
  ].join('\n');
}

async function write(parts: string[]): Promise<void> {
  const file = join(ROOT, 'BENCHMARKS.md');
  const text = readFileSync(file, 'utf8');
  const body = await format(
    [
      '## The other rules against their floors',
      '',
      `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`bench/user-rules.ts\` (part of \`npm run bench\`), on the machine and moto harness of the section above. Floors are in \`bench/worker.ts\`.`,
      '',
      ...parts.flatMap((part) => [part, '']),
    ].join('\n'),
    { parser: 'markdown', printWidth: 100 },
  );
  const block = `${OTHER_RULES_START}\n\n${body}\n${OTHER_RULES_END}`;
  const start = text.indexOf(OTHER_RULES_START);
  const end = text.indexOf(OTHER_RULES_END);
  const next =
    start >= 0 && end > start
      ? `${text.slice(0, start)}${block}${text.slice(end + OTHER_RULES_END.length)}`
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}

async function main(): Promise<void> {
  logger.setLogLevel('ERROR');
  const parts: string[] = [];
  for (const bench of RULE_BENCHES) {
    const sizes: SizeResult[] = [];
    for (const users of [...SIZES].sort((a, b) => a - b)) {
      process.stdout.write(`${bench.rule}: ${users} users…\n`);
      const result = await measure(bench, users);
      sizes.push(result);
      process.stdout.write(
        `  rule ${s(result.rule.ms)} (${fmtCalls(result.rule.calls)})\n  floor ${s(result.floor.ms)} (${fmtCalls(result.floor.calls)})\n`,
      );
      for (const a of result.alternatives) {
        process.stdout.write(`  ${a.label} ${s(a.ms)} (${fmtCalls(a.calls)})\n`);
      }
    }
    parts.push(section(bench, sizes));
  }
  await write(parts);
  process.stdout.write('BENCHMARKS.md: other rules written.\n');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
