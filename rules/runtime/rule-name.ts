/**
 * Which Config rule names belong to a rule of this pack. A function serves only its own rule: an
 * event whose `configRuleName` is anything else is refused before any AWS call, so no caller can
 * make a function report to, or read the recorded results of, another Config rule.
 *
 * The names AWS Config gives the rules it creates (AWS Audit Manager API Reference, SourceKeyword,
 * "Keyword examples for service-linked rules":
 * https://docs.aws.amazon.com/audit-manager/latest/APIReference/API_SourceKeyword.html):
 *
 *   - a conformance pack's rule: the template's `ConfigRuleName` + `-conformance-pack-` + a random
 *     lowercase id, e.g. `CustomRuleForAccount-conformance-pack-szsm1uv0w`. An organization
 *     conformance pack deploys a conformance pack (`OrgConformsPack-<name>-<id>`) in each member
 *     account, whose rules are named the same way;
 *   - an organization Config rule (PutOrganizationConfigRule) in a member account:
 *     `OrgConfigRule-` + the rule's name + `-` + a random id, e.g.
 *     `OrgConfigRule-s3-bucket-versioning-enabled-dbgzf8ba`;
 *   - a rule created by hand (or the CLI's `invoke`): the name itself.
 */

/** AWS Config's random ids: lowercase letters and digits (9 and 8 in the documented examples). */
const RANDOM_ID = '[a-z0-9]{1,32}';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The accepted forms of `ruleName`, as one anchored pattern. */
export function ruleNamePattern(ruleName: string): RegExp {
  const name = escape(ruleName);
  return new RegExp(
    `^(?:${name}|${name}-conformance-pack-${RANDOM_ID}|OrgConfigRule-${name}-${RANDOM_ID})$`,
  );
}

export function isRuleName(configRuleName: string, ruleName: string): boolean {
  return ruleNamePattern(ruleName).test(configRuleName);
}
