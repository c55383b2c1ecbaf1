/**
 * `mfa-config-rules report --aggregator NAME`: the organization's verdicts, as AWS Config stored
 * them, read from a Config aggregator (read-only: Describe/Get calls only).
 *
 *   1. DescribeAggregateComplianceByConfigRules lists every aggregated rule per account and Region;
 *      the pack's rules are picked by name (exact, or `<rule>-conformance-pack-<id>`: each
 *      account's conformance-pack rules carry their own suffix);
 *   2. GetAggregateComplianceDetailsByConfigRule, per account, Region and exact rule name, once for
 *      NON_COMPLIANT and once for COMPLIANT (the only values it filters on; aggregators do not
 *      return NOT_APPLICABLE), 100 per page, at most `concurrency` requests in flight.
 *
 * Config stores what PutEvaluations sent: the verdict, the annotation (256 characters at most),
 * the OrderingTimestamp (this pack sends the time of the evidence there) and when it was recorded;
 * not the exemption or evidence fields of a local run, which stay null here.
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
import { describeError, InvalidInputError } from '../rules/runtime/errors';
import { mapPool } from '../rules/runtime/pool';
import type { ComplianceType } from '../rules/runtime/types';
import { clientProvider } from './aws';
import { EXIT, type Io } from './context';
import { formatCsv } from './csv';
import { listedLine, rowObject } from './format';
import { textTable } from './text-table';
import { formatHtml } from './html';
import { DEFAULT_REPORT_CONCURRENCY, listedCompliance, type ReportOptions } from './options';
import { fileStem, writeOutputs, type Renderers } from './outputs';
import {
  catalogRuleOf,
  listedRows,
  metadataOf,
  orderRules,
  SEVERITY_ORDER,
  sortReportRows,
  storedRow,
  totalCounts,
  type Counts,
  type ReportDocument,
  type ReportRow,
} from './report-model';

export { DEFAULT_REPORT_CONCURRENCY } from './options';

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

async function listTargets(
  ctx: ReportContext,
  options: Pick<ReportOptions, 'aggregator' | 'sourceRegion'>,
): Promise<Target[]> {
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
        const identifier = result.EvaluationResultIdentifier;
        const qualifier = identifier?.EvaluationResultQualifier;
        const compliance = result.ComplianceType as ComplianceType | undefined;
        if (!qualifier?.ResourceId || !qualifier.ResourceType || !compliance) continue;
        rows.push(
          storedRow({
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
            evidenceAt: identifier?.OrderingTimestamp?.toISOString() ?? null,
          }),
        );
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
  options: Pick<ReportOptions, 'aggregator' | 'sourceRegion' | 'concurrency'> &
    Partial<Pick<ReportOptions, 'compliance' | 'failed' | 'output'>>,
  io: ReportIo,
): Promise<ReportDocument> {
  const concurrency = parseConcurrency(options.concurrency);
  const listed = listedCompliance({ output: 'table', ...options });
  const now = ctx.now ?? (() => new Date());
  try {
    const targets = await listTargets(ctx, options);
    let done = 0;
    const perTarget = await mapPool(targets, concurrency, async (target) => {
      const rows = await readTarget(ctx, options.aggregator, target);
      done += 1;
      io.progress?.(`\r\x1b[Kread ${done}/${targets.length} account rules`);
      return rows;
    });
    if (targets.length > 0) io.progress?.('\r\x1b[K');
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
      'Aggregators return COMPLIANT and NON_COMPLIANT results only: NOT_APPLICABLE verdicts (for example users without a console password, or exempt users) are not listed.',
    );
    const accounts = new Set(targets.map((t) => t.accountId));
    return {
      kind: 'organization',
      title: `MFA controls — organization (aggregator ${options.aggregator})`,
      source: `AWS Config aggregator ${options.aggregator} in account ${ctx.accountId}, ${ctx.region}: ${accounts.size} account(s) with the pack's rules${options.sourceRegion ? `, Region ${options.sourceRegion}` : ''}. Results as AWS Config last recorded them.`,
      generatedAt: now().toISOString(),
      accountId: ctx.accountId,
      region: ctx.region,
      rules: orderRules(targets.map((t) => t.rule)),
      rows,
      ...(listed ? { listed } : {}),
      notes,
    };
  } catch (error) {
    const message = explain(error, options.aggregator, ctx.region);
    if (message) throw new InvalidInputError(message);
    throw error;
  }
}

/** `root-account-hardware-mfa` → `root-account-\nhardware-mfa`: a header that fits `width`. */
function wrapAtHyphens(name: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const part of name.split(/(?<=-)/)) {
    if (line && line.length + part.length > width) {
      lines.push(line);
      line = '';
    }
    line += part;
  }
  return [...lines, line].join('\n');
}

interface AccountLine {
  accountId: string;
  perRule: Map<string, Counts>;
  worst: number;
  failing: number;
}

/** Accounts with their counts per rule, failing accounts first (worst severity, then count). */
export function accountLines(doc: ReportDocument): AccountLine[] {
  const byAccount = new Map<string, AccountLine>();
  for (const row of doc.rows) {
    const line = byAccount.get(row.accountId) ?? {
      accountId: row.accountId,
      perRule: new Map<string, Counts>(),
      worst: SEVERITY_ORDER.length,
      failing: 0,
    };
    const counts = line.perRule.get(row.rule) ?? {
      NON_COMPLIANT: 0,
      COMPLIANT: 0,
      NOT_APPLICABLE: 0,
    };
    counts[row.compliance] += 1;
    line.perRule.set(row.rule, counts);
    if (row.compliance === 'NON_COMPLIANT') {
      line.failing += 1;
      line.worst = Math.min(line.worst, SEVERITY_ORDER.indexOf(row.severity));
    }
    byAccount.set(row.accountId, line);
  }
  return [...byAccount.values()].sort(
    (a, b) => a.worst - b.worst || b.failing - a.failing || (a.accountId < b.accountId ? -1 : 1),
  );
}

/** `report --output table`: accounts × rules, then the listed results (failures by default). */
export function formatOrganizationText(doc: ReportDocument): string {
  const rules = orderRules([...doc.rules, ...doc.rows.map((row) => row.rule)]);
  const matrix: string[][] = accountLines(doc).map((line) => [
    line.accountId,
    String(line.failing),
    ...rules.map((rule) => {
      const counts = line.perRule.get(rule);
      return counts ? `${counts.NON_COMPLIANT} NC\n${counts.COMPLIANT} C` : '-';
    }),
  ]);
  const matrixHead = [
    'account',
    'failing',
    ...rules.map((rule) => `${wrapAtHyphens(rule, 14)}\n${metadataOf(rule)?.severity ?? ''}`),
  ];
  // Without --compliance the table lists the failures: the matrix above has the counts.
  const listedDoc: ReportDocument = { ...doc, listed: doc.listed ?? ['NON_COMPLIANT'] };
  const rows = listedRows(listedDoc);
  const detail = textTable(
    ['account', 'region', 'rule', 'resource', 'compliance', 'annotation'],
    rows.map((row) => [
      row.accountId,
      row.region,
      row.rule,
      row.resourceId,
      row.compliance,
      row.annotation,
    ]),
    [14, 11, 26, 22, 15, 50],
  );
  const totals = totalCounts(doc.rows);
  const nothing = doc.listed ? 'No result to list.' : 'Nothing NON_COMPLIANT.';
  return [
    doc.title,
    doc.source,
    'Accounts × rules, failing accounts first (NC = NON_COMPLIANT, C = COMPLIANT results):',
    textTable(matrixHead, matrix),
    doc.listed ? listedLine(doc, rows.length, 'results') : 'NON_COMPLIANT results',
    rows.length > 0 ? detail : nothing,
    `${doc.rows.length} results: ${totals.NON_COMPLIANT} NON_COMPLIANT, ${totals.COMPLIANT} COMPLIANT`,
    ...doc.notes.map((n) => `note: ${n}`),
    '',
  ].join('\n');
}

/** `report --output json`: the document, its rows in the row model (the listed ones). */
export function formatOrganizationJson(doc: ReportDocument): string {
  const { rows: _all, ...rest } = doc;
  return `${JSON.stringify({ ...rest, rows: listedRows(doc).map(rowObject) }, null, 2)}\n`;
}

export const REPORT_RENDERERS: Renderers = {
  table: formatOrganizationText,
  json: formatOrganizationJson,
  csv: formatCsv,
  html: formatHtml,
};

/** Renders the report; resolves to the exit code (1 when anything is NON_COMPLIANT). */
export async function runReport(
  ctx: ReportContext,
  options: ReportOptions,
  io: ReportIo,
): Promise<number> {
  const doc = await buildOrganizationReport(ctx, options, io);
  if (options.outputDir) {
    const paths = writeOutputs(
      doc,
      REPORT_RENDERERS,
      options.outputDir,
      fileStem(doc, `org-${options.aggregator}`),
    );
    const totals = totalCounts(doc.rows);
    io.stdout(
      `${doc.title}\n${doc.rows.length} results: ${totals.NON_COMPLIANT} NON_COMPLIANT, ${totals.COMPLIANT} COMPLIANT\n\n${paths.join('\n')}\n`,
    );
  } else {
    io.stdout(REPORT_RENDERERS[options.output](doc));
  }
  return doc.rows.some((row) => row.compliance === 'NON_COMPLIANT') ? EXIT.NON_COMPLIANT : EXIT.OK;
}

/** The `report` command's action: clients from the credential chain, then `runReport`. */
export async function runReportCommand(options: ReportOptions, io: Io): Promise<number> {
  const clients = clientProvider(options);
  const access = await clients.forAccount(undefined);
  const region = await access.clients.config.config.region();
  return runReport(
    { config: access.clients.config, accountId: access.identity.accountId, region },
    options,
    { stdout: io.stdout, ...(io.progress ? { progress: io.progress } : {}) },
  );
}
