/** `mfa-config-rules rules`: every rule of the catalog with its framework mappings. */
import { RULE_METADATA } from './metadata';
import { textTable } from './text-table';
import { formatCis, formatSecurityHub } from '../rules/frameworks';
import type { RuleMetadata } from '../rules/runtime/types';

import type { RulesOutputFormat } from './options';

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
  // 5 border characters around and between the 4 columns.
  const ruleWidth = Math.max(40, width - fixed - 5);
  const rows = rules.map((m) => [
    `${m.name}\n${m.title}\nevaluates ${m.resourceTypes.join(', ')}\n${m.replacesManagedRule ? `replaces ${m.replacesManagedRule}` : 'replaces no AWS managed rule'}`,
    formatCis(m).split(', ').join('\n'),
    formatSecurityHub(m),
    m.severity,
  ]);
  const table = textTable(['rule', 'CIS AWS Foundations', 'Security Hub', 'severity'], rows, [
    ruleWidth,
    30,
    14,
    10,
  ]);
  return `${table}\n`;
}

export function formatRules(format: RulesOutputFormat): string {
  return format === 'json' ? rulesJson() : rulesTable();
}
