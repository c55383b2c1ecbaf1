/**
 * `--output html`: one self-contained page a person reads, forwards or prints to PDF, built to stay
 * quick at 10,000 users.
 *
 *   - nothing external: inline style and script only, no fonts, images or links to load; the
 *     Content-Security-Policy (`default-src 'none'`, the inline script and style allowed by hash)
 *     keeps it so even if a value slipped through escaping;
 *   - every value from AWS (user names, annotations, ids, tag values) is HTML-escaped where the
 *     page's HTML holds it, and JSON-escaped (`<`, `>`, `&` as \u escapes) in the data block the
 *     script reads, which writes it back with `textContent` only;
 *   - the summary per rule in severity order (its counts are links that filter), the account's
 *     root rules as a panel (evaluate) or accounts × rules, failing accounts first (report);
 *   - views: users × rules, one row per user and a column per user rule, failing users first
 *     (evaluate); every evaluation; the controls of a framework (CIS v1.4.0 … v7.0.0, Security
 *     Hub) with their pass and fail counts. Rows are rendered a page (100) at a time;
 *   - under 640 px rows become cards, so a phone never scrolls sideways; the view bar (tabs and
 *     filters) and the table headers stick;
 *   - printed: the summary, the account panel and the failures, nothing else.
 */
import { createHash } from 'node:crypto';
import { formatCisControl, formatFrameworksShort } from '../rules/frameworks';
import {
  CIS_VERSIONS,
  EVIDENCE_SOURCES,
  type ComplianceType,
  type FrameworkMapping,
} from '../rules/runtime/types';
import { SCRIPT } from './html-script';
import {
  COLLATOR,
  COMPLIANCE_ORDER,
  countBy,
  emptyCounts,
  listedRows,
  type RegistrySummary,
  metadataOf,
  orderRules,
  ruleCounts,
  SEVERITY_ORDER,
  shortReason,
  shortTime,
  totalCounts,
  type Counts,
  type ReportDocument,
  type ReportRow,
} from './report-model';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>` and `&` as \u escapes, so no
 * value can close the block or open a comment, and the line separators JavaScript once refused.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const LABEL: Record<ComplianceType, string> = {
  NON_COMPLIANT: 'Non-compliant',
  COMPLIANT: 'Compliant',
  NOT_APPLICABLE: 'Not applicable',
};
const CLASS: Record<ComplianceType, string> = {
  NON_COMPLIANT: 'nc',
  COMPLIANT: 'ok',
  NOT_APPLICABLE: 'na',
};
const EVIDENCE_TEXT: Record<string, string> = {
  'credential-report': 'credential report',
  'virtual-mfa': 'credential report + virtual MFA devices now',
  'live-mfa': 'credential report + MFA devices listed live',
  live: 'IAM, read live',
};

const STYLE = `
:root { --nc: #b3261e; --ok: #1e7b34; --na: #6b717b; --ex: #7a4fb3; --line: #d0d4da; --fg: #1b1f24; --muted: #57606a; --bg: #fff; --head: #f3f4f6; --bar-h: 0px; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html { -webkit-text-size-adjust: 100%; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--fg); background: var(--bg); margin: 0 24px 24px; }
h1 { font-size: 22px; margin: 16px 0 4px; }
h2 { font-size: 17px; margin: 24px 0 8px; }
.meta { color: var(--muted); margin: 0 0 4px; }
.notes { border-left: 4px solid var(--nc); padding: 6px 12px; background: #fdf3f2; margin: 12px 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--head); font-weight: 600; position: sticky; top: var(--bar-h); z-index: 1; }
#summary thead th, #accounts thead th, .framework thead th { position: static; }
#users-table, #evaluations-table { table-layout: fixed; }
#users-table th:first-child { width: 20%; } #users-table th.num { width: 8%; }
#evaluations-table th[data-key="rule"] { width: 16%; } #evaluations-table th[data-key="resource"] { width: 16%; }
#evaluations-table th[data-key="verdict"] { width: 13%; } #evaluations-table th[data-key="evidence"] { width: 14%; }
#evaluations-table th[data-key="account"] { width: 10%; }
@media (min-width: 641px) { #summary th:first-child { width: 34%; } #summary th:last-child { width: 22%; } }
tbody th { font-weight: normal; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tfoot th, tfoot td { font-weight: 600; border-top: 2px solid var(--line); }
code { font-size: 13px; }
.name { font-weight: 600; overflow-wrap: anywhere; }
.id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; color: var(--muted); overflow-wrap: anywhere; }
span.name, span.id { display: block; }
.muted { color: var(--muted); }
.why { display: block; font-size: 13px; color: var(--muted); }
.annotation, td p { overflow-wrap: anywhere; }
td p { margin: 4px 0; }
button.more { font: inherit; font-size: 12px; color: var(--muted); background: none; border: 0; padding: 0; cursor: pointer; }
button.more::before { content: "\\25B8  "; } button.more[aria-expanded="true"]::before { content: "\\25BE  "; }
.full p { margin: 4px 0; overflow-wrap: anywhere; }
.when { font-size: 12px; color: var(--muted); }
.badge { display: inline-block; color: #fff; border-radius: 3px; padding: 1px 6px; font-size: 12px; white-space: nowrap; }
.badge.nc { background: var(--nc); } .badge.ok { background: var(--ok); } .badge.na { background: var(--na); } .badge.ex { background: var(--ex); }
.sev { display: inline-block; font-size: 11px; font-weight: 600; letter-spacing: .02em; border: 1px solid currentColor; border-radius: 3px; padding: 0 4px; margin-left: 6px; white-space: nowrap; }
.sev-critical { color: #8e1b14; } .sev-high { color: #b2460f; } .sev-medium { color: #8a6500; } .sev-low { color: var(--muted); }
.bar-chart { display: block; width: 100%; min-width: 120px; height: 14px; background: #eceef1; border-radius: 3px; }
.bar-chart .nc { fill: var(--nc); } .bar-chart .ok { fill: var(--ok); } .bar-chart .na { fill: var(--na); }
a.count { color: inherit; }
a.count.nc { color: var(--nc); font-weight: 600; }
.panel { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.card.failing { border-left: 4px solid var(--nc); }
.card h3 { font-size: 14px; margin: 0 0 6px; }
.card p { margin: 6px 0 0; overflow-wrap: anywhere; }
#bar { position: sticky; top: 0; z-index: 3; background: var(--bg); border-bottom: 1px solid var(--line); padding: 8px 0; margin-top: 16px; }
[role="tablist"] { display: flex; flex-wrap: wrap; gap: 4px; margin-bottom: 8px; }
[role="tab"] { font: inherit; padding: 4px 12px; border: 1px solid var(--line); border-radius: 4px; background: var(--head); cursor: pointer; }
[role="tab"][aria-selected="true"] { background: var(--fg); color: #fff; border-color: var(--fg); }
.controls { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: end; }
.controls label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
.controls input, .controls select { font: inherit; padding: 3px 6px; min-width: 160px; max-width: 100%; }
.pager { display: flex; gap: 6px; align-items: center; font-size: 13px; color: var(--muted); }
.pager button { font: inherit; padding: 2px 10px; }
th button { font: inherit; font-weight: 600; border: 0; background: none; padding: 0; cursor: pointer; color: inherit; text-align: left; }
th button::after { content: " \\2195"; color: var(--muted); }
th[aria-sort="ascending"] button::after { content: " \\2191"; }
th[aria-sort="descending"] button::after { content: " \\2193"; }
tr.failing > th:first-child, tr.failing > td:first-child { box-shadow: inset 3px 0 0 var(--nc); }
.print-only { display: none; }
.nojs .print-only { display: block; }
.nojs #bar, .nojs [data-view="users"], .nojs [data-view="evaluations"] { display: none; }
@media (max-width: 640px) {
  body { margin: 0 10px 16px; }
  h1 { font-size: 19px; }
  .controls { display: grid; grid-template-columns: 1fr 1fr; }
  .controls label.wide, .controls .pager { grid-column: 1 / -1; }
  .controls input, .controls select { min-width: 0; width: 100%; }
  table.cards, table.cards tbody, table.cards tr, table.cards td, table.cards tbody th, table.cards tfoot { display: block; width: 100%; }
  table.cards thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.cards tr { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 8px; padding: 4px 8px; }
  table.cards td, table.cards tbody th, table.cards tfoot th { border: 0; padding: 3px 0; text-align: left; }
  table.cards td[data-label]::before { content: attr(data-label); display: block; font-size: 11px; color: var(--muted); }
  table.cards td.num { text-align: left; }
  #summary tr { display: flex; flex-wrap: wrap; gap: 0 4px; }
  #summary tbody th, #summary tfoot th, #summary td:last-child { flex: 0 0 100%; }
  #summary td.num { flex: 1 1 0; min-width: 0; width: auto; }
  #summary td:last-child::before { display: none; }
  table.cards td.fails::before { display: inline; margin-right: 6px; }
  table.cards td.cell { padding: 5px 0; border-top: 1px solid var(--line); }
  table.cards td.cell .why { display: inline; margin-left: 6px; }
  table.cards td.cell button.more { display: block; }
  tr.failing > th:first-child, tr.failing > td:first-child { box-shadow: none; }
  table.cards tr.failing { border-left: 4px solid var(--nc); }
}
#failures h3 { font-size: 13px; margin: 14px 0 4px; }
table.failures th.who { width: 28%; }
@media print {
  @page { size: A4; margin: 10mm; }
  body { margin: 0; font-size: 9px; line-height: 1.3; }
  h1 { font-size: 16px; } h2 { font-size: 13px; margin: 12px 0 6px; }
  th, td { padding: 2px 4px; }
  span.name, span.id { display: inline; } span.id { margin-left: 4px; font-size: 8px; }
  code { font-size: 9px; }
  .badge, .sev, .when, .why, .meta { font-size: 8.5px; }
  .card { padding: 6px 8px; } .card p { margin: 3px 0 0; }
  #bar, [data-view], .no-print { display: none !important; }
  .print-only { display: block; }
  thead { display: table-header-group; }
  thead th { position: static; }
  tr, .card, .bar-chart { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .bar-chart, .badge, th, .card { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  th button::after { content: ""; }
  a.count { text-decoration: none; }
}
`;

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The NON_COMPLIANT / COMPLIANT / NOT_APPLICABLE shares as an inline SVG: geometry in SVG
 * attributes, not in `style` attributes, which the page's CSP does not allow.
 */
function bar(counts: Counts): string {
  const total = counts.NON_COMPLIANT + counts.COMPLIANT + counts.NOT_APPLICABLE;
  let x = 0;
  const parts = COMPLIANCE_ORDER.filter((c) => counts[c] > 0).map((c) => {
    const width = (counts[c] / total) * 100;
    const rect = `<rect class="${CLASS[c]}" x="${x.toFixed(3)}" y="0" width="${width.toFixed(3)}" height="1"><title>${LABEL[c]}: ${counts[c]}</title></rect>`;
    x += width;
    return rect;
  });
  const label = COMPLIANCE_ORDER.map((c) => `${counts[c]} ${LABEL[c].toLowerCase()}`).join(', ');
  return `<svg class="bar-chart" viewBox="0 0 100 1" preserveAspectRatio="none" role="img" aria-label="${escapeHtml(label)}">${parts.join('')}</svg>`;
}

const fmt = (n: number): string => n.toLocaleString('en');

function severityTag(severity: string): string {
  return `<span class="sev sev-${escapeHtml(severity.toLowerCase())}">${escapeHtml(severity)}</span>`;
}

function isUserRule(rule: string): boolean {
  return metadataOf(rule)?.resourceTypes.includes('AWS::IAM::User') ?? false;
}

/** The page's own filter state for a count: which view, rule and verdict. */
interface CountLink {
  view: 'users' | 'evaluations';
  rule: number;
  verdict: string;
  account?: number;
}

function countCell(
  n: number,
  label: string,
  cls: string,
  link: CountLink | undefined,
  listed: boolean,
): string {
  const text = fmt(n);
  const body =
    link && listed && n > 0
      ? `<a class="count ${cls}" href="#bar" data-filter-view="${link.view}" data-rule="${link.rule}" data-verdict="${escapeHtml(link.verdict)}"${link.account === undefined ? '' : ` data-account="${link.account}"`}>${text}</a>`
      : text;
  return `<td class="num" data-label="${escapeHtml(label)}">${body}</td>`;
}

function summary(doc: ReportDocument, rules: readonly string[], withUsers: boolean): string {
  const counts = ruleCounts(doc);
  const listed = (c: ComplianceType) => !doc.listed || doc.listed.includes(c);
  const rows = counts.map((count) => {
    const meta = metadataOf(count.rule);
    const index = rules.indexOf(count.rule);
    const view = withUsers && isUserRule(count.rule) ? 'users' : 'evaluations';
    const title = meta
      ? `<div>${escapeHtml(meta.title)}</div><div class="muted">${escapeHtml(formatFrameworksShort(meta))}</div>`
      : '';
    const cells = [
      ...COMPLIANCE_ORDER.map((c) =>
        countCell(
          count.counts[c],
          LABEL[c],
          CLASS[c],
          { view, rule: index, verdict: c },
          listed(c),
        ),
      ),
      countCell(
        count.exempt,
        'Exempt',
        'ex',
        { view, rule: index, verdict: 'EXEMPT' },
        listed('NOT_APPLICABLE'),
      ),
      `<td class="num" data-label="Total">${fmt(count.counts.NON_COMPLIANT + count.counts.COMPLIANT + count.counts.NOT_APPLICABLE)}</td>`,
      `<td data-label="Share">${bar(count.counts)}</td>`,
    ];
    return `<tr class="rule-summary" data-rule="${escapeHtml(count.rule)}"><th scope="row"><code>${escapeHtml(count.rule)}</code>${severityTag(count.severity)}${title}</th>${cells.join('')}</tr>`;
  });
  const totals = totalCounts(doc.rows);
  const foot = [
    ...COMPLIANCE_ORDER.map(
      (c) => `<td class="num" data-label="${LABEL[c]}">${fmt(totals[c])}</td>`,
    ),
    `<td class="num" data-label="Exempt">${fmt(totals.exempt)}</td>`,
    `<td class="num" data-label="Total">${fmt(doc.rows.length)}</td>`,
    `<td data-label="Share">${bar(totals)}</td>`,
  ];
  return `<h2>Summary by rule</h2>
<table id="summary" class="cards"><thead><tr><th>Rule</th>${COMPLIANCE_ORDER.map((c) => `<th class="num">${LABEL[c]}</th>`).join('')}<th class="num">Exempt</th><th class="num">Total</th><th>Share</th></tr></thead>
<tbody>${rows.join('\n')}</tbody>
<tfoot><tr class="rule-summary" data-rule="*"><th scope="row">All rules</th>${foot.join('')}</tr></tfoot></table>`;
}

function evidenceText(row: ReportRow): string {
  return row.evidenceSource
    ? `${EVIDENCE_TEXT[row.evidenceSource] ?? row.evidenceSource}, ${shortTime(row.evidenceAt)}`
    : `as AWS Config recorded it, ${shortTime(row.recordedAt)}`;
}

/** The account rules (root) of a local run: one card each. */
function accountPanel(rows: readonly ReportRow[]): string {
  const accountRows = rows.filter((row) => row.resourceType === 'AWS::::Account');
  if (accountRows.length === 0) return '';
  const cards = accountRows.map((row) => {
    const meta = metadataOf(row.rule);
    return `<div class="card${row.compliance === 'NON_COMPLIANT' ? ' failing' : ''}" data-rule="${escapeHtml(row.rule)}">
<h3><code>${escapeHtml(row.rule)}</code>${severityTag(row.severity)}</h3>
<div><span class="badge ${CLASS[row.compliance]}">${LABEL[row.compliance]}</span> ${escapeHtml(meta?.title ?? '')}</div>
<p>${escapeHtml(row.annotation)}</p>
<p class="when">Evidence: ${escapeHtml(evidenceText(row))}</p></div>`;
  });
  return `<h2>Account ${escapeHtml(accountRows[0]?.accountId ?? '')}: root user</h2>
<div class="panel" id="account-panel">${cards.join('\n')}</div>`;
}

/** Accounts × rules for an organization: failing accounts first (worst severity, then count). */
function accountsMatrix(doc: ReportDocument, rules: readonly string[]): string {
  const byAccount = new Map<string, Map<string, Counts>>();
  for (const row of doc.rows) {
    const perRule = byAccount.get(row.accountId) ?? new Map<string, Counts>();
    const counts = perRule.get(row.rule) ?? emptyCounts();
    counts[row.compliance] += 1;
    perRule.set(row.rule, counts);
    byAccount.set(row.accountId, perRule);
  }
  const accounts = [...byAccount.keys()];
  const accountIndex = (id: string) => [...new Set(doc.rows.map((r) => r.accountId))].indexOf(id);
  const key = (account: string) => {
    const perRule = byAccount.get(account) ?? new Map<string, Counts>();
    let worst = SEVERITY_ORDER.length;
    let failing = 0;
    for (const [rule, counts] of perRule) {
      if (counts.NON_COMPLIANT > 0) {
        worst = Math.min(worst, SEVERITY_ORDER.indexOf(metadataOf(rule)?.severity ?? 'LOW'));
        failing += counts.NON_COMPLIANT;
      }
    }
    return { worst, failing };
  };
  accounts.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x.worst - y.worst || y.failing - x.failing || (a < b ? -1 : 1);
  });
  const body = accounts.map((account) => {
    const perRule = byAccount.get(account) ?? new Map<string, Counts>();
    const { failing } = key(account);
    const cells = rules.map((rule, index) => {
      const counts = perRule.get(rule);
      const label = `data-label="${escapeHtml(rule)}"`;
      if (!counts) return `<td ${label}><span class="muted">no results</span></td>`;
      const verdict: ComplianceType =
        counts.NON_COMPLIANT > 0
          ? 'NON_COMPLIANT'
          : counts.COMPLIANT > 0
            ? 'COMPLIANT'
            : 'NOT_APPLICABLE';
      const failingLink =
        counts.NON_COMPLIANT > 0
          ? `<a class="count nc" href="#bar" data-filter-view="evaluations" data-rule="${index}" data-verdict="NON_COMPLIANT" data-account="${accountIndex(account)}">${fmt(counts.NON_COMPLIANT)} failing</a>`
          : '0 failing';
      return `<td ${label}><span class="badge ${CLASS[verdict]}">${LABEL[verdict]}</span><span class="why">${failingLink} · ${fmt(counts.COMPLIANT)} compliant</span></td>`;
    });
    return `<tr class="account-summary${failing > 0 ? ' failing' : ''}" data-account="${escapeHtml(account)}"><th scope="row" class="id">${escapeHtml(account)}</th><td class="num" data-label="Failing results">${fmt(failing)}</td>${cells.join('')}</tr>`;
  });
  return `<h2>Accounts × rules</h2>
<table id="accounts" class="cards"><thead><tr><th>Account</th><th class="num">Failing</th>${rules.map((rule) => `<th><code>${escapeHtml(rule)}</code>${severityTag(metadataOf(rule)?.severity ?? '')}</th>`).join('')}</tr></thead>
<tbody>${body.join('\n')}</tbody></table>`;
}

interface Framework {
  id: string;
  label: string;
  controls: { control: string; assessment?: string; rule: string }[];
}

/** Every framework the catalog maps, each control with the rule that implements it. */
function frameworks(rules: readonly string[]): Framework[] {
  const out: Framework[] = [
    ...CIS_VERSIONS.map((version) => ({
      id: `cis-${version}`,
      label: `CIS AWS Foundations Benchmark ${version}`,
      controls: [] as Framework['controls'],
    })),
    { id: 'security-hub', label: 'AWS Security Hub controls', controls: [] },
  ];
  for (const rule of rules) {
    for (const mapping of (metadataOf(rule)?.frameworks ?? []) as FrameworkMapping[]) {
      if (mapping.framework === 'AWS Security Hub') {
        out.at(-1)?.controls.push({ control: mapping.control, rule });
      } else {
        out
          .find((f) => f.id === `cis-${mapping.version}`)
          ?.controls.push({
            control: formatCisControl(mapping),
            assessment: mapping.assessment,
            rule,
          });
      }
    }
  }
  for (const framework of out) {
    framework.controls.sort((a, b) => COLLATOR.compare(a.control, b.control));
  }
  return out;
}

function frameworksView(doc: ReportDocument, rules: readonly string[]): string {
  const counts = new Map(ruleCounts(doc).map((c) => [c.rule, c]));
  const failingAccounts = countBy(
    doc.rows.filter((row) => row.compliance === 'NON_COMPLIANT'),
    (row) => `${row.rule}|${row.accountId}`,
  );
  const accountsFailing = (rule: string) =>
    [...failingAccounts.keys()].filter((key) => key.startsWith(`${rule}|`)).length;
  const org = doc.kind === 'organization';
  const list = frameworks(rules);
  const tables = list.map((framework) => {
    const mapped = new Set(framework.controls.map((c) => c.rule));
    const body = framework.controls.map(({ control, rule }) => {
      const count = counts.get(rule);
      const c = count?.counts ?? emptyCounts();
      const status =
        c.NON_COMPLIANT > 0
          ? '<span class="badge nc">Fail</span>'
          : c.COMPLIANT > 0
            ? '<span class="badge ok">Pass</span>'
            : '<span class="badge na">No result</span>';
      return `<tr><th scope="row">${escapeHtml(control)}</th><td data-label="Rule"><code>${escapeHtml(rule)}</code><div class="muted">${escapeHtml(metadataOf(rule)?.title ?? '')}</div></td><td data-label="Status">${status}</td><td class="num" data-label="Failing">${fmt(c.NON_COMPLIANT)}</td><td class="num" data-label="Passing">${fmt(c.COMPLIANT)}</td><td class="num" data-label="Not applicable">${fmt(c.NOT_APPLICABLE)}</td>${org ? `<td class="num" data-label="Accounts failing">${fmt(accountsFailing(rule))}</td>` : ''}</tr>`;
    });
    const unmapped = rules.filter((rule) => !mapped.has(rule));
    return `<div class="framework" data-framework="${framework.id}"><h3>${escapeHtml(framework.label)}</h3>
<table class="cards"><thead><tr><th>Control</th><th>Rule</th><th>Status</th><th class="num">Failing</th><th class="num">Passing</th><th class="num">Not applicable</th>${org ? '<th class="num">Accounts failing</th>' : ''}</tr></thead>
<tbody>${body.join('\n') || '<tr><td colspan="7">No rule of this report maps to this framework.</td></tr>'}</tbody></table>
${unmapped.length > 0 ? `<p class="muted">Not part of this framework: ${unmapped.map((rule) => `<code>${escapeHtml(rule)}</code>`).join(', ')}.</p>` : ''}</div>`;
  });
  return `<section data-view="frameworks" id="view-frameworks" aria-label="Compliance by framework">
<h2>Compliance by framework</h2>
${tables.join('\n')}
<p class="muted">Failing and passing count the resources of the listed rule${org ? ' across every account' : ''}. Frameworks and control numbers: <code>mfa-config-rules rules</code>.</p>
</section>`;
}

/**
 * The failures as plain HTML, grouped by rule in report order: what prints, and what a reader
 * without JavaScript sees.
 */
function failuresSection(doc: ReportDocument): string {
  const failing = listedRows(doc).filter((row) => row.compliance === 'NON_COMPLIANT');
  const org = doc.kind === 'organization';
  const groups = new Map<string, ReportRow[]>();
  for (const row of failing) groups.set(row.rule, [...(groups.get(row.rule) ?? []), row]);
  const tables = [...groups].map(([rule, rows]) => {
    const body = rows.map(
      (row) =>
        `<tr>${org ? `<td class="id">${escapeHtml(row.accountId)}</td>` : ''}<td><span class="name">${escapeHtml(row.resourceName)}</span>${row.resourceName === row.resourceId ? '' : `<span class="id">${escapeHtml(row.resourceId)}</span>`}</td><td class="annotation">${escapeHtml(row.annotation)}</td></tr>`,
    );
    return `<h3><code>${escapeHtml(rule)}</code>${severityTag(metadataOf(rule)?.severity ?? '')} ${fmt(rows.length)} failing</h3>
<table class="failures"><thead><tr>${org ? '<th class="who">Account</th>' : ''}<th class="who">Resource</th><th>Annotation</th></tr></thead><tbody>${body.join('\n')}</tbody></table>`;
  });
  return `<section class="print-only" id="failures">
<h2>Failures: ${fmt(failing.length)} NON_COMPLIANT evaluation${failing.length === 1 ? '' : 's'}</h2>
${tables.join('\n') || '<p>Nothing NON_COMPLIANT.</p>'}
</section>`;
}

type Row = (string | number)[];

/** The listed rows as the compact data the script reads (see html-script.ts). */
export function pageData(doc: ReportDocument, rules: readonly string[]) {
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const intern = (text: string | null): number => {
    if (text === null) return -1;
    let index = stringIndex.get(text);
    if (index === undefined) {
      index = strings.length;
      strings.push(text);
      stringIndex.set(text, index);
    }
    return index;
  };
  const accounts: string[] = [];
  const regions: string[] = [];
  const indexIn = (list: string[], value: string): number => {
    const found = list.indexOf(value);
    if (found >= 0) return found;
    list.push(value);
    return list.length - 1;
  };
  const resources: Row[] = [];
  const resourceIndex = new Map<string, number>();
  const evaluations: Row[] = [];
  const ruleIndex = new Map(rules.map((rule, i) => [rule, i]));
  for (const row of listedRows(doc)) {
    const account = indexIn(accounts, row.accountId);
    const key = `${row.accountId}|${row.resourceType}|${row.resourceId}`;
    let resource = resourceIndex.get(key);
    if (resource === undefined) {
      resource = resources.length;
      resources.push([
        account,
        row.resourceType === 'AWS::IAM::User' ? 1 : 0,
        row.resourceId,
        row.resourceName,
      ]);
      resourceIndex.set(key, resource);
    }
    // The name is the only part that changes from user to user: annotations become templates.
    const template =
      !row.annotation.includes('\u0001') && row.resourceName.length > 0
        ? intern(row.annotation.split(row.resourceName).join('\u0001'))
        : -intern(row.annotation) - 1;
    evaluations.push([
      resource,
      ruleIndex.get(row.rule) ?? 0,
      COMPLIANCE_ORDER.indexOf(row.compliance),
      template,
      intern(shortReason(row)),
      row.exemptionStatus
        ? ['honoured', 'expired', 'too-long', 'unreadable', 'ignored'].indexOf(row.exemptionStatus)
        : -1,
      intern(row.exemptionUntil),
      row.complianceWithoutExemption
        ? COMPLIANCE_ORDER.indexOf(row.complianceWithoutExemption)
        : -1,
      row.evidenceSource ? (EVIDENCE_SOURCES as readonly string[]).indexOf(row.evidenceSource) : -1,
      intern(row.evidenceAt),
      intern(row.recordedAt),
      indexIn(regions, row.region),
      row.exemptionSource ? ['tag', 'registry'].indexOf(row.exemptionSource) : -1,
    ]);
  }
  return {
    kind: doc.kind,
    rules: rules.map((name) => ({
      name,
      severity: metadataOf(name)?.severity ?? 'LOW',
      user: isUserRule(name),
    })),
    s: strings,
    accounts,
    regions,
    res: resources,
    ev: evaluations,
  };
}

function select(
  id: string,
  label: string,
  options: readonly [string, string][],
  wide = false,
): string {
  return `<label${wide ? ' class="wide"' : ''}>${escapeHtml(label)}<select id="${id}">${options.map(([value, text]) => `<option value="${escapeHtml(value)}">${escapeHtml(text)}</option>`).join('')}</select></label>`;
}

function pager(prefix: string): string {
  return `<div class="pager"><button type="button" id="${prefix}-prev" aria-label="previous page">‹</button><button type="button" id="${prefix}-next" aria-label="next page">›</button><span id="${prefix}-status" aria-live="polite"></span></div>`;
}

const VERDICT_OPTIONS: [string, string][] = [
  ['', 'Any verdict'],
  ...COMPLIANCE_ORDER.map((c): [string, string] => [c, LABEL[c]]),
  ['EXEMPT', 'Exempt (not applicable)'],
];

/**
 * `report --aggregator`: the registry's active exemptions, which the aggregator's results do not
 * show (NOT_APPLICABLE), soonest to end first.
 */
function registrySection(registry: RegistrySummary): string {
  const rows = registry.exemptions.map(
    (e) =>
      `<tr><td class="id" data-label="Account">${escapeHtml(e.accountId)}</td><td class="id" data-label="User id">${escapeHtml(e.userId)}</td><td data-label="Rule"><code>${escapeHtml(e.rule === '*' ? 'all user rules' : e.rule)}</code></td><td data-label="Until">${escapeHtml(e.until)}</td><td class="num" data-label="Days left">${fmt(e.daysLeft)}</td><td data-label="Reason">${escapeHtml(e.reason)}</td><td class="id" data-label="Granted by">${escapeHtml(e.grantedBy)}</td></tr>`,
  );
  return `<section id="registry" aria-label="Registry exemptions"><h2>Registry exemptions</h2>
<p class="muted">${fmt(registry.exemptions.length)} active in <code>${escapeHtml(registry.table)}</code>, ${fmt(registry.endingSoon)} ending within ${fmt(registry.soonDays)} days, soonest first. These users are NOT_APPLICABLE, which the aggregator does not return.</p>
${rows.length ? `<table class="cards"><thead><tr><th>Account</th><th>User id</th><th>Rule</th><th>Until</th><th class="num">Days left</th><th>Reason</th><th>Granted by</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : ''}
</section>`;
}

export function formatHtml(doc: ReportDocument): string {
  const rules = orderRules([...doc.rules, ...doc.rows.map((row) => row.rule)]);
  const org = doc.kind === 'organization';
  const userRules = rules.filter(isUserRule);
  const withUsers = !org && userRules.length > 0;
  const data = pageData(doc, rules);
  const ruleOptions: [string, string][] = [
    ['', 'All rules'],
    ...rules.map((rule, i): [string, string] => [String(i), rule]),
  ];
  const userRuleOptions: [string, string][] = [
    ['', 'Any user rule'],
    ...rules.flatMap((rule, i): [string, string][] =>
      isUserRule(rule) ? [[String(i), rule]] : [],
    ),
  ];
  const tabs = [
    ...(withUsers ? [['users', 'Users × rules']] : []),
    ['evaluations', 'Every evaluation'],
    ['frameworks', 'Frameworks'],
  ];
  const controls = [
    withUsers
      ? `<div class="controls" data-controls="users"><label class="wide">Search<input id="users-text" type="search" placeholder="user, id, reason…"></label>${select('users-verdict', 'Verdict', VERDICT_OPTIONS)}${select('users-rule', 'In rule', userRuleOptions)}${pager('users')}</div>`
      : '',
    `<div class="controls" data-controls="evaluations"><label class="wide">Search<input id="evaluations-text" type="search" placeholder="user, id, annotation…"></label>${select('evaluations-verdict', 'Verdict', VERDICT_OPTIONS)}${select('evaluations-rule', 'Rule', ruleOptions)}${org ? select('evaluations-account', 'Account', [['', 'All accounts'], ...data.accounts.map((a, i): [string, string] => [String(i), a])]) : ''}${pager('evaluations')}</div>`,
    `<div class="controls" data-controls="frameworks">${select(
      'framework',
      'Framework',
      frameworks(rules).map((f): [string, string] => [f.id, f.label]),
      true,
    )}</div>`,
  ];
  const usersView = withUsers
    ? `<section data-view="users" id="view-users" aria-label="Users × rules">
<table id="users-table" class="cards"><thead><tr><th scope="col" data-key="name"><button type="button">User</button></th><th scope="col" class="num" data-key="fails"><button type="button">Failing</button></th>${userRules.map((rule, c) => `<th scope="col" data-key="${c}"><button type="button"><code>${escapeHtml(rule)}</code></button>${severityTag(metadataOf(rule)?.severity ?? '')}</th>`).join('')}</tr></thead>
<tbody id="users-body"></tbody></table>
</section>`
    : '';
  const evaluationsView = `<section data-view="evaluations" id="view-evaluations" aria-label="Every evaluation">
<table id="evaluations-table" class="cards"><thead><tr>${org ? '<th scope="col" data-key="account"><button type="button">Account</button></th><th scope="col">Region</th>' : ''}<th scope="col" data-key="rule"><button type="button">Rule</button></th><th scope="col" data-key="resource"><button type="button">Resource</button></th><th scope="col" data-key="verdict"><button type="button">Verdict</button></th><th scope="col" data-key="evidence"><button type="button">Evidence</button></th><th scope="col">Annotation</th></tr></thead>
<tbody id="evaluations-body"></tbody></table>
</section>`;
  const listed = listedRows(doc);
  const listedNote = doc.listed
    ? `<p class="meta">Listed: ${doc.listed.map(escapeHtml).join(', ')} only (--compliance): ${fmt(listed.length)} of ${fmt(doc.rows.length)} evaluations; the counts cover all of them.</p>`
    : '';
  const users = new Set(
    doc.rows
      .filter((r) => r.resourceType === 'AWS::IAM::User')
      .map((r) => `${r.accountId}|${r.resourceId}`),
  ).size;
  const csp = `default-src 'none'; style-src ${cspHash(STYLE)}; script-src ${cspHash(SCRIPT)}; img-src 'none'; form-action 'none'; base-uri 'none'`;
  const notes = doc.notes.length
    ? `<div class="notes" role="note">${doc.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join('')}</div>`
    : '';
  return `<!DOCTYPE html>
<html lang="en" class="nojs">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(doc.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(doc.title)}</h1>
<p class="meta">${escapeHtml(doc.source)}</p>
<p class="meta">Generated ${escapeHtml(doc.generatedAt)} by mfa-config-rules · ${fmt(doc.rows.length)} evaluations · ${fmt(users)} IAM users${org ? ` · ${fmt(new Set(doc.rows.map((r) => r.accountId)).size)} accounts` : ''}</p>
${listedNote}
</header>
${notes}
${summary(doc, rules, withUsers)}
${org ? accountsMatrix(doc, rules) : accountPanel(doc.rows)}
${doc.registry ? registrySection(doc.registry) : ''}
${failuresSection(doc)}
<div id="bar">
<div role="tablist" aria-label="Views">${tabs.map(([id, label]) => `<button type="button" role="tab" data-tab="${id ?? ''}" aria-selected="false">${escapeHtml(label ?? '')}</button>`).join('')}</div>
${controls.join('\n')}
</div>
${usersView}
${evaluationsView}
${frameworksView(doc, rules)}
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
