/** The rule-name union (rules/rule-names.ts) is the catalog's names and parameters, in order. */
import { RULE_METADATA } from '../../rules/catalog';
import * as fs from 'node:fs';
import { isRuleNameOfPack, RULE_NAME_LIST, RULE_PARAMETER_NAMES } from '../../rules/rule-names';
import { RULE_NAMES_FILE, ruleNamesSource } from '../../scripts/rule-names';

describe('rule names as string-literal types', () => {
  it('is generated from the catalog and current (npm run docs writes it)', () => {
    expect(fs.readFileSync(RULE_NAMES_FILE, 'utf8')).toBe(ruleNamesSource());
  });

  it('lists exactly the catalog rules, in the catalog order', () => {
    expect(RULE_NAME_LIST).toEqual(RULE_METADATA.map((rule) => rule.name));
  });

  it("lists exactly each rule's own parameters", () => {
    for (const rule of RULE_METADATA) {
      expect([...RULE_PARAMETER_NAMES[rule.name as keyof typeof RULE_PARAMETER_NAMES]]).toEqual(
        rule.parameters.map((p) => p.name),
      );
    }
  });

  it('tells a rule name from anything else', () => {
    expect(isRuleNameOfPack('iam-user-mfa')).toBe(true);
    expect(isRuleNameOfPack('iam-user-mfaa')).toBe(false);
    expect(isRuleNameOfPack('toString')).toBe(false);
    expect(isRuleNameOfPack(3)).toBe(false);
  });
});
