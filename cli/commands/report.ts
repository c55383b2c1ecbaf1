/** `mfa-config-rules report --aggregator NAME`: the organization's verdicts from a Config aggregator. */
import type { Command } from 'commander';
import { examples, GATE_EXIT_CODES, type CommandContext } from '../context';
import { awsCommands } from '../load';
import { DEFAULT_REPORT_CONCURRENCY, type ReportOptions } from '../options';
import { awsOptions, listingOptions } from './shared';

export function defineReportCommand(program: Command, { io, run }: CommandContext): Command {
  const command = program
    .command('report')
    .description(
      "the organization's verdicts from an AWS Config aggregator (read-only): accounts × rules first, failing accounts first, then every result",
    )
    .requiredOption('--aggregator <name>', 'the AWS Config aggregator to read')
    .option('--source-region <region>', 'only results from this source Region')
    .option(
      '--concurrency <n>',
      `aggregator requests in flight, 1 to 32 (default ${DEFAULT_REPORT_CONCURRENCY})`,
    );
  awsOptions(
    command,
    'STS, Config',
    'the Region the aggregator lives in (aggregators are regional)',
  );
  listingOptions(command, 'results');
  return command
    .addHelpText(
      'after',
      examples(
        'mfa-config-rules report --aggregator org-mfa --region eu-west-1 --failed',
        'mfa-config-rules report --aggregator org-mfa --region eu-west-1 --output-dir reports/',
      ) + GATE_EXIT_CODES,
    )
    .action((options: ReportOptions) => {
      run(awsCommands().report(options, io));
    });
}
