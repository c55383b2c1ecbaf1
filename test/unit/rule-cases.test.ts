/**
 * Every rule's decision rows (rules/<name>/cases.ts `decisions`), run through its pure
 * `evaluate`: a new rule brings its rows in its folder and this file runs them.
 */
import { RULES } from '../../rules/catalog';
import { parseParameters } from '../../rules/runtime/parameters';
import { casesOf } from '../support/scenarios';

const rows = RULES.flatMap((rule) =>
  (casesOf(rule.metadata.name).decisions ?? []).map(
    (row) => [rule.metadata.name, row.name, rule, row] as const,
  ),
);

describe('decision rows of every rule', () => {
  it('has rows for at least the rules that state them', () => {
    expect(rows.length).toBeGreaterThan(0);
  });

  it.each(rows)('%s: %s', (_name, _row, rule, row) => {
    // Act
    const evaluations = rule.evaluate(row.facts, parseParameters(rule, row.params ?? {}));

    // Assess
    expect(evaluations).toHaveLength(1);
    const [evaluation] = evaluations;
    expect(evaluation?.compliance).toBe(row.compliance);
    if (row.annotation) expect(evaluation?.annotation).toMatch(row.annotation);
    expect(evaluation?.annotation.length).toBeLessThanOrEqual(256);
  });
});
