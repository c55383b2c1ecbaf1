/** How the CLI and the demo print evaluations. */
import Table from 'cli-table3';
import type { ComplianceType, Evaluation } from '../runtime/types';
import { localDocument, renderDocument } from './outputs';

/** An evaluation and the rule that made it. */
export interface Row extends Evaluation {
  rule: string;
}

const ORDER: Record<ComplianceType, number> = { NON_COMPLIANT: 0, COMPLIANT: 1, NOT_APPLICABLE: 2 };

export function sortRows(rows: readonly Row[]): Row[] {
  return [...rows].sort(
    (a, b) =>
      a.rule.localeCompare(b.rule) ||
      ORDER[a.compliance] - ORDER[b.compliance] ||
      a.resourceName.localeCompare(b.resourceName),
  );
}

/** The longest verdict, NOT_APPLICABLE, plus cli-table3's padding of one space each side. */
const COMPLIANCE_WIDTH = 'NOT_APPLICABLE'.length + 2;
/** A resource column wider than this wraps (IAM user names may have up to 64 characters). */
const MAX_RESOURCE_WIDTH = 40;
const MIN_ANNOTATION_WIDTH = 30;

/** Widest line of a cell, plus cli-table3's padding of one space each side. */
const cellWidth = (text: string): number =>
  Math.max(...text.split('\n').map((line) => line.length)) + 2;

/**
 * The evaluations as a table whose rule and resource columns fit their contents (the annotation
 * takes the rest of `width`, and wraps).
 */
export function formatTable(rows: readonly Row[], width = process.stdout.columns || 120): string {
  const cells = sortRows(rows).map((row) => [
    row.rule,
    row.resourceType === 'AWS::IAM::User'
      ? `${row.resourceName}\n${row.resourceId}`
      : row.resourceName,
    row.compliance,
    row.annotation,
  ]);
  const ruleWidth = Math.max(cellWidth('rule'), ...cells.map(([rule]) => cellWidth(rule ?? '')));
  const resourceWidth = Math.min(
    MAX_RESOURCE_WIDTH,
    Math.max(cellWidth('resource'), ...cells.map(([, resource]) => cellWidth(resource ?? ''))),
  );
  // 5 border characters around and between the 4 columns.
  const annotationWidth = Math.max(
    MIN_ANNOTATION_WIDTH,
    width - ruleWidth - resourceWidth - COMPLIANCE_WIDTH - 5,
  );
  const table = new Table({
    head: ['rule', 'resource', 'compliance', 'annotation'],
    colWidths: [ruleWidth, resourceWidth, COMPLIANCE_WIDTH, annotationWidth],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [] },
  });
  table.push(...cells);
  return table.toString();
}

export function formatCounts(rows: readonly Row[]): string {
  const counts = { COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 0 };
  for (const row of rows) counts[row.compliance] += 1;
  return `${rows.length} evaluation${rows.length === 1 ? '' : 's'}: ${counts.NON_COMPLIANT} NON_COMPLIANT, ${counts.COMPLIANT} COMPLIANT, ${counts.NOT_APPLICABLE} NOT_APPLICABLE`;
}

/** What `evaluate` prints: the account read and its evaluations. */
export interface Report {
  accountId: string;
  rows: readonly Row[];
}

/**
 * The output formats of `evaluate` (`--output <name>`): each turns a report into the complete text
 * written to standard output. A new format is one more entry.
 */
export const FORMATTERS = {
  table: (report: Report) =>
    `Account ${report.accountId}\n${formatTable(report.rows)}\n${formatCounts(report.rows)}\n`,
  json: (report: Report) => `${JSON.stringify(report.rows, null, 2)}\n`,
  csv: (report: Report) => renderDocument('csv', localDocument(report.rows, report.accountId)),
  html: (report: Report) => renderDocument('html', localDocument(report.rows, report.accountId)),
} satisfies Record<string, (report: Report) => string>;

export type OutputFormat = keyof typeof FORMATTERS;
export const OUTPUT_FORMATS = Object.keys(FORMATTERS) as OutputFormat[];
