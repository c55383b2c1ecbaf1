/** The built CLI as a child process, the way a pipeline runs it (its stdout and stderr are pipes). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(__dirname, '..', '..', 'bin', 'mfa-config-rules.js');
const CHILD_TIMEOUT_MS = 60_000;

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `mfa-config-rules …args` with moto's test credentials; `stdin` is written, then closed;
 * `unset` names variables of that environment to leave out.
 */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; stdin?: string; unset?: readonly string[] } = {},
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      NODE_NO_WARNINGS: '1',
      ...options.env,
    };
    for (const name of options.unset ?? []) Reflect.deleteProperty(env, name);
    const child = spawn(process.execPath, [BIN, ...args], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: CHILD_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
