/** Options several commands share: where AWS is, and what to list and where to write it. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { ComplianceType } from '../../rules/runtime/types';
import { COMPLIANCE_TYPES, OUTPUT_FORMATS } from '../options';

/** `--endpoint-url`, `--region` and `--profile`. */
export function awsOptions(
  command: Command,
  services = 'IAM, STS, Config',
  region = 'AWS Region for STS and Config (IAM is global)',
): Command {
  return command
    .option(
      '--profile <name>',
      'a named profile of ~/.aws/config and ~/.aws/credentials (its credentials win over AWS_ACCESS_KEY_ID…, as in the AWS CLI)',
    )
    .option('--region <region>', region)
    .option(
      '--endpoint-url <url>',
      `send every AWS call (${services}) to this endpoint, e.g. a local emulator`,
    );
}

/** `nOn-compliant` → `NON_COMPLIANT`; anything else is refused with the accepted values. */
export function parseCompliance(value: string, previous: ComplianceType[] = []): ComplianceType[] {
  const normal = value.trim().toUpperCase().replace(/-/g, '_');
  const known = COMPLIANCE_TYPES.find((type) => type === normal);
  if (!known) {
    throw new InvalidArgumentError(`expected one of ${COMPLIANCE_TYPES.join(', ')}`);
  }
  return [...previous, known];
}

/** `--compliance`, `--failed`, `--output` and `--output-dir`. */
export function listingOptions(command: Command, what: string): Command {
  return command
    .addOption(
      new Option(
        '--compliance <verdict>',
        `list only ${what} with this verdict, repeatable: ${COMPLIANCE_TYPES.join(', ')} (the counts still cover everything; the exit code too)`,
      ).argParser(parseCompliance),
    )
    .option('--failed', 'short for --compliance NON_COMPLIANT')
    .addOption(
      new Option('--output <format>', 'output format on standard output')
        .choices(OUTPUT_FORMATS)
        .default('table'),
    )
    .addOption(
      new Option(
        '--output-dir <dir>',
        'write every format (table .txt, .json, .csv, .html) from this one run into DIR, named with the account, Region and time, and print their paths',
      ).conflicts('output'),
    );
}
