/**
 * `mfa-config-rules report --aggregator NAME`: the organization's verdicts, as AWS Config stored
 * them, read from a Config aggregator (read-only: Describe/Get calls only).
 *
 *   1. DescribeAggregateComplianceByConfigRules lists every aggregated rule per account and Region;
 *      the pack's rules are picked by name (exact, or `<rule>-…`: each account's conformance-pack
 *      rules carry their own suffix);
 *   2. GetAggregateComplianceDetailsByConfigRule, per account, Region and exact rule name, once for
 *      NON_COMPLIANT and once for COMPLIANT (the only values it filters on; aggregators do not
 *      return NOT_APPLICABLE), 100 per page, at most `concurrency` requests in flight.
 *
 * Needs config:DescribeAggregateComplianceByConfigRules and
 * config:GetAggregateComplianceDetailsByConfigRule on the aggregator (plus sts:GetCallerIdentity).
 */
import {
  DescribeAggregateComplianceByConfigRulesCommand,
  GetAggregateComplianceDetailsByConfigRuleCommand,
  type AggregateComplianceByConfigRule,
  type ConfigServiceClient,
} from '@aws-sdk/client-config-service';
import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import { clientProvider } from './aws';
import { describeError, InvalidInputError } from '../runtime/errors';
import { mapPool } from '../runtime/pool';
import type { ComplianceType } from '../runtime/types';
import { catalogRuleOf, countBy, emptyCounts, sortReportRows } from './report-model';
import type { ReportDocument, ReportRow } from './report-model';
import { isDocumentOutput, renderDocument } from './outputs';

export interface ReportOptions {
  aggregator: string;
  output: 'table' | 'json' | 'csv' | 'html';
  /** Only this source Region (default: every Region the aggregator holds). */
  sourceRegion?: string;
  concurrency?: string;
}

export interface ReportIo {
  stdout: (text: string) => void;
  /** Progress lines (only when standard error is a terminal). */
  progress?: (text: string) => void;
}

export interface ReportContext {
  config: ConfigServiceClient;
  /** The account and Region the aggregator lives in (for the page's source line). */
  accountId: string;
  region: string;
  now?: () => Date;
}

export const DEFAULT_REPORT_CONCURRENCY = 4;
const PAGE = 100;

/** One (account, Region, exact Config rule name) of the pack. */
interface Target {
  accountId: string;
  region: string;
  configRuleName: string;
  rule: string;
  compliance: string;
}

/** A one-line message for the errors a user can act on; undefined for anything else. */
function explain(error: unknown, aggregator: string, region: string): string | undefined {
  const name = error instanceof Error ? error.name : '';
  if (name === 'NoSuchConfigurationAggregatorException') {
    return `no Config aggregator named '${aggregator}' in ${region} (check --aggregator and --region: aggregators are regional)`;
  }
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(name)) {
    return `not allowed to read aggregator '${aggregator}': the credentials need config:DescribeAggregateComplianceByConfigRules and config:GetAggregateComplianceDetailsByConfigRule (${describeError(error)})`;
  }
  return undefined;
}

async function listTargets(ctx: ReportContext, options: ReportOptions): Promise<Target[]> {
  const found: AggregateComplianceByConfigRule[] = [];
  let token: string | undefined;
  do {
    const out = await ctx.config.send(
      new DescribeAggregateComplianceByConfigRulesCommand({
        ConfigurationAggregatorName: options.aggregator,
        ...(options.sourceRegion ? { Filters: { AwsRegion: options.sourceRegion } } : {}),
        Limit: 1000,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    found.push(...(out.AggregateComplianceByConfigRules ?? []));
    token = out.NextToken;
  } while (token);
  const targets: Target[] = [];
  for (const item of found) {
    const rule = item.ConfigRuleName ? catalogRuleOf(item.ConfigRuleName) : undefined;
    if (!rule || !item.ConfigRuleName || !item.AccountId || !item.AwsRegion) continue;
    targets.push({
      accountId: item.AccountId,
      region: item.AwsRegion,
      configRuleName: item.ConfigRuleName,
      rule: rule.name,
      compliance: item.Compliance?.ComplianceType ?? 'INSUFFICIENT_DATA',
    });
  }
  return targets.sort(
    (a, b) =>
      a.accountId.localeCompare(b.accountId) ||
      a.region.localeCompare(b.region) ||
      a.configRuleName.localeCompare(b.configRuleName),
  );
}

async function readTarget(
  ctx: ReportContext,
  aggregator: string,
  target: Target,
): Promise<ReportRow[]> {
  const rows: ReportRow[] = [];
  for (const complianceType of ['NON_COMPLIANT', 'COMPLIANT'] as const) {
    let token: string | undefined;
    do {
      const out = await ctx.config.send(
        new GetAggregateComplianceDetailsByConfigRuleCommand({
          ConfigurationAggregatorName: aggregator,
          ConfigRuleName: target.configRuleName,
          AccountId: target.accountId,
          AwsRegion: target.region,
          ComplianceType: complianceType,
          Limit: PAGE,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      for (const result of out.AggregateEvaluationResults ?? []) {
        const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
        const compliance = result.ComplianceType as ComplianceType | undefined;
        if (!qualifier?.ResourceId || !qualifier.ResourceType || !compliance) continue;
        rows.push({
          accountId: result.AccountId ?? target.accountId,
          region: result.AwsRegion ?? target.region,
          rule: target.rule,
          resourceType: qualifier.ResourceType,
          resourceId: qualifier.ResourceId,
          // Config keeps ids only; for a user the annotation names the user.
          resourceName: qualifier.ResourceId,
          compliance,
          annotation: result.Annotation ?? '',
          recordedAt: result.ResultRecordedTime?.toISOString() ?? '',
        });
      }
      token = out.NextToken;
    } while (token);
  }
  return rows;
}

function parseConcurrency(text: string | undefined): number {
  if (text === undefined) return DEFAULT_REPORT_CONCURRENCY;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 32) {
    throw new InvalidInputError('--concurrency must be a whole number from 1 to 32');
  }
  return value;
}

/** Builds the organization document; throws InvalidInputError with one line for known failures. */
export async function buildOrganizationReport(
  ctx: ReportContext,
  options: ReportOptions,
  io: ReportIo,
): Promise<ReportDocument> {
  const concurrency = parseConcurrency(options.concurrency);
  const now = ctx.now ?? (() => new Date());
  try {
    const targets = await listTargets(ctx, options);
    let done = 0;
    const perTarget = await mapPool(targets, concurrency, async (target) => {
      const rows = await readTarget(ctx, options.aggregator, target);
      done += 1;
      io.progress?.(`\rread ${done}/${targets.length} account rules`);
      return rows;
    });
    if (targets.length > 0) io.progress?.('\n');
    const rows = sortReportRows(perTarget.flat());
    const notes: string[] = [];
    if (targets.length === 0) {
      notes.push(
        `The aggregator holds none of the pack's rules${options.sourceRegion ? ` in ${options.sourceRegion}` : ''}: is the pack deployed, and does the aggregator cover those accounts and Regions?`,
      );
    }
    for (const target of targets) {
      if (target.compliance === 'INSUFFICIENT_DATA') {
        notes.push(
          `${target.configRuleName} in account ${target.accountId} (${target.region}) has no COMPLIANT or NON_COMPLIANT result (INSUFFICIENT_DATA): not evaluated yet, only NOT_APPLICABLE verdicts, or its function is failing.`,
        );
      }
    }
    notes.push(
      'Aggregators return COMPLIANT and NON_COMPLIANT results only: NOT_APPLICABLE verdicts (for example users without a console password) are not listed.',
    );
    const accounts = new Set(targets.map((t) => t.accountId));
    return {
      title: `MFA controls — organization (aggregator ${options.aggregator})`,
      source: `AWS Config aggregator ${options.aggregator} in account ${ctx.accountId}, ${ctx.region}: ${accounts.size} account(s) with the pack's rules${options.sourceRegion ? `, Region ${options.sourceRegion}` : ''}. Results as AWS Config last recorded them.`,
      generatedAt: now().toISOString(),
      rows,
      byAccount: true,
      notes,
    };
  } catch (error) {
    const message = explain(error, options.aggregator, ctx.region);
    if (message) throw new InvalidInputError(message);
    throw error;
  }
}

function formatOrganizationTable(doc: ReportDocument): string {
  const byAccount = countBy(doc.rows, (row) => row.accountId);
  const summary = new Table({
    head: ['account', 'NON_COMPLIANT', 'COMPLIANT', 'failing rules'],
    style: { head: [], border: [] },
  });
  for (const account of [...byAccount.keys()].sort()) {
    const counts = byAccount.get(account) ?? emptyCounts();
    const failing = [
      ...new Set(
        doc.rows
          .filter((r) => r.accountId === account && r.compliance === 'NON_COMPLIANT')
          .map((r) => r.rule),
      ),
    ].sort();
    summary.push([account, counts.NON_COMPLIANT, counts.COMPLIANT, failing.join('\n') || '-']);
  }
  const detail = new Table({
    head: ['account', 'region', 'rule', 'resource', 'compliance', 'annotation'],
    colWidths: [14, 11, 26, 22, 15, 50],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [] },
  });
  for (const row of doc.rows.filter((r) => r.compliance === 'NON_COMPLIANT')) {
    detail.push([
      row.accountId,
      row.region,
      row.rule,
      row.resourceId,
      row.compliance,
      row.annotation,
    ]);
  }
  const totals = emptyCounts();
  for (const row of doc.rows) totals[row.compliance] += 1;
  return [
    doc.title,
    doc.source,
    summary.toString(),
    totals.NON_COMPLIANT > 0
      ? `NON_COMPLIANT results\n${detail.toString()}`
      : 'Nothing NON_COMPLIANT.',
    `${doc.rows.length} results: ${totals.NON_COMPLIANT} NON_COMPLIANT, ${totals.COMPLIANT} COMPLIANT`,
    ...doc.notes.map((n) => `note: ${n}`),
    '',
  ].join('\n');
}

/** Renders the report; resolves to the exit code (1 when anything is NON_COMPLIANT). */
export async function runReport(
  ctx: ReportContext,
  options: ReportOptions,
  io: ReportIo,
): Promise<number> {
  const doc = await buildOrganizationReport(ctx, options, io);
  if (isDocumentOutput(options.output)) {
    io.stdout(renderDocument(options.output, doc));
  } else if (options.output === 'json') {
    io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    io.stdout(formatOrganizationTable(doc));
  }
  return doc.rows.some((row) => row.compliance === 'NON_COMPLIANT') ? 1 : 0;
}

/** Adds the options and action of `report` to `command` (made by the program's `.command()`). */
export function defineReportCommand(
  command: Command,
  io: { stdout: (text: string) => void; stderr: (text: string) => void },
  run: (code: Promise<number>) => void,
): Command {
  return command
    .description(
      "the organization's verdicts from an AWS Config aggregator, by account and rule (read-only)",
    )
    .exitOverride()
    .requiredOption('--aggregator <name>', 'the AWS Config aggregator to read')
    .option('--region <region>', 'the Region the aggregator lives in (aggregators are regional)')
    .option('--source-region <region>', 'only results from this source Region')
    .option(
      '--concurrency <n>',
      `aggregator requests in flight (default ${DEFAULT_REPORT_CONCURRENCY})`,
    )
    .option('--endpoint-url <url>', 'send every AWS call (STS, Config) to this endpoint')
    .addOption(
      new Option('--output <format>', 'output format')
        .choices(['table', 'json', 'csv', 'html'])
        .default('table'),
    )
    .action(
      (
        options: Omit<ReportOptions, 'sourceRegion'> & {
          region?: string;
          sourceRegion?: string;
          endpointUrl?: string;
        },
      ) => {
        run(
          (async () => {
            const clients = clientProvider(options);
            const access = await clients.forAccount(undefined);
            const region = await access.clients.config.config.region();
            return runReport(
              { config: access.clients.config, accountId: access.identity.accountId, region },
              options,
              {
                stdout: io.stdout,
                ...(process.stderr.isTTY ? { progress: io.stderr } : {}),
              },
            );
          })(),
        );
      },
    );
}
