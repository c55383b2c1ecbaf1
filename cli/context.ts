/** What every command of the CLI shares: its output streams, exit codes and help texts. */

/**
 * Exit codes: 0 = ran, nothing NON_COMPLIANT; 1 = ran, something NON_COMPLIANT (a pipeline gate);
 * 2 = usage error or failure, with one line on stderr.
 */
export const EXIT = { OK: 0, NON_COMPLIANT: 1, ERROR: 2 } as const;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  /** Progress for a person watching (standard error, only when it is a terminal); else absent. */
  progress?: (text: string) => void;
}

/** What a command's definition gets besides the program: the streams, and where its result goes. */
export interface CommandContext {
  io: Io;
  /** Hands the command's outcome (its exit code) to `main`. */
  run: (code: Promise<number>) => void;
}

/** The exit codes as `--help` prints them, for commands that gate on NON_COMPLIANT. */
export const GATE_EXIT_CODES = `
Exit codes:
  0  ran; nothing NON_COMPLIANT (whatever --compliance lists)
  1  ran; something NON_COMPLIANT (a pipeline gate)
  2  usage error or failure: one line on stderr, nothing reported
`;

/** `Examples:` and the commands, for `addHelpText('after', …)`. */
export function examples(...lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
