/**
 * The options the commands hand to the code that calls AWS (`aws-commands.ts`, loaded only when a
 * command runs), and what both sides read of them. No commander here: the AWS side does not load
 * it (the options themselves are defined in commands/shared.ts).
 */
import type { ComplianceType } from '../rules/runtime/types';

export const RULES_OUTPUT_FORMATS = ['table', 'json'] as const;
export type RulesOutputFormat = (typeof RULES_OUTPUT_FORMATS)[number];

export const OUTPUT_FORMATS = ['table', 'json', 'csv', 'html'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const COMPLIANCE_TYPES: readonly ComplianceType[] = [
  'NON_COMPLIANT',
  'COMPLIANT',
  'NOT_APPLICABLE',
];

export interface AwsOptions {
  endpointUrl?: string;
  region?: string;
  /** A named profile of the shared AWS config and credentials files. */
  profile?: string;
}

/** What `--compliance` / `--failed` and `--output` / `--output-dir` leave in the options. */
export interface ListingOptions {
  output: OutputFormat;
  outputDir?: string;
  compliance?: ComplianceType[];
  failed?: boolean;
}

export interface EvaluateOptions extends AwsOptions, ListingOptions {
  rule?: string[];
  parameters?: string;
  accountId?: string;
}

export const DEFAULT_REPORT_CONCURRENCY = 4;

export interface ReportOptions extends AwsOptions, ListingOptions {
  aggregator: string;
  /** Only this source Region (default: every Region the aggregator holds). */
  sourceRegion?: string;
  concurrency?: string;
}

export interface InvokeOptions extends AwsOptions {
  rule: string;
  event: string;
  timeout: string;
}

/** The verdicts `--compliance` and `--failed` ask for; undefined: all of them. */
export function listedCompliance(options: ListingOptions): ComplianceType[] | undefined {
  const wanted = new Set(options.compliance ?? []);
  if (options.failed) wanted.add('NON_COMPLIANT');
  return wanted.size > 0 ? COMPLIANCE_TYPES.filter((type) => wanted.has(type)) : undefined;
}
