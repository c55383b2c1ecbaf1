/**
 * What the people-facing outputs (CSV, HTML) are built from: evaluations with the account, Region
 * and time they belong to, plus a title. `evaluate` fills it from a local run of one account;
 * `report --aggregator` from an AWS Config aggregator (many accounts and Regions).
 */
import { RULE_METADATA } from '../catalog';
import type { ComplianceType, RuleMetadata } from '../runtime/types';
import type { Row } from './format';

export interface ReportRow extends Row {
  accountId: string;
  /** The Region whose AWS Config holds the verdict ('' for a local run: IAM is global). */
  region: string;
  /** When the verdict was reached (ISO 8601): the local run's time, or Config's ResultRecordedTime. */
  recordedAt: string;
}

export interface ReportDocument {
  title: string;
  /** One line under the title: where the verdicts come from. */
  source: string;
  /** ISO 8601. */
  generatedAt: string;
  rows: readonly ReportRow[];
  /** Show the per-account table (organization reports). */
  byAccount: boolean;
  /** Things the reader must know: accounts or Regions that could not be read, limits of the data. */
  notes: readonly string[];
}

export const COMPLIANCE_ORDER: readonly ComplianceType[] = [
  'NON_COMPLIANT',
  'COMPLIANT',
  'NOT_APPLICABLE',
];

export type Counts = Record<ComplianceType, number>;

export function emptyCounts(): Counts {
  return { NON_COMPLIANT: 0, COMPLIANT: 0, NOT_APPLICABLE: 0 };
}

export function countBy(rows: readonly ReportRow[], key: (row: ReportRow) => string) {
  const out = new Map<string, Counts>();
  for (const row of rows) {
    const k = key(row);
    const counts = out.get(k) ?? emptyCounts();
    counts[row.compliance] += 1;
    out.set(k, counts);
  }
  return out;
}

/**
 * The catalog rule a Config rule name belongs to: the exact name, or the name AWS Config gives
 * the rule inside a conformance pack (`<name>-conformance-pack-<id>`, organization packs
 * included). Not any `<name>-…`: the AWS managed rule's default name `root-account-mfa-enabled`
 * must not be taken for `root-account-mfa`.
 */
export function catalogRuleOf(configRuleName: string): RuleMetadata | undefined {
  return RULE_METADATA.find(
    (rule) =>
      configRuleName === rule.name || configRuleName.startsWith(`${rule.name}-conformance-pack-`),
  );
}

/** Account, Region, rule, verdict (NON_COMPLIANT first), resource name. */
export function sortReportRows(rows: readonly ReportRow[]): ReportRow[] {
  return [...rows].sort(
    (a, b) =>
      a.accountId.localeCompare(b.accountId) ||
      a.region.localeCompare(b.region) ||
      a.rule.localeCompare(b.rule) ||
      COMPLIANCE_ORDER.indexOf(a.compliance) - COMPLIANCE_ORDER.indexOf(b.compliance) ||
      a.resourceName.localeCompare(b.resourceName),
  );
}
