/**
 * The text and JSON outputs of `evaluate` (the demo prints with them too): the counts per rule
 * first, then the evaluations `--compliance` lists, in the report order (report-model.ts).
 */
import { textTable } from './text-table';
import {
  listedRows,
  ROW_FIELDS,
  ruleCounts,
  totalCounts,
  type ReportDocument,
  type ReportRow,
} from './report-model';

/** The longest verdict, NOT_APPLICABLE, plus one space of padding each side. */
const COMPLIANCE_WIDTH = 'NOT_APPLICABLE'.length + 2;
/** A resource column wider than this wraps (IAM user names may have up to 64 characters). */
const MAX_RESOURCE_WIDTH = 40;
const MIN_ANNOTATION_WIDTH = 30;

/** Widest line of a cell, plus one space of padding each side. */
const cellWidth = (text: string): number =>
  Math.max(...text.split('\n').map((line) => line.length)) + 2;

/**
 * The rows as a table whose rule and resource columns fit their contents (the annotation takes
 * the rest of `width`, and wraps). Rows are printed in the order given.
 */
export function formatTable(
  rows: readonly ReportRow[],
  width = process.stdout.columns || 120,
): string {
  const cells = rows.map((row) => [
    row.rule,
    row.resourceType === 'AWS::IAM::User' && row.resourceName !== row.resourceId
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
  return textTable(['rule', 'resource', 'compliance', 'annotation'], cells, [
    ruleWidth,
    resourceWidth,
    COMPLIANCE_WIDTH,
    annotationWidth,
  ]);
}

/** `6011 evaluations: 12 NON_COMPLIANT, 3000 COMPLIANT, 2999 NOT_APPLICABLE`. */
export function formatCounts(rows: readonly ReportRow[]): string {
  const counts = totalCounts(rows);
  return `${rows.length} evaluation${rows.length === 1 ? '' : 's'}: ${counts.NON_COMPLIANT} NON_COMPLIANT, ${counts.COMPLIANT} COMPLIANT, ${counts.NOT_APPLICABLE} NOT_APPLICABLE`;
}

/** What `--compliance` listed, when it left anything out. */
export function listedLine(doc: ReportDocument, listed: number, what = 'evaluations'): string {
  if (!doc.listed) return '';
  return `Listed: ${doc.listed.join(', ')} only (--compliance): ${listed} of ${doc.rows.length} ${what}.`;
}

/**
 * One line per rule, severity first: its verdict counts and how many users an exemption made
 * NOT_APPLICABLE; then the total. Always every evaluation, whatever `--compliance` lists.
 */
export function formatSummary(doc: ReportDocument): string {
  const head = ['severity', 'rule', 'NON_COMPLIANT', 'COMPLIANT', 'NOT_APPLICABLE', 'exempt'];
  const lines = ruleCounts(doc).map((c) => [
    c.severity,
    c.rule,
    String(c.counts.NON_COMPLIANT),
    String(c.counts.COMPLIANT),
    String(c.counts.NOT_APPLICABLE),
    String(c.exempt),
  ]);
  const totals = totalCounts(doc.rows);
  lines.push([
    '',
    'all rules',
    String(totals.NON_COMPLIANT),
    String(totals.COMPLIANT),
    String(totals.NOT_APPLICABLE),
    String(totals.exempt),
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...lines.map((line) => line[i]?.length ?? 0)),
  );
  const render = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(head), ...lines.map(render)].join('\n');
}

/** `evaluate --output table`: where and when, the counts per rule, then the listed evaluations. */
export function formatText(doc: ReportDocument, width?: number): string {
  const rows = listedRows(doc);
  const listed = listedLine(doc, rows.length);
  return [
    `Account ${doc.accountId} · Region ${doc.region} · evaluated ${doc.generatedAt}`,
    formatSummary(doc),
    '',
    ...(listed ? [listed] : []),
    rows.length > 0 ? formatTable(rows, width) : 'No evaluation to list.',
    formatCounts(doc.rows),
    '',
  ].join('\n');
}

/** A row as a JSON object: every field of the row model, in ROW_FIELDS order, null for none. */
export function rowObject(row: ReportRow): Record<string, string | null> {
  return Object.fromEntries(ROW_FIELDS.map((field) => [field, row[field]]));
}

/** `evaluate --output json`: one JSON array of the listed rows. */
export function formatJsonRows(doc: ReportDocument): string {
  return `${JSON.stringify(listedRows(doc).map(rowObject), null, 2)}\n`;
}
