/**
 * `evaluate`: every selected rule's gather and evaluate, as the Lambda functions run them, against
 * the account of the credentials (or an execution role's); read-only, nothing is sent to Config.
 * One evaluation feeds every format (`--output`, or all of them with `--output-dir`).
 */
import { findRule, RULE_NAMES, RULES } from '../rules/catalog';
import { InvalidInputError } from '../rules/runtime/errors';
import { evaluateRule } from '../rules/runtime/handler';
import { logger } from '../rules/runtime/logger';
import { parseParameters } from '../rules/runtime/parameters';
import type { AnyRule } from '../rules/runtime/types';
import { clientProvider } from './aws';
import { formatCsv } from './csv';
import { EXIT, type Io } from './context';
import { formatJsonRows, formatSummary, formatText } from './format';
import { formatHtml } from './html';
import { listedCompliance, type EvaluateOptions } from './options';
import { fileStem, writeOutputs, type Renderers } from './outputs';
import { startProgress } from './progress';
import {
  rowFromEvaluation,
  sortReportRows,
  type ReportDocument,
  type ReportRow,
} from './report-model';

export const EVALUATE_RENDERERS: Renderers = {
  table: (doc) => formatText(doc),
  json: formatJsonRows,
  csv: formatCsv,
  html: formatHtml,
};

function ruleByName(name: string): AnyRule {
  const rule = findRule(name);
  if (!rule)
    throw new InvalidInputError(`unknown rule '${name}' (rules: ${RULE_NAMES.join(', ')})`);
  return rule;
}

export function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidInputError(`${what} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError(`${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * The `--parameters` one rule gets. With one rule, all of them (an unknown key is that rule's
 * error). With several, each rule gets the keys it takes (and `ExecutionRoleName`, which all take),
 * so `{"GracePeriodDays":"7"}` reaches the console rule while the root rules run as usual; a key no
 * selected rule takes is refused.
 */
function parametersFor(
  rule: AnyRule,
  rules: readonly AnyRule[],
  raw: Record<string, unknown>,
): Record<string, unknown> {
  if (rules.length === 1) return raw;
  const takes = (candidate: AnyRule, key: string) =>
    key === 'ExecutionRoleName' || candidate.metadata.parameters.some((p) => p.name === key);
  const unknown = Object.keys(raw).filter((key) => !rules.some((r) => takes(r, key)));
  if (unknown.length > 0) {
    const known = rules
      .filter((r) => r.metadata.parameters.length > 0)
      .map((r) => `${r.metadata.parameters.map((p) => p.name).join(', ')} (${r.metadata.name})`)
      .join('; ');
    throw new InvalidInputError(
      `--parameters: no selected rule takes ${unknown.map((key) => `'${key}'`).join(', ')} (every rule takes ExecutionRoleName; ${known || 'no rule takes more'})`,
    );
  }
  return Object.fromEntries(Object.entries(raw).filter(([key]) => takes(rule, key)));
}

/** Evaluates the account once and writes what was asked; resolves to the exit code. */
export async function runEvaluate(
  options: EvaluateOptions,
  io: Io,
  now: () => Date = () => new Date(),
): Promise<number> {
  logger.setLogLevel('SILENT');
  const listed = listedCompliance(options);
  const rules = options.rule?.length ? [...new Set(options.rule)].map(ruleByName) : [...RULES];
  const raw = options.parameters ? parseJsonObject(options.parameters, '--parameters') : {};
  const params = rules.map((rule) => parseParameters(rule, parametersFor(rule, rules, raw)));
  const progress = startProgress(io);
  try {
    progress('identifying the account (STS)…');
    const clients = clientProvider(options);
    const access = await clients.forAccount(options.accountId, params[0]?.ExecutionRoleName, {
      rules: rules.map((rule) => rule.metadata),
    });
    const region = await access.clients.config.config.region();
    const accountId = access.identity.accountId;
    const rows: ReportRow[] = [];
    for (const [index, rule] of rules.entries()) {
      progress(`[${index + 1}/${rules.length}] ${rule.metadata.name}: reading IAM…`);
      const ranAt = now();
      const evaluations = await evaluateRule(
        rule,
        access,
        params[index] ?? {},
        { kind: 'all' },
        { remainingMs: () => Number.POSITIVE_INFINITY },
      );
      const recordedAt = now();
      for (const evaluation of evaluations) {
        rows.push(
          rowFromEvaluation(evaluation, {
            rule: rule.metadata,
            accountId,
            region,
            ranAt,
            recordedAt,
          }),
        );
      }
    }
    const doc: ReportDocument = {
      kind: 'account',
      title: `MFA controls — account ${accountId}`,
      source: `Evaluated read-only from this machine with the pack's rules (mfa-config-rules evaluate)${access.roleArn ? ` as ${access.roleArn}` : ''}, Region ${region}; nothing was sent to AWS Config.`,
      generatedAt: now().toISOString(),
      accountId,
      region,
      rules: rules.map((rule) => rule.metadata.name),
      rows: sortReportRows(rows),
      ...(listed ? { listed } : {}),
      notes: [],
    };
    progress.done();
    if (options.outputDir) {
      const paths = writeOutputs(doc, EVALUATE_RENDERERS, options.outputDir, fileStem(doc));
      io.stdout(
        `Account ${accountId} · Region ${region} · evaluated ${doc.generatedAt}\n${formatSummary(doc)}\n\n${paths.join('\n')}\n`,
      );
    } else {
      io.stdout(EVALUATE_RENDERERS[options.output](doc));
    }
    return rows.some((row) => row.compliance === 'NON_COMPLIANT') ? EXIT.NON_COMPLIANT : EXIT.OK;
  } finally {
    progress.done();
  }
}
