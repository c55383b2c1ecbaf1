/**
 * The one row model behind every output of `evaluate` and `report` (table, JSON, CSV, HTML): an
 * evaluation with the account, Region and rule it belongs to, the rule's severity, the exemption
 * read for it and the evidence behind it, in one stable order (severity, rule, verdict, resource
 * name).
 */
import {
  EVIDENCE_AT,
  EVIDENCE_SOURCE,
  EXEMPTION,
  type ComplianceType,
  type Evaluation,
  type EvidenceSource,
  type ExemptionRecord,
  type RuleMetadata,
} from '../rules/runtime/types';
import { RULE_METADATA } from './metadata';

export type Severity = RuleMetadata['severity'];
export const SEVERITY_ORDER: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
export const COMPLIANCE_ORDER: readonly ComplianceType[] = [
  'NON_COMPLIANT',
  'COMPLIANT',
  'NOT_APPLICABLE',
];

export interface ReportRow {
  accountId: string;
  /** The Region whose STS and Config the run used (IAM is global), or that holds the result. */
  region: string;
  /** The catalog name of the rule (an aggregated rule's conformance-pack suffix removed). */
  rule: string;
  severity: Severity;
  resourceType: string;
  resourceId: string;
  /** The user name (or the account id); for aggregated results, the id Config stores. */
  resourceName: string;
  compliance: ComplianceType;
  /** The verdict an honoured exemption replaced; null when no exemption changed the verdict. */
  complianceWithoutExemption: ComplianceType | null;
  /** The exemption read for a verdict that would be NON_COMPLIANT: honoured, or why refused. */
  exemptionStatus: ExemptionRecord['status'] | null;
  exemptionSource: ExemptionRecord['source'] | null;
  /** The tag key (source `tag`). */
  exemptionKey: string | null;
  /** Last day covered (YYYY-MM-DD, end of day UTC). */
  exemptionUntil: string | null;
  exemptionReason: string | null;
  /** Where the facts came from; null when unknown (results read back from AWS Config). */
  evidenceSource: EvidenceSource | null;
  /** The time the facts describe (ISO 8601): the OrderingTimestamp the rule sends. */
  evidenceAt: string | null;
  /** When the verdict was reached (ISO 8601): the local run's, or Config's ResultRecordedTime. */
  recordedAt: string;
  /** The rule's annotation in full (AWS Config keeps the first 256 characters). */
  annotation: string;
}

/** The fields in the order JSON objects and CSV columns list them. */
export const ROW_FIELDS = [
  'accountId',
  'region',
  'rule',
  'severity',
  'resourceType',
  'resourceId',
  'resourceName',
  'compliance',
  'complianceWithoutExemption',
  'exemptionStatus',
  'exemptionSource',
  'exemptionKey',
  'exemptionUntil',
  'exemptionReason',
  'evidenceSource',
  'evidenceAt',
  'recordedAt',
  'annotation',
] as const satisfies readonly (keyof ReportRow)[];

export interface ReportDocument {
  kind: 'account' | 'organization';
  title: string;
  /** One line under the title: where the verdicts come from. */
  source: string;
  /** ISO 8601. */
  generatedAt: string;
  /** The account and Region read (evaluate), or the aggregator's (report). */
  accountId: string;
  region: string;
  /** The rules covered, catalog names: a rule without any result still gets its line. */
  rules: readonly string[];
  /** Every row, in the stable order (sortReportRows). */
  rows: readonly ReportRow[];
  /** The verdicts listed (`--compliance`); undefined: all. Counts always cover every row. */
  listed?: readonly ComplianceType[];
  /** Things the reader must know: accounts or Regions not read, limits of the data. */
  notes: readonly string[];
}

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

export function metadataOf(rule: string): RuleMetadata | undefined {
  return RULE_METADATA.find((m) => m.name === rule);
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

/** Severity first, then the catalog's order (root-account-mfa before its hardware rule). */
export function ruleRank(rule: string): number {
  const index = RULE_METADATA.findIndex((m) => m.name === rule);
  const meta = RULE_METADATA[index];
  if (!meta) return SEVERITY_ORDER.length * 100;
  return SEVERITY_ORDER.indexOf(meta.severity) * 100 + index;
}

/** The rules in report order: severity, then the catalog's order. */
export function orderRules(rules: readonly string[]): string[] {
  return [...new Set(rules)].sort((a, b) => ruleRank(a) - ruleRank(b) || (a < b ? -1 : 1));
}

/** Names compare as people read them: `user-2` before `user-10`, case after letters. */
export const COLLATOR = new Intl.Collator('en', { numeric: true });

const ordinal = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Severity, rule, verdict (NON_COMPLIANT first), resource name; then account, Region, id. */
export function compareRows(a: ReportRow, b: ReportRow): number {
  return (
    ruleRank(a.rule) - ruleRank(b.rule) ||
    ordinal(a.rule, b.rule) ||
    COMPLIANCE_ORDER.indexOf(a.compliance) - COMPLIANCE_ORDER.indexOf(b.compliance) ||
    COLLATOR.compare(a.resourceName, b.resourceName) ||
    ordinal(a.resourceName, b.resourceName) ||
    ordinal(a.accountId, b.accountId) ||
    ordinal(a.region, b.region) ||
    ordinal(a.resourceId, b.resourceId)
  );
}

export function sortReportRows(rows: readonly ReportRow[]): ReportRow[] {
  return [...rows].sort(compareRows);
}

/** The rows `--compliance` lists, in the stable order. */
export function listedRows(doc: ReportDocument): ReportRow[] {
  const listed = doc.listed;
  return listed ? doc.rows.filter((row) => listed.includes(row.compliance)) : [...doc.rows];
}

export interface RuleCount {
  rule: string;
  severity: Severity;
  counts: Counts;
  /** NOT_APPLICABLE because an exemption was honoured. */
  exempt: number;
}

/** Counts per rule (every row, whatever is listed), in report order. */
export function ruleCounts(doc: ReportDocument): RuleCount[] {
  const byRule = new Map<string, RuleCount>();
  for (const rule of orderRules([...doc.rules, ...doc.rows.map((row) => row.rule)])) {
    byRule.set(rule, {
      rule,
      severity: metadataOf(rule)?.severity ?? 'LOW',
      counts: emptyCounts(),
      exempt: 0,
    });
  }
  for (const row of doc.rows) {
    const count = byRule.get(row.rule);
    if (!count) continue;
    count.counts[row.compliance] += 1;
    if (row.exemptionStatus === 'honoured') count.exempt += 1;
  }
  return [...byRule.values()];
}

export function totalCounts(rows: readonly ReportRow[]): Counts & { exempt: number } {
  const totals = { ...emptyCounts(), exempt: 0 };
  for (const row of rows) {
    totals[row.compliance] += 1;
    if (row.exemptionStatus === 'honoured') totals.exempt += 1;
  }
  return totals;
}

/** Where a row comes from: which rule, account and Region, and when. */
export interface RowContext {
  rule: RuleMetadata;
  accountId: string;
  region: string;
  /** When the rule's run began: the evidence time of facts read during the run. */
  ranAt: Date;
  /** When its verdicts were reached. */
  recordedAt: Date;
}

/**
 * A row from a local evaluation. An evaluation that names no evidence source or time rests on
 * facts read during the run (the runtime's rule for `EVIDENCE_AT`: absent, the invocation's time).
 */
export function rowFromEvaluation(evaluation: Evaluation, ctx: RowContext): ReportRow {
  const exemption = evaluation[EXEMPTION];
  return {
    accountId: ctx.accountId,
    region: ctx.region,
    rule: ctx.rule.name,
    severity: ctx.rule.severity,
    resourceType: evaluation.resourceType,
    resourceId: evaluation.resourceId,
    resourceName: evaluation.resourceName,
    compliance: evaluation.compliance,
    complianceWithoutExemption:
      exemption?.status === 'honoured' ? (exemption.replaced ?? null) : null,
    exemptionStatus: exemption?.status ?? null,
    exemptionSource: exemption?.source ?? null,
    exemptionKey: exemption?.key ?? null,
    exemptionUntil: exemption?.until ?? null,
    exemptionReason: exemption?.reason ?? null,
    evidenceSource: evaluation[EVIDENCE_SOURCE] ?? 'live',
    evidenceAt: (evaluation[EVIDENCE_AT] ?? ctx.ranAt).toISOString(),
    recordedAt: ctx.recordedAt.toISOString(),
    annotation: evaluation.annotation,
  };
}

/** A row with only what AWS Config stores (aggregated results): no exemption or evidence source. */
export function storedRow(
  fields: Pick<
    ReportRow,
    | 'accountId'
    | 'region'
    | 'rule'
    | 'resourceType'
    | 'resourceId'
    | 'resourceName'
    | 'compliance'
    | 'annotation'
    | 'recordedAt'
  > & { evidenceAt?: string | null },
): ReportRow {
  return {
    ...fields,
    severity: metadataOf(fields.rule)?.severity ?? 'LOW',
    complianceWithoutExemption: null,
    exemptionStatus: null,
    exemptionSource: null,
    exemptionKey: null,
    exemptionUntil: null,
    exemptionReason: null,
    evidenceSource: null,
    evidenceAt: fields.evidenceAt ?? null,
  };
}

const SHORT_REASON_MAX = 60;

/**
 * A few words for a matrix cell: the exemption (when it decided or was refused), else the
 * annotation's first clause without its subject ("User bob has a console password and no MFA
 * device (…)" → "has a console password and no MFA device"). The full annotation stays beside it.
 */
export function shortReason(row: ReportRow): string {
  switch (row.exemptionStatus) {
    case 'honoured':
      return `exempt until ${row.exemptionUntil ?? '?'}`;
    case 'expired':
      return `exemption expired ${row.exemptionUntil ?? ''}`.trim();
    case 'too-long':
      return 'exemption too long, not honoured';
    case 'unreadable':
      return 'exemption tag unreadable';
    case null:
      break;
  }
  const subject = row.resourceName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const text = row.annotation
    .replace(new RegExp(`^(User ${subject}|Root user of account \\d+)(?:: |\\s+)`), '')
    // "User bob (privileged: …) has …": the subject's own parenthesis goes too.
    .replace(/^\([^()]*(?:\([^()]*\)[^()]*)*\)\s*/, '')
    .replace(/\s\(.*$/s, '')
    .replace(/[.:;]\s.*$/s, '')
    .replace(/\.$/, '');
  return text.length <= SHORT_REASON_MAX ? text : `${text.slice(0, SHORT_REASON_MAX - 1)}…`;
}

/** `2026-11-30T05:03:13.494Z` → `2026-11-30 05:03:13Z`. */
export function shortTime(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}
