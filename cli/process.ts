/**
 * The CLI as a process (bin/mfa-config-rules.js): one line on stderr per failure, and output that is
 * never cut — the exit code is set with `process.exitCode` and the process ends only once stdout and
 * stderr have been handed to the OS (a pipe takes 64 KB at a time; `process.exit()` straight after
 * writing more would drop the rest).
 */
import { main } from './main';

const NODE_VERSION_WARNING = 'NodeVersionSupportWarning';

/**
 * Drops the AWS SDK's multi-line NodeVersionSupportWarning (emitted on Node.js < 22), which would
 * break the CLI's one-line errors; every other warning is emitted as before.
 */
export function silenceNodeVersionWarning(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  const filtered = (warning: unknown, ...rest: unknown[]): void => {
    const text = warning instanceof Error ? `${warning.name}: ${warning.message}` : String(warning);
    const type =
      typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: unknown } | undefined)?.type;
    if (text.startsWith(NODE_VERSION_WARNING) || type === NODE_VERSION_WARNING) return;
    emit(warning, ...rest);
  };
  process.emitWarning = filtered;
}

/** Resolves once everything written to `stream` so far has been handed to the OS. */
export function flushed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    stream.write('', () => {
      resolve();
    });
  });
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').trim();
}

/** Runs the CLI on `argv` as the process's command: sets `process.exitCode`, waits for the output. */
export async function runCli(argv: readonly string[]): Promise<void> {
  silenceNodeVersionWarning();
  // A reader that goes away (`| head`) is not a failure of the command: stop writing, keep the code.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') process.exitCode = 2;
      process.exit();
    });
  }
  const exitOnceWritten = async (): Promise<void> => {
    await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
    // Everything is written; an SDK connection kept alive must not hold the process open.
    process.exit();
  };
  const fail = (error: unknown): void => {
    process.stderr.write(`mfa-config-rules: ${oneLine(error)}\n`);
    process.exitCode = 2;
  };
  // An error outside the command's promise: one line, then end (the command may never settle).
  const crash = (error: unknown): void => {
    fail(error);
    void exitOnceWritten();
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  try {
    process.exitCode = await main(argv);
  } catch (error) {
    fail(error);
  }
  await exitOnceWritten();
}
