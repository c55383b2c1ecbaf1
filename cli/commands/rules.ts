/** `mfa-config-rules rules`: the catalog, with every rule's framework controls. No AWS call. */
import { Option, type Command } from 'commander';
import { EXIT, examples, type CommandContext } from '../context';
import { RULES_OUTPUT_FORMATS, type RulesOutputFormat } from '../options';
import type * as RulesOutput from '../rules-output';

export function defineRulesCommand(program: Command, { io, run }: CommandContext): Command {
  return program
    .command('rules')
    .description('list the rules with their CIS (every version) and Security Hub controls')
    .addOption(
      new Option('--output <format>', 'output format')
        .choices(RULES_OUTPUT_FORMATS)
        .default('table'),
    )
    .addHelpText(
      'after',
      examples('mfa-config-rules rules', "mfa-config-rules rules --output json | jq '.[].name'") +
        `
Exit codes:
  0  listed
  2  usage error: one line on stderr
`,
    )
    .action((options: { output: RulesOutputFormat }) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for this command
      const { formatRules } = require('../rules-output') as typeof RulesOutput;
      io.stdout(formatRules(options.output));
      run(Promise.resolve(EXIT.OK));
    });
}
