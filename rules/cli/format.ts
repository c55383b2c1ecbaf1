/** How the CLI and the demo print evaluations. */
import Table from 'cli-table3';
import type { ComplianceType, Evaluation } from '../runtime/types';

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

export function formatTable(rows: readonly Row[], width = process.stdout.columns || 120): string {
  const annotationWidth = Math.max(30, width - 26 - 22 - 16 - 10);
  const table = new Table({
    head: ['rule', 'resource', 'compliance', 'annotation'],
    colWidths: [26, 22, 16, annotationWidth],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [] },
  });
  for (const row of sortRows(rows)) {
    const resource =
      row.resourceType === 'AWS::IAM::User'
        ? `${row.resourceName}\n${row.resourceId}`
        : row.resourceName;
    table.push([row.rule, resource, row.compliance, row.annotation]);
  }
  return table.toString();
}

export function formatCounts(rows: readonly Row[]): string {
  const counts = { COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 0 };
  for (const row of rows) counts[row.compliance] += 1;
  return `${rows.length} evaluation${rows.length === 1 ? '' : 's'}: ${counts.NON_COMPLIANT} NON_COMPLIANT, ${counts.COMPLIANT} COMPLIANT, ${counts.NOT_APPLICABLE} NOT_APPLICABLE`;
}
