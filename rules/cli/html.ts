/**
 * `--output html`: one self-contained page a person reads, forwards or prints to PDF.
 *
 *   - nothing external: inline style and script only, no fonts, images or links to load; the
 *     Content-Security-Policy (`default-src 'none'`, the inline script and style allowed by hash)
 *     keeps it so even if a value slipped through escaping;
 *   - every value from AWS (user names, annotations, ids) is HTML-escaped;
 *   - a summary per rule (counts and a NON_COMPLIANT / COMPLIANT / NOT_APPLICABLE bar), a
 *     per-account table for organization reports, then every evaluation with its annotation;
 *   - the table sorts (click a column header) and filters (text, verdict, rule, account) in the
 *     page, without a network; without JavaScript it is simply the full table;
 *   - print CSS: controls hidden, bars keep their colours, the header row repeats on every page,
 *     rows never split across pages.
 */
import { createHash } from 'node:crypto';
import { findRule } from '../catalog';
import { formatFrameworksShort } from '../frameworks';
import type { ComplianceType } from '../runtime/types';
import {
  catalogRuleOf,
  COMPLIANCE_ORDER,
  countBy,
  emptyCounts,
  type Counts,
  type ReportDocument,
  type ReportRow,
  sortReportRows,
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

const STYLE = `
:root { --nc: #b3261e; --ok: #1e7b34; --na: #8a8f98; --line: #d0d4da; --fg: #1b1f24; --muted: #57606a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--fg); margin: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: var(--muted); margin: 0 0 4px; }
.notes { border-left: 4px solid var(--nc); padding: 6px 12px; background: #fdf3f2; margin: 12px 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.total { font-weight: 600; }
.bar { display: block; width: 100%; min-width: 160px; height: 14px; background: #eceef1; border-radius: 3px; }
.bar .nc { fill: var(--nc); }
.bar .ok { fill: var(--ok); }
.bar .na { fill: var(--na); }
.badge.nc { background: var(--nc); }
.badge.ok { background: var(--ok); }
.badge.na { background: var(--na); }
tbody th, tfoot th { background: none; font-weight: normal; }
tfoot th, tfoot td { font-weight: 600; border-top: 2px solid var(--line); }
td code, th code { white-space: nowrap; }
td.when { white-space: nowrap; }
.badge { color: #fff; border-radius: 3px; padding: 1px 6px; font-size: 12px; white-space: nowrap; }
.sev { font-size: 12px; color: var(--muted); white-space: nowrap; }
.id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; color: var(--muted); }
.controls { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: end; margin: 8px 0 12px; }
.controls label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
.controls input, .controls select { font: inherit; padding: 4px 6px; min-width: 180px; }
th button { font: inherit; font-weight: 600; border: 0; background: none; padding: 0; cursor: pointer; color: inherit; }
th button::after { content: " \\2195"; color: var(--muted); }
th[aria-sort="ascending"] button::after { content: " \\2191"; }
th[aria-sort="descending"] button::after { content: " \\2193"; }
#shown { color: var(--muted); font-size: 13px; }
tr[hidden] { display: none; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { margin: 0; font-size: 11px; }
  .controls, #shown { display: none; }
  thead { display: table-header-group; }
  tr, .bar { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .bar, .badge, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  th button::after { content: ""; }
}
`;

const SCRIPT = `
(function () {
  var table = document.getElementById('evaluations');
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var text = document.getElementById('filter-text');
  var verdict = document.getElementById('filter-compliance');
  var rule = document.getElementById('filter-rule');
  var account = document.getElementById('filter-account');
  var shown = document.getElementById('shown');
  function apply() {
    var needle = text.value.trim().toLowerCase();
    var count = 0;
    rows.forEach(function (row) {
      var ok = (!verdict.value || row.dataset.compliance === verdict.value) &&
        (!rule.value || row.dataset.rule === rule.value) &&
        (!account || !account.value || row.dataset.account === account.value) &&
        (!needle || row.textContent.toLowerCase().indexOf(needle) !== -1);
      row.hidden = !ok;
      if (ok) count++;
    });
    shown.textContent = count + ' of ' + rows.length + ' evaluations shown';
  }
  [text, verdict, rule, account].forEach(function (el) {
    if (el) { el.addEventListener('input', apply); el.addEventListener('change', apply); }
  });
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (th, index) {
    var button = th.querySelector('button');
    if (!button) return;
    button.addEventListener('click', function () {
      var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
      headers.forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', dir);
      var sign = dir === 'ascending' ? 1 : -1;
      rows.sort(function (a, b) {
        var x = a.cells[index].dataset.sort || a.cells[index].textContent;
        var y = b.cells[index].dataset.sort || b.cells[index].textContent;
        return sign * x.localeCompare(y, undefined, { numeric: true });
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  apply();
})();
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
  return `<svg class="bar" viewBox="0 0 100 1" preserveAspectRatio="none" role="img" aria-label="${escapeHtml(label)}">${parts.join('')}</svg>`;
}

function countCells(counts: Counts, attr: string): string {
  const total = counts.NON_COMPLIANT + counts.COMPLIANT + counts.NOT_APPLICABLE;
  return [
    ...COMPLIANCE_ORDER.map((c) => `<td class="num count-${CLASS[c]}" ${attr}>${counts[c]}</td>`),
    `<td class="num total" ${attr}>${total}</td>`,
  ].join('');
}

/** Catalog name of a row's rule (aggregated rule names carry a conformance-pack suffix). */
function ruleKey(row: ReportRow): string {
  return catalogRuleOf(row.rule)?.name ?? row.rule;
}

function ruleSummary(rows: readonly ReportRow[]): string {
  const byRule = countBy(rows, ruleKey);
  const body = [...byRule.keys()].sort().map((name) => {
    const counts = byRule.get(name) ?? emptyCounts();
    const meta = findRule(name)?.metadata;
    const title = meta
      ? `<div>${escapeHtml(meta.title)}</div><div class="sev">${escapeHtml(meta.severity)} · ${escapeHtml(formatFrameworksShort(meta))}</div>`
      : '';
    const attr = `data-rule="${escapeHtml(name)}"`;
    return `<tr class="rule-summary" ${attr}><th scope="row"><code>${escapeHtml(name)}</code>${title}</th>${countCells(counts, attr)}<td>${bar(counts)}</td></tr>`;
  });
  const totals = emptyCounts();
  for (const row of rows) totals[row.compliance] += 1;
  return `<table id="summary"><thead><tr><th>Rule</th>${COMPLIANCE_ORDER.map((c) => `<th class="num">${LABEL[c]}</th>`).join('')}<th class="num">Total</th><th>Share</th></tr></thead>
<tbody>${body.join('\n')}</tbody>
<tfoot><tr class="rule-summary" data-rule="*"><th scope="row">All rules</th>${countCells(totals, 'data-rule="*"')}<td>${bar(totals)}</td></tr></tfoot></table>`;
}

function accountSummary(rows: readonly ReportRow[]): string {
  const byAccount = countBy(rows, (row) => row.accountId);
  const body = [...byAccount.keys()].sort().map((account) => {
    const counts = byAccount.get(account) ?? emptyCounts();
    const attr = `data-account="${escapeHtml(account)}"`;
    const failing = [
      ...new Set(
        rows
          .filter((r) => r.accountId === account && r.compliance === 'NON_COMPLIANT')
          .map(ruleKey),
      ),
    ].sort();
    return `<tr class="account-summary" ${attr}><th scope="row" class="id">${escapeHtml(account)}</th>${countCells(counts, attr)}<td>${bar(counts)}</td><td>${failing.map((r) => `<code>${escapeHtml(r)}</code>`).join(', ') || '—'}</td></tr>`;
  });
  return `<h2>By account</h2>
<table id="accounts"><thead><tr><th>Account</th>${COMPLIANCE_ORDER.map((c) => `<th class="num">${LABEL[c]}</th>`).join('')}<th class="num">Total</th><th>Share</th><th>Failing rules</th></tr></thead>
<tbody>${body.join('\n')}</tbody></table>`;
}

/** `2026-11-30T05:03:13.494Z` → `2026-11-30 05:03:13Z` (the full time stays in the title). */
function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function options(values: readonly string[], all: string): string {
  return [
    `<option value="">${escapeHtml(all)}</option>`,
    ...values.map((v) => `<option value="${escapeHtml(v)}">${escapeHtml(v)}</option>`),
  ].join('');
}

function evaluationTable(doc: ReportDocument): string {
  // NON_COMPLIANT first: the rows a reader acts on.
  const rows = sortReportRows(doc.rows).sort(
    (a, b) => COMPLIANCE_ORDER.indexOf(a.compliance) - COMPLIANCE_ORDER.indexOf(b.compliance),
  );
  const rules = [...new Set(doc.rows.map(ruleKey))].sort();
  const accounts = [...new Set(doc.rows.map((r) => r.accountId))].sort();
  const showAccount = doc.byAccount;
  const head = [
    ...(showAccount ? ['Account', 'Region'] : []),
    'Rule',
    'Resource',
    'Verdict',
    'Recorded',
    'Annotation',
  ];
  const body = rows.map((row) => {
    const key = ruleKey(row);
    const user = row.resourceType === 'AWS::IAM::User';
    const resource =
      user && row.resourceName !== row.resourceId
        ? `${escapeHtml(row.resourceName)}<div class="id">${escapeHtml(row.resourceId)}</div>`
        : `<span class="${user ? 'id' : ''}">${escapeHtml(row.resourceName)}</span>`;
    const cells = [
      ...(showAccount
        ? [`<td class="id">${escapeHtml(row.accountId)}</td>`, `<td>${escapeHtml(row.region)}</td>`]
        : []),
      `<td><code>${escapeHtml(key)}</code></td>`,
      `<td>${resource}</td>`,
      `<td data-sort="${COMPLIANCE_ORDER.indexOf(row.compliance)}"><span class="badge ${CLASS[row.compliance]}">${row.compliance}</span></td>`,
      `<td class="id when" data-sort="${escapeHtml(row.recordedAt)}" title="${escapeHtml(row.recordedAt)}">${escapeHtml(shortTime(row.recordedAt))}</td>`,
      `<td>${escapeHtml(row.annotation)}</td>`,
    ];
    return `<tr data-compliance="${row.compliance}" data-rule="${escapeHtml(key)}" data-account="${escapeHtml(row.accountId)}">${cells.join('')}</tr>`;
  });
  const accountFilter = showAccount
    ? `<label>Account<select id="filter-account">${options(accounts, 'All accounts')}</select></label>`
    : '';
  return `<h2>Evaluations</h2>
<div class="controls">
<label>Search<input id="filter-text" type="search" placeholder="user, id, annotation…"></label>
<label>Verdict<select id="filter-compliance">${options(COMPLIANCE_ORDER, 'All verdicts')}</select></label>
<label>Rule<select id="filter-rule">${options(rules, 'All rules')}</select></label>
${accountFilter}
<span id="shown" aria-live="polite"></span>
</div>
<table id="evaluations"><thead><tr>${head.map((h) => `<th scope="col"><button type="button">${h}</button></th>`).join('')}</tr></thead>
<tbody>
${body.join('\n')}
</tbody></table>`;
}

export function formatHtml(doc: ReportDocument): string {
  const csp = `default-src 'none'; style-src ${cspHash(STYLE)}; script-src ${cspHash(SCRIPT)}; img-src 'none'; form-action 'none'; base-uri 'none'`;
  const notes = doc.notes.length
    ? `<div class="notes" role="note">${doc.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join('')}</div>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
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
<p class="meta">Generated ${escapeHtml(doc.generatedAt)} by mfa-config-rules · ${doc.rows.length} evaluations</p>
</header>
${notes}
<h2>Summary by rule</h2>
${ruleSummary(doc.rows)}
${doc.byAccount ? accountSummary(doc.rows) : ''}
${evaluationTable(doc)}
<script>${SCRIPT}</script>
</body>
</html>
`;
}
