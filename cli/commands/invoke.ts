/** `mfa-config-rules invoke`: a rule's Lambda handler in-process on a Config event. */
import type { Command } from 'commander';
import { examples, type CommandContext } from '../context';
import { RULE_METADATA } from '../metadata';
import { awsCommands } from '../load';
import { type InvokeOptions } from '../options';
import { awsOptions } from './shared';

export function defineInvokeCommand(program: Command, { io, run }: CommandContext): Command {
  const names = RULE_METADATA.map((rule) => rule.name);
  const command = program
    .command('invoke')
    .description(
      "run a rule's Lambda handler in-process on an AWS Config event (PutEvaluations included)",
    )
    .requiredOption('--rule <name>', `the rule (${names.join(', ')})`)
    .requiredOption('--event <file>', 'the Config event as JSON: a file, or - for standard input')
    .option('--timeout <seconds>', 'the deadline the handler sees, as Lambda would give it', '900');
  awsOptions(command);
  return command
    .addHelpText(
      'after',
      examples(
        'mfa-config-rules invoke --rule iam-user-console-mfa --event event.json --region eu-west-1',
        'mfa-config-rules invoke --rule root-account-mfa --event - --endpoint-url http://127.0.0.1:5000 --region us-east-1 < event.json',
      ) +
        `
Exit codes:
  0  the handler ran (its summary and the verdicts on stdout)
  2  usage error, or the handler failed: one line on stderr
`,
    )
    .action((options: InvokeOptions) => {
      run(awsCommands().invoke(options, io));
    });
}
