/**
 * `mfa-config-rules exemptions add|remove|list`: the central exemption registry (cli/exemptions.ts,
 * loaded only when one of them runs).
 */
import { Option, type Command } from 'commander';
import { collect, examples, type CommandContext } from '../context';
import { awsCommands } from '../load';
import type { AddOptions, ExemptionTargetOptions, ListOptions } from '../exemptions';
import { awsOptions } from './shared';

const EXIT_CODES = `
Exit codes:
  0  done
  2  bad input or failure: one line on stderr, nothing written
`;

function target(command: Command): Command {
  return command
    .option('--account <id>', 'the 12-digit account the user belongs to')
    .option('--user-id <id>', "the user's unique id (AIDA…), as findings and reports show it")
    .option(
      '--user <name>',
      "the user's name, looked up through --aggregator, or in IAM when the credentials belong to --account",
    )
    .option(
      '--aggregator <name>',
      'resolve --user through this Config aggregator (resource inventory)',
    )
    .option(
      '--rule <name>',
      'a user rule the exemption covers, repeatable, or all (every user rule)',
      collect,
    )
    .option('--table <name>', 'the registry table (default mfa-config-rules-exemptions)');
}

export function defineExemptionsCommand(program: Command, { io, run }: CommandContext): Command {
  const exemptions = program
    .command('exemptions')
    .description(
      'grant, revoke and list exemptions in the central exemption registry (a DynamoDB table in the central account)',
    );
  const add = target(exemptions.command('add').description('grant an exemption (one per rule)'))
    .option('--until <date>', 'the last day covered, YYYY-MM-DD (end of day UTC)')
    .option('--reason <text>', 'why (required)')
    .option('--max-days <n>', 'the longest exemption accepted, in days (default 365)');
  awsOptions(add, 'STS, IAM, Config, DynamoDB', 'the Region of the registry table');
  add
    .addHelpText(
      'after',
      examples(
        'mfa-config-rules exemptions add --account 111122223333 --user-id AIDAEXAMPLEEXAMPLE1 --rule iam-user-mfa --until 2027-01-31 --reason "moving to an IAM role"',
      ) + EXIT_CODES,
    )
    .action((options: AddOptions) => {
      run(awsCommands().exemptionsAdd(options, io));
    });
  const remove = target(
    exemptions.command('remove').description('revoke an exemption (the user id and rule)'),
  );
  awsOptions(remove, 'STS, IAM, Config, DynamoDB', 'the Region of the registry table');
  remove.addHelpText('after', EXIT_CODES).action((options: ExemptionTargetOptions) => {
    run(awsCommands().exemptionsRemove(options, io));
  });
  const list = exemptions
    .command('list')
    .description('list the exemptions, soonest to end first')
    .option('--account <id>', 'only this account')
    .option('--expiring-within <days>', 'only active exemptions ending within DAYS days')
    .option('--table <name>', 'the registry table (default mfa-config-rules-exemptions)')
    .addOption(
      new Option('--output <format>', 'output format')
        .choices(['table', 'json', 'csv'])
        .default('table'),
    );
  awsOptions(list, 'STS, DynamoDB', 'the Region of the registry table');
  list
    .addHelpText(
      'after',
      examples('mfa-config-rules exemptions list --expiring-within 14') + EXIT_CODES,
    )
    .action((options: ListOptions) => {
      run(awsCommands().exemptionsList(options, io));
    });
  return exemptions;
}
