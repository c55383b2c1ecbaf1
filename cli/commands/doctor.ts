/** `mfa-config-rules doctor`: its options and action (the run: ../doctor.ts, loaded on use). */
import { Option, type Command } from 'commander';
import { examples } from '../context';
import { doctorOptions, RULE_NAMES, type DoctorCliOptions } from '../doctor';
import { doctorCommands } from '../load';

/** Adds the options and action of `doctor` to `command` (made by the program's `.command()`). */
export function defineDoctorCommand(
  command: Command,
  io: { stdout: (text: string) => void; stderr: (text: string) => void },
  run: (code: Promise<number>) => void,
): Command {
  return command
    .description(
      'read-only preflight of this account and Region: what a deployment needs, and (--deployed) whether it works',
    )
    .exitOverride()
    .option(
      '--organization',
      'also check the organization (trusted access, delegated administrator, OUs)',
    )
    .option('--deployed', 'also check the deployed rules: present, last invocation, results')
    .addOption(
      new Option('--rule-deployment <mode>', 'how the stack deploys the rules (-c ruleDeployment)')
        .choices(['conformancePack', 'configRules'])
        .default('conformancePack'),
    )
    .option(
      '--reserved-concurrency <n>',
      "each function's reserved concurrency (-c reservedConcurrency)",
    )
    .option(
      '--expected-accounts <n>',
      'accounts the organization stack sizes its reservation for (-c expectedAccounts)',
    )
    .option(
      '--security-hub-automation',
      'the stack creates Security Hub automation rules (-c securityHubAutomation)',
    )
    .option('--organization-id <id>', 'the organization id given to the stack (-c organizationId)')
    .option('--target-ous <ids>', 'the OU or root ids given to the stack, comma-separated')
    .option(
      '--aggregator <name>',
      "with --deployed --organization: the Config aggregator holding every account's results",
    )
    .option(
      '--rule <name>',
      `only these rules, repeatable (default: all of ${RULE_NAMES.join(', ')})`,
      (v: string, p: string[] | undefined) => [...(p ?? []), v],
    )
    .option('--region <region>', 'AWS Region to check (the one you deploy in)')
    .option('--endpoint-url <url>', 'send every AWS call to this endpoint, e.g. a local emulator')
    .addOption(
      new Option('--output <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .addHelpText(
      'after',
      examples(
        'mfa-config-rules doctor --region eu-west-1 --rule-deployment configRules',
        'mfa-config-rules doctor --region eu-west-1 --deployed --organization --aggregator org-mfa',
      ) +
        `
Exit codes:
  0  every check passed (warnings do not fail)
  1  a check failed: its line says what to do
  2  usage error or failure: one line on stderr
`,
    )
    .action((options: DoctorCliOptions) => {
      // A usage error is found before anything loads; the checks and their SDK clients load from
      // their own file of the CLI's bundle (load.ts doctorCommands) only to run.
      doctorOptions(options);
      run(doctorCommands().doctor(options, io));
    });
}
