/**
 * Expiring exemptions, for every rule that evaluates `AWS::IAM::User`: a user tagged
 * `<ExemptionTagKey>` = `YYYY-MM-DD <reason>` is NOT_APPLICABLE until the end of that day (UTC)
 * instead of NON_COMPLIANT. An exemption never touches a COMPLIANT or NOT_APPLICABLE verdict, so
 * its tag is read only for users who would otherwise be NON_COMPLIANT.
 *
 * | tag on a user who would be NON_COMPLIANT           | verdict        |
 * | -------------------------------------------------- | -------------- |
 * | none (or `ExemptionTagKey` is empty: off)          | NON_COMPLIANT  |
 * | `YYYY-MM-DD reason`, today or later, ≤ max days    | NOT_APPLICABLE |
 * | a date before today (UTC)                          | NON_COMPLIANT  |
 * | a date more than `MaxExemptionDays` days ahead     | NON_COMPLIANT  |
 * | anything else (no reason, not a calendar date, …)  | NON_COMPLIANT  |
 */
import { tagKey, wholeNumber } from './parameters';
import {
  EXEMPTION,
  type ComplianceType,
  type Evaluation,
  type ExemptionRecord,
  type RuleParameter,
} from './types';

export const DEFAULT_EXEMPTION_TAG_KEY = 'mfa-exemption';
export const DEFAULT_MAX_EXEMPTION_DAYS = 365;
const DAY_MS = 86_400_000;
/** Longest reason quoted in an annotation (Config allows 256 characters in all). */
const REASON_IN_ANNOTATION = 80;

/** The zod shape every user rule adds to its `parameters`. */
export const exemptionParameters = {
  ExemptionTagKey: tagKey('ExemptionTagKey', DEFAULT_EXEMPTION_TAG_KEY),
  MaxExemptionDays: wholeNumber('MaxExemptionDays', 1, 3650, DEFAULT_MAX_EXEMPTION_DAYS),
};

/** What the docs, the CLI and the conformance pack say about them. */
export const EXEMPTION_PARAMETER_DOCS: readonly RuleParameter[] = [
  {
    name: 'ExemptionTagKey',
    description:
      'Tag key that exempts a user who would be NON_COMPLIANT: value `YYYY-MM-DD reason`, NOT_APPLICABLE until the end of that day (UTC). Expired, unreadable or too distant dates stay NON_COMPLIANT. Empty: exemptions off.',
    default: DEFAULT_EXEMPTION_TAG_KEY,
  },
  {
    name: 'MaxExemptionDays',
    description:
      'Longest exemption accepted, in days from today (UTC); a later date is NON_COMPLIANT ("exemption longer than … days").',
    default: String(DEFAULT_MAX_EXEMPTION_DAYS),
  },
];

export interface ExemptionSettings {
  /** The tag to read; undefined when exemptions are off. */
  tagKey: string | undefined;
  maxDays: number;
}

/** The parsed parameters (absent ones take the defaults, as the zod shape applies them). */
export function exemptionSettings(params: {
  ExemptionTagKey?: string | undefined;
  MaxExemptionDays?: number | undefined;
}): ExemptionSettings {
  const key = params.ExemptionTagKey ?? DEFAULT_EXEMPTION_TAG_KEY;
  return {
    tagKey: key.trim() === '' ? undefined : key,
    maxDays: params.MaxExemptionDays ?? DEFAULT_MAX_EXEMPTION_DAYS,
  };
}

/** What the rule knows of a user's exemption tag. */
export type ExemptionTag =
  /** Tags were not read (the user was not about to be NON_COMPLIANT, or exemptions are off). */
  | { read: false }
  /** Tags were read at `at`; `value` is the exemption tag's value, if the user has it. */
  | { read: true; value: string | undefined; at: Date };

type Verdict = Pick<Evaluation, 'compliance' | 'annotation' | typeof EXEMPTION>;

/**
 * The verdict after the user's exemption, if any. `verdict` is the rule's own; only a
 * NON_COMPLIANT one changes, and only with a tag that was read. `now` is when the tag was read.
 */
export function applyExemption(
  verdict: Verdict,
  tag: ExemptionTag,
  settings: ExemptionSettings,
  userName: string,
): Verdict {
  if (verdict.compliance !== 'NON_COMPLIANT' || !settings.tagKey || !tag.read) return verdict;
  if (tag.value === undefined) return verdict;
  const key = settings.tagKey;
  const parsed = parseExemption(tag.value);
  if ('problem' in parsed) {
    return nonCompliant(
      `exemption tag unreadable: ${key}="${quote(tag.value)}" (${parsed.problem}; expected "YYYY-MM-DD reason").`,
      verdict,
      userName,
      { source: 'tag', key, status: 'unreadable' },
    );
  }
  const read = { source: 'tag', key, until: parsed.date, reason: parsed.reason } as const;
  const today = startOfDayUtc(tag.at);
  const daysAhead = Math.round((parsed.until.getTime() - today.getTime()) / DAY_MS);
  if (daysAhead < 0) {
    return nonCompliant(
      `exemption expired on ${parsed.date} (${key}: ${quote(parsed.reason)}).`,
      verdict,
      userName,
      { ...read, status: 'expired' },
    );
  }
  if (daysAhead > settings.maxDays) {
    return nonCompliant(
      `exemption longer than ${settings.maxDays} days: ${key} runs to ${parsed.date}, ${daysAhead} days from ${isoDay(today)}, not honoured.`,
      verdict,
      userName,
      { ...read, status: 'too-long' },
    );
  }
  return {
    compliance: 'NOT_APPLICABLE' satisfies ComplianceType,
    annotation: `User ${userName} is exempt until ${parsed.date} (end of day UTC): "${quote(parsed.reason)}" (tag ${key}). Without it: ${verdict.annotation}`,
    [EXEMPTION]: { ...read, status: 'honoured', replaced: verdict.compliance },
  };
}

/** `YYYY-MM-DD reason`: a real calendar date, white space, then a reason that is not empty. */
export function parseExemption(
  value: string,
): { date: string; until: Date; reason: string } | { problem: string } {
  const match = /^\s*(\d{4})-(\d{2})-(\d{2})(?:\s+(.*))?$/su.exec(value);
  if (!match) return { problem: 'no YYYY-MM-DD date at the start' };
  const [, year, month, day, reason] = match as unknown as [
    string,
    string,
    string,
    string,
    string?,
  ];
  const until = new Date(Date.UTC(+year, +month - 1, +day));
  if (
    until.getUTCFullYear() !== +year ||
    until.getUTCMonth() !== +month - 1 ||
    until.getUTCDate() !== +day
  ) {
    return { problem: `${year}-${month}-${day} is not a calendar date` };
  }
  if (!reason?.trim()) return { problem: 'no reason after the date' };
  return { date: `${year}-${month}-${day}`, until, reason: reason.trim() };
}

/** The exemption's problem first: the rule's own annotation may be cut at 256 characters. */
function nonCompliant(
  why: string,
  verdict: Verdict,
  userName: string,
  exemption: ExemptionRecord,
): Verdict {
  return {
    compliance: 'NON_COMPLIANT',
    annotation: `User ${userName}: ${why} ${verdict.annotation}`,
    [EXEMPTION]: exemption,
  };
}

/**
 * The reason folded onto one line, at most REASON_IN_ANNOTATION UTF-16 units, cut between code
 * points (never inside a surrogate pair) and marked with an ellipsis.
 */
export function quote(text: string): string {
  const folded = text.replace(/\s+/g, ' ').trim();
  if (folded.length <= REASON_IN_ANNOTATION) return folded;
  let cut = '';
  for (const char of folded) {
    if (cut.length + char.length > REASON_IN_ANNOTATION - 1) break;
    cut += char;
  }
  return `${cut}…`;
}

export function startOfDayUtc(time: Date): Date {
  return new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate()));
}

export function isoDay(time: Date): string {
  return time.toISOString().slice(0, 10);
}
