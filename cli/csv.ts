/**
 * `--output csv`: one row per evaluation (the row model, report-model.ts), RFC 4180 (a header row,
 * CRLF line ends, fields quoted when they hold a comma, a quote or a line break, quotes doubled),
 * UTF-8 without a byte-order mark.
 *
 * Spreadsheet formula injection: an IAM user name may start with `=`, `+`, `-` or `@` (IAM allows
 * `+=,.@-`), and a spreadsheet would run `=…` as a formula. Text cells that start with one of those
 * characters (or a tab / carriage return) get a leading apostrophe, as OWASP recommends; parsers
 * then see the apostrophe, spreadsheets hide it. Ids, verdicts and times never start so.
 */
import { listedRows, ROW_FIELDS, type ReportDocument, type ReportRow } from './report-model';

/** `resourceName` → `resource_name`. */
const snake = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export const CSV_COLUMNS = ROW_FIELDS.map(snake);

/** Fields whose text comes from people (user names, tag values, annotations quoting them). */
const FREE_TEXT = new Set<keyof ReportRow>([
  'resourceName',
  'exemptionKey',
  'exemptionReason',
  'annotation',
]);

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string, neutralizeFormula = false): string {
  const text = neutralizeFormula && FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows as CSV, in the order given. */
export function formatCsvRows(rows: readonly ReportRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) {
    lines.push(
      ROW_FIELDS.map((field) => csvField(row[field] ?? '', FREE_TEXT.has(field))).join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function formatCsv(doc: ReportDocument): string {
  return formatCsvRows(listedRows(doc));
}
