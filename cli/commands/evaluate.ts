/** `mfa-config-rules evaluate`: the pack's rules, read-only, against the account of the credentials. */
import type { Command } from 'commander';
import { collect, examples, GATE_EXIT_CODES, type CommandContext } from '../context';
import { RULE_METADATA } from '../metadata';
import { awsCommands } from '../load';
import { type EvaluateOptions } from '../options';
import { awsOptions, listingOptions } from './shared';

export function defineEvaluateCommand(program: Command, { io, run }: CommandContext): Command {
  const names = RULE_METADATA.map((rule) => rule.name);
  const command = program
    .command('evaluate')
    .description(
      "evaluate the account read-only with the pack's rules (nothing is sent to AWS Config): counts per rule first, then every evaluation",
    )
    .option(
      '--rule <name>',
      `a rule to run, repeatable (default: all of ${names.join(', ')})`,
      collect,
    )
    .option(
      '--parameters <json>',
      'rule parameters as a JSON object, e.g. {"GracePeriodDays":"7"}; with several rules, each gets the keys it takes',
    )
    .option('--account-id <id>', 'with ExecutionRoleName: the account whose role to assume');
  awsOptions(command);
  listingOptions(command, 'evaluations');
  return command
    .addHelpText(
      'after',
      examples(
        'mfa-config-rules evaluate --profile audit --region eu-west-1 --failed',
        'mfa-config-rules evaluate --region eu-west-1 --output-dir reports/',
      ) + GATE_EXIT_CODES,
    )
    .action((options: EvaluateOptions) => {
      run(awsCommands().evaluate(options, io));
    });
}
