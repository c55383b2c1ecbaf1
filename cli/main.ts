/**
 * mfa-config-rules: the pack's rules from a laptop or a pipeline, with the same gather/evaluate
 * code as the Lambda functions and the default AWS credential chain.
 *
 * Each command is defined by a function that takes the program (cli/commands/); a new
 * command is its file plus one line in `program()`. What calls AWS is loaded only when a command
 * runs (load.ts `awsCommands`), so `rules`, `--version`, `--help` and usage errors start
 * without the rules, zod or the AWS SDK.
 *
 * Exit codes: 0 = ran, nothing NON_COMPLIANT; 1 = ran, something NON_COMPLIANT (a pipeline gate);
 * 2 = usage error or failure, with one line on stderr.
 */
import { Command, CommanderError } from 'commander';
import { defineDoctorCommand } from './commands/doctor';
import { defineEvaluateCommand } from './commands/evaluate';
import { defineInvokeCommand } from './commands/invoke';
import { defineReportCommand } from './commands/report';
import { defineRulesCommand } from './commands/rules';
import { describeError } from '../rules/runtime/errors';
import { EXIT, type CommandContext, type Io } from './context';
import { packageVersion } from './version';

export { EXIT, type Io } from './context';

const defaultIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  ...(process.stderr.isTTY ? { progress: (text: string) => process.stderr.write(text) } : {}),
};

/** The command line: every command registered on one program. */
export function program(context: CommandContext): Command {
  const cli = new Command('mfa-config-rules')
    .description('AWS Config rules for the CIS AWS Foundations MFA controls, run locally.')
    .version(packageVersion(), '-V, --version', 'print the version')
    // Inherited by every command defined below: errors come back to `main` as one line.
    .exitOverride()
    .configureOutput({ writeOut: context.io.stdout, writeErr: () => undefined })
    .showSuggestionAfterError(true);
  defineEvaluateCommand(cli, context);
  defineReportCommand(cli, context);
  defineInvokeCommand(cli, context);
  defineRulesCommand(cli, context);
  defineDoctorCommand(cli.command('doctor'), context.io, context.run);
  return cli;
}

/** One line for stderr, with a hint where the cause has a known fix. */
function failureLine(error: unknown): string {
  const message = describeError(error);
  if (/region is missing/i.test(message)) {
    return 'no AWS Region: pass --region REGION or set AWS_REGION (IAM is global; STS and Config are regional)';
  }
  return message;
}

/** Runs the CLI; resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  let pending: Promise<number> | undefined;
  try {
    const cli = program({
      io,
      run: (code) => {
        pending = code;
      },
    });
    if (argv.length === 0) {
      io.stderr(cli.helpInformation());
      return EXIT.ERROR;
    }
    await cli.parseAsync([...argv], { from: 'user' });
    if (!pending) return EXIT.OK;
    return await pending;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.OK;
      io.stderr(
        `mfa-config-rules: ${error.message
          .replace(/^error: /, '')
          .replace(/\s*\n\s*/g, ' ')
          .trim()}\n`,
      );
      return EXIT.ERROR;
    }
    io.stderr(`mfa-config-rules: ${failureLine(error)}\n`);
    return EXIT.ERROR;
  }
}
