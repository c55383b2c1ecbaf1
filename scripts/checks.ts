/**
 * Runs npm scripts side by side (`tsx scripts/checks.ts typecheck lint format:check cycles`): the
 * type-check and the linter are single-threaded, so on two cores together they take the time of
 * the slower one. Prints one line per script; a failing script's whole output follows its line.
 * Exits 1 if any failed.
 */
import { spawn } from 'node:child_process';

interface Outcome {
  name: string;
  code: number | null;
  output: string;
  seconds: number;
}

function runScript(name: string): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => {
      resolve({ name, code: 1, output: error.message, seconds: 0 });
    });
    child.once('close', (code) => {
      resolve({ name, code, output, seconds: (Date.now() - started) / 1000 });
    });
  });
}

async function main(names: string[]): Promise<number> {
  if (names.length === 0) {
    process.stderr.write('usage: tsx scripts/checks.ts <npm script>...\n');
    return 2;
  }
  const outcomes = await Promise.all(names.map(runScript));
  let failed = 0;
  for (const { name, code, output, seconds } of outcomes) {
    const ok = code === 0;
    if (!ok) failed += 1;
    process.stdout.write(`${ok ? '✔' : '✘'} ${name} (${seconds.toFixed(0)} s)\n`);
    if (!ok) process.stdout.write(`${output.trimEnd()}\n`);
  }
  return failed > 0 ? 1 : 0;
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
