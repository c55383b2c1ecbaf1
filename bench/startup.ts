/**
 * Start-up of the command: `mfa-config-rules rules` (the built CLI, as installed) against plain
 * `node -e` requiring the three AWS SDK clients it uses, side by side in one run (alternating,
 * median of 10 each). Target: at most 1.5 × the SDK clients' time.
 *
 * `npm run bench:startup` runs it alone (prints the figures, exit 1 over the target); `npm run
 * bench` adds its section to BENCHMARKS.md.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { build, isStale } from '../scripts/build';

const ROOT = resolve(__dirname, '..');
const SAMPLES = 10;
export const STARTUP_TARGET_RATIO = 1.5;
const SDK_CLIENTS = [
  '@aws-sdk/client-iam',
  '@aws-sdk/client-sts',
  '@aws-sdk/client-config-service',
] as const;

export interface Startup {
  samples: number;
  cliMs: number;
  sdkMs: number;
  ratio: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

function wallMs(args: string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${String(run.stderr)}`);
  return ms;
}

export function measureStartup(samples = SAMPLES): Startup {
  if (isStale()) build();
  const cli = [join(ROOT, 'bin', 'mfa-config-rules.js'), 'rules'];
  const sdk = ['-e', SDK_CLIENTS.map((name) => `require('${name}');`).join(' ')];
  wallMs(cli); // warm the file system cache for both
  wallMs(sdk);
  const cliMs: number[] = [];
  const sdkMs: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    cliMs.push(wallMs(cli));
    sdkMs.push(wallMs(sdk));
  }
  const result = { samples, cliMs: median(cliMs), sdkMs: median(sdkMs), ratio: 0 };
  result.ratio = result.cliMs / result.sdkMs;
  return result;
}

export function startupMarkdown(startup: Startup): string {
  return [
    '## Start-up of the command',
    '',
    `Wall time of a whole process, median of ${startup.samples} each, alternating in one run:`,
    '`node bin/mfa-config-rules.js rules` (the compiled CLI from `dist/`, no TypeScript loader)',
    `against \`node -e\` requiring ${SDK_CLIENTS.map((name) => `\`${name}\``).join(', ')}, the`,
    `three clients the CLI uses. Target: at most ${STARTUP_TARGET_RATIO} ×.`,
    '',
    '| Command | Wall time (median) | Ratio |',
    '| --- | ---: | ---: |',
    `| \`mfa-config-rules rules\` | ${startup.cliMs.toFixed(0)} ms | ${startup.ratio.toFixed(2)} × |`,
    `| \`node -e\` requiring the 3 SDK clients | ${startup.sdkMs.toFixed(0)} ms | 1.00 × |`,
    '',
    startup.ratio <= STARTUP_TARGET_RATIO
      ? `Within the target (${startup.ratio.toFixed(2)} × ≤ ${STARTUP_TARGET_RATIO} ×).`
      : `**Over the target** (${startup.ratio.toFixed(2)} × > ${STARTUP_TARGET_RATIO} ×).`,
    '',
  ].join('\n');
}

if (require.main === module) {
  const startup = measureStartup();
  process.stdout.write(
    `mfa-config-rules rules: ${startup.cliMs.toFixed(0)} ms; node -e requiring the 3 SDK clients: ${startup.sdkMs.toFixed(0)} ms; ratio ${startup.ratio.toFixed(2)} (target ≤ ${STARTUP_TARGET_RATIO}, median of ${startup.samples} each)\n`,
  );
  process.exitCode = startup.ratio <= STARTUP_TARGET_RATIO ? 0 : 1;
}
