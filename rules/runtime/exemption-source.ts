/**
 * The exemption registry's names and sources as plain data (no SDK, no zod): what the CDK
 * constructs, the CLI and the runtime share (the registry itself: exemption-registry.ts).
 */
export const EXEMPTION_SOURCES = ['tags', 'registry', 'both'] as const;
export type ExemptionSource = (typeof EXEMPTION_SOURCES)[number];
/** Today's behaviour, and the account stack's default. */
export const DEFAULT_EXEMPTION_SOURCE: ExemptionSource = 'tags';
/** The organization stack's default. */
export const ORGANIZATION_EXEMPTION_SOURCE: ExemptionSource = 'registry';
/** The rules' default ExemptionTagKey. */
export const DEFAULT_EXEMPTION_TAG_KEY = 'mfa-exemption';
export const DEFAULT_EXEMPTION_TABLE = 'mfa-config-rules-exemptions';
/** `rule` of an entry that covers every user rule. */
export const ALL_USER_RULES = '*';

/** The function's environment: fixed at synth, compared with the rule parameter. */
export const EXEMPTION_SOURCE_ENV = 'MFA_EXEMPTION_SOURCE';
export const EXEMPTION_TABLE_ENV = 'MFA_EXEMPTION_TABLE';

/** Whether a source reads the registry. */
export function readsRegistrySource(source: ExemptionSource): boolean {
  return source !== 'tags';
}

/** Whether a source trusts the user's own exemption tag. */
export function trustsTags(source: ExemptionSource): boolean {
  return source !== 'registry';
}
