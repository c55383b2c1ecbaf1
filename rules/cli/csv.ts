/**
 * `--output csv`: one row per evaluation, RFC 4180 (a header row, CRLF line ends, fields quoted
 * when they hold a comma, a quote or a line break, quotes doubled), UTF-8 without a byte-order
 * mark.
 *
 * Spreadsheet formula injection: an IAM user name may start with `=`, `+`, `-` or `@` (IAM allows
 * `+=,.@-`), and a spreadsheet would run `=…` as a formula. Text cells that start with one of those
 * characters (or a tab / carriage return) get a leading apostrophe, as OWASP recommends; parsers
 * then see the apostrophe, spreadsheets hide it. Ids, verdicts and times never start so.
 */
import { sortReportRows, type ReportRow } from './report-model';

export const CSV_COLUMNS = [
  'account_id',
  'region',
  'rule',
  'resource_type',
  'resource_id',
  'resource_name',
  'compliance',
  'recorded_at',
  'annotation',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string, neutralizeFormula = false): string {
  const text = neutralizeFormula && FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatCsv(rows: readonly ReportRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of sortReportRows(rows)) {
    lines.push(
      [
        csvField(row.accountId),
        csvField(row.region),
        csvField(row.rule),
        csvField(row.resourceType),
        csvField(row.resourceId),
        csvField(row.resourceName, true),
        csvField(row.compliance),
        csvField(row.recordedAt),
        csvField(row.annotation, true),
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
