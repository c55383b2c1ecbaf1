/** `mfa-config-rules rules`: every rule of the catalog with its framework mappings. */
import Table from 'cli-table3';
import { RULE_METADATA } from '../catalog';
import { formatCis, formatSecurityHub } from '../frameworks';
import type { RuleMetadata } from '../runtime/types';

export const RULES_OUTPUT_FORMATS = ['table', 'json'] as const;
export type RulesOutputFormat = (typeof RULES_OUTPUT_FORMATS)[number];

/** The metadata of every rule, as one JSON array (frameworks with their sources included). */
export function rulesJson(rules: readonly RuleMetadata[] = RULE_METADATA): string {
  return `${JSON.stringify(rules, null, 2)}\n`;
}

/** One row per rule: name, title, resource and managed rule; CIS numbers by version; Security Hub. */
export function rulesTable(
  rules: readonly RuleMetadata[] = RULE_METADATA,
  width = process.stdout.columns || 120,
): string {
  const fixed = 30 + 14 + 10;
  const ruleWidth = Math.max(40, width - fixed - 2);
  const table = new Table({
    head: ['rule', 'CIS AWS Foundations', 'Security Hub', 'severity'],
    colWidths: [ruleWidth, 30, 14, 10],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [] },
  });
  for (const m of rules) {
    table.push([
      `${m.name}\n${m.title}\nevaluates ${m.resourceTypes.join(', ')}\n${m.replacesManagedRule ? `replaces ${m.replacesManagedRule}` : 'replaces no AWS managed rule'}`,
      formatCis(m).split(', ').join('\n'),
      formatSecurityHub(m),
      m.severity,
    ]);
  }
  return `${table.toString()}\n`;
}

export function formatRules(format: RulesOutputFormat): string {
  return format === 'json' ? rulesJson() : rulesTable();
}
