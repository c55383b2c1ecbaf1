/**
 * Start-up of the command, as whole processes timed from a shell (bench/alternate.sh): the commands
 * that make no AWS call (`rules`, `--version`, `--help`, a usage error) against `node -e` requiring
 * the three AWS SDK clients, target ≤ 0.5 ×; `evaluate` up to its first AWS call, target ≤ 1.2 ×.
 * `evaluate` runs with no credentials anywhere (an empty HOME, no AWS_* variables, instance
 * metadata off): it loads everything it needs and resolves the credential chain, then stops with
 * one line (exit 2) instead of going to the network.
 *
 * `npm run bench:startup` prints the figures and writes its section of BENCHMARKS.md (exit 1 over
 * a target). STARTUP_ROUNDS sets the rounds (default 21).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, isStale } from '../scripts/build';
import { machine, median, ROOT, writeSection } from './common';

const ROUNDS = Number(process.env.STARTUP_ROUNDS ?? 21);
export const NO_CALL_TARGET = 0.5;
export const EVALUATE_TARGET = 1.2;

interface Command {
  name: string;
  what: string;
  command: string;
  /** Ratio to the SDK clients' time this command must stay within. */
  target?: number;
}

function commands(home: string): Command[] {
  const bin = 'node bin/mfa-config-rules.js';
  return [
    {
      name: 'sdk',
      what: '`node -e` requiring `@aws-sdk/client-iam`, `client-config-service`, `client-sts`',
      command: `node -e "require('@aws-sdk/client-iam');require('@aws-sdk/client-config-service');require('@aws-sdk/client-sts')"`,
    },
    {
      name: 'node',
      what: '`node` on an empty file (Node.js itself)',
      command: `node ${join(home, 'empty.js')}`,
    },
    {
      name: 'hello',
      what: '`node -e "process.stdout.write(\'x\\n\')"` (Node.js printing a line)',
      command: `node -e "process.stdout.write('x\\n')"`,
    },
    {
      name: 'rules',
      what: '`mfa-config-rules rules`',
      command: `${bin} rules`,
      target: NO_CALL_TARGET,
    },
    {
      name: 'version',
      what: '`mfa-config-rules --version`',
      command: `${bin} --version`,
      target: NO_CALL_TARGET,
    },
    {
      name: 'help',
      what: '`mfa-config-rules evaluate --help`',
      command: `${bin} evaluate --help`,
      target: NO_CALL_TARGET,
    },
    {
      name: 'usage',
      what: '`mfa-config-rules evaluate --faild` (usage error)',
      command: `${bin} evaluate --faild`,
      target: NO_CALL_TARGET,
    },
    {
      name: 'evaluate',
      what: '`mfa-config-rules evaluate --region us-east-1`, up to its first AWS call',
      command: `env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE -u AWS_REGION HOME=${home} AWS_EC2_METADATA_DISABLED=true ${bin} evaluate --region us-east-1`,
      target: EVALUATE_TARGET,
    },
  ];
}

export interface StartupRow extends Command {
  ms: number;
  ratio: number;
}

export function measureStartup(rounds = ROUNDS): StartupRow[] {
  if (isStale()) build();
  const home = mkdtempSync(join(tmpdir(), 'mfa-startup-'));
  try {
    writeFileSync(join(home, 'empty.js'), '');
    const list = commands(home);
    const out = spawnSync(
      'bash',
      [
        join(ROOT, 'bench', 'alternate.sh'),
        String(rounds),
        ...list.flatMap((c) => [c.name, c.command]),
      ],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
    );
    if (out.status !== 0) throw new Error(`bench/alternate.sh failed: ${out.stderr}`);
    const samples = out.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { name: string; ms: number });
    const ms = (name: string) => median(samples.filter((s) => s.name === name).map((s) => s.ms));
    const sdk = ms('sdk');
    return list.map((c) => ({ ...c, ms: ms(c.name), ratio: ms(c.name) / sdk }));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const within = (row: StartupRow) => row.target === undefined || row.ratio <= row.target;

export function startupMarkdown(rows: readonly StartupRow[], rounds = ROUNDS): string {
  return [
    '## Start-up of the command',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`bench/startup.ts\` (\`npm run bench:startup\`).`,
    '',
    machine(),
    '',
    `Whole processes timed from bash (\`bench/alternate.sh\`: \`EPOCHREALTIME\` around each process, the commands alternating in every round, one warm-up round), median of ${rounds} rounds. The CLI runs as installed: \`bin/mfa-config-rules.js\` loads \`dist/cli/mfa-config-rules.js\` (the command definitions, the catalog's metadata inlined), which loads \`dist/cli/aws-commands.js\` (the rules, the runtime and the AWS SDK, bundled) only for a command that calls AWS. \`evaluate\` runs with no credentials anywhere (empty HOME, no AWS_* variables, instance metadata off): it loads all it needs and walks the credential chain, then stops with one line (exit 2), before any network call.`,
    '',
    '| Command | Wall time (median) | Ratio to the SDK clients | Target | Verdict |',
    '| --- | ---: | ---: | ---: | --- |',
    ...rows.map(
      (row) =>
        `| ${row.what} | ${row.ms.toFixed(1)} ms | ${row.ratio.toFixed(2)} × | ${row.target === undefined ? '–' : `≤ ${row.target} ×`} | ${row.target === undefined ? '–' : within(row) ? 'holds' : '**over**'} |`,
    ),
    '',
    "Node.js's own start-up and a first write to standard output are the floor of any command: the rows `node` and `hello` show how much of the 0.5 × that floor takes on this machine.",
    '',
    'To re-measure with hyperfine (each command in a block, not alternating):',
    '',
    '```sh',
    'npm run build',
    `hyperfine -N -w 3 -r 30 "node bin/mfa-config-rules.js rules" "node bin/mfa-config-rules.js --version" \\`,
    `  "node -e \\"require('@aws-sdk/client-iam');require('@aws-sdk/client-config-service');require('@aws-sdk/client-sts')\\""`,
    '```',
    '',
  ].join('\n');
}

if (require.main === module) {
  void (async () => {
    const rows = measureStartup();
    for (const row of rows) {
      process.stdout.write(
        `${row.name.padEnd(9)} ${row.ms.toFixed(1).padStart(7)} ms  ${row.ratio.toFixed(2)} ×${row.target === undefined ? '' : `  (target ≤ ${row.target} ×: ${within(row) ? 'holds' : 'OVER'})`}\n`,
      );
    }
    await writeSection('startup', startupMarkdown(rows));
    process.exitCode = rows.every(within) ? 0 : 1;
  })();
}
