/**
 * Expiring exemptions, for every rule that evaluates `AWS::IAM::User`. An exemption turns a
 * NON_COMPLIANT verdict into NOT_APPLICABLE until the end of its day (UTC); it never touches a
 * COMPLIANT or NOT_APPLICABLE verdict. It comes from where `ExemptionSource` says
 * (runtime/exemption-registry.ts):
 *
 *   - `tags` (the account stack's default): the user's tag `<ExemptionTagKey>` = `YYYY-MM-DD reason`;
 *   - `registry` (the organization stack's): an entry of the central exemption registry for the
 *     user's id and the rule (or every user rule); a member's exemption tag is read and ignored,
 *     and the annotation says so;
 *   - `both`: the registry's entry when there is one, else the tag.
 *
 * | exemption of a user who would be NON_COMPLIANT      | verdict        |
 * | --------------------------------------------------- | -------------- |
 * | none (or `ExemptionTagKey` is empty: tags off)      | NON_COMPLIANT  |
 * | today or later, ≤ `MaxExemptionDays` ahead, reason  | NOT_APPLICABLE |
 * | a date before today (UTC): "exemption expired on …" | NON_COMPLIANT  |
 * | more than `MaxExemptionDays` days ahead             | NON_COMPLIANT  |
 * | unreadable (no reason, not a calendar date, …)      | NON_COMPLIANT  |
 * | a tag, with `ExemptionSource` `registry`            | NON_COMPLIANT  |
 */
import { DEFAULT_EXEMPTION_TAG_KEY } from './exemption-source';
import {
  exemptionSourceParameter,
  findEntry,
  type AccountRegistry,
  type ExemptionSource,
} from './exemption-registry';
import { tagKey, wholeNumber } from './parameters';
import {
  EXEMPTION,
  type ComplianceType,
  type Evaluation,
  type ExemptionRecord,
  type RuleParameter,
} from './types';

export { DEFAULT_EXEMPTION_TAG_KEY } from './exemption-source';
export const DEFAULT_MAX_EXEMPTION_DAYS = 365;
const DAY_MS = 86_400_000;
/** Longest reason quoted in an annotation (Config allows 256 characters in all). */
const REASON_IN_ANNOTATION = 80;

/** The zod shape every user rule adds to its `parameters`. */
export const exemptionParameters = {
  ExemptionTagKey: tagKey('ExemptionTagKey', DEFAULT_EXEMPTION_TAG_KEY),
  MaxExemptionDays: wholeNumber('MaxExemptionDays', 1, 3650, DEFAULT_MAX_EXEMPTION_DAYS),
  ...exemptionSourceParameter,
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
  {
    name: 'ExemptionSource',
    description:
      "Where exemptions come from: `tags` (the user's ExemptionTagKey tag), `registry` (the central exemption registry only; a member's exemption tag is ignored and the annotation says so) or `both` (the registry's entry, else the tag). Set by the stacks' `exemptionSource` prop (the organization stack: `registry`), which also fixes it in the function's environment: a differing value refuses the run.",
    default: 'tags',
  },
];

export interface ExemptionSettings {
  /** The tag to read; undefined when exemptions by tag are off. */
  tagKey: string | undefined;
  maxDays: number;
  /** Where exemptions come from (absent: `tags`). */
  source?: ExemptionSource;
  /** The rule judged (which registry entries apply). */
  rule?: string;
}

/** The parsed parameters (absent ones take the defaults, as the zod shape applies them). */
export function exemptionSettings(
  params: {
    ExemptionTagKey?: string | undefined;
    MaxExemptionDays?: number | undefined;
    ExemptionSource?: ExemptionSource | undefined;
  },
  rule?: string,
): ExemptionSettings {
  const key = params.ExemptionTagKey ?? DEFAULT_EXEMPTION_TAG_KEY;
  return {
    tagKey: key.trim() === '' ? undefined : key,
    maxDays: params.MaxExemptionDays ?? DEFAULT_MAX_EXEMPTION_DAYS,
    source: params.ExemptionSource ?? 'tags',
    ...(rule ? { rule } : {}),
  };
}

/** Whether the registry must be read for these settings. */
export function readsRegistry(settings: Pick<ExemptionSettings, 'source'>): boolean {
  return settings.source === 'registry' || settings.source === 'both';
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
 * NON_COMPLIANT one changes. `tag` is the user's exemption tag as read; `registry` the account's
 * registry entries (needed when the source is `registry` or `both`).
 */
export function applyExemption(
  verdict: Verdict,
  tag: ExemptionTag,
  settings: ExemptionSettings,
  userName: string,
  user?: { userId: string; registry?: AccountRegistry | undefined },
): Verdict {
  if (verdict.compliance !== 'NON_COMPLIANT') return verdict;
  const source = settings.source ?? 'tags';
  if (source !== 'tags') {
    const registry = user?.registry;
    if (!user || !registry) {
      throw new Error(`ExemptionSource ${source}: the exemption registry was not read`);
    }
    const item = findEntry(registry, user.userId, settings.rule ?? '');
    if (item) return applyRegistryEntry(verdict, item, registry, settings, userName);
  }
  if (!settings.tagKey || !tag.read || tag.value === undefined) return verdict;
  if (source === 'registry') {
    return nonCompliant(
      `exemption tag ${settings.tagKey}="${quote(tag.value)}" found and ignored: only the central exemption registry exempts users.`,
      verdict,
      userName,
      { source: 'tag', key: settings.tagKey, status: 'ignored' },
    );
  }
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
  return judgeDates(verdict, parsed, tag.at, settings, userName, {
    record: { source: 'tag', key, until: parsed.date, reason: parsed.reason },
    where: key,
    honouredNote: `tag ${key}`,
  });
}

function applyRegistryEntry(
  verdict: Verdict,
  item: NonNullable<ReturnType<typeof findEntry>>,
  registry: AccountRegistry,
  settings: ExemptionSettings,
  userName: string,
): Verdict {
  if (!item.ok) {
    return nonCompliant(
      `exemption registry entry unreadable (${item.problem}; ${registry.origin}).`,
      verdict,
      userName,
      { source: 'registry', key: registry.origin, status: 'unreadable' },
    );
  }
  const { entry } = item;
  return judgeDates(
    verdict,
    {
      date: entry.until,
      until: new Date(`${entry.until}T00:00:00Z`),
      reason: entry.reason,
    },
    registry.at,
    settings,
    userName,
    {
      record: {
        source: 'registry',
        key: registry.origin,
        until: entry.until,
        reason: entry.reason,
        ...(entry.grantedBy ? { grantedBy: entry.grantedBy } : {}),
      },
      where: 'registry',
      honouredNote: `registry${entry.grantedBy ? `, granted by ${entry.grantedBy}` : ''}`,
    },
  );
}

/** Expired, too long or honoured, for an exemption whose date and reason were read at `at`. */
function judgeDates(
  verdict: Verdict,
  parsed: { date: string; until: Date; reason: string },
  at: Date,
  settings: ExemptionSettings,
  userName: string,
  how: {
    record: Omit<ExemptionRecord, 'status'>;
    /** Names the exemption in refusals: the tag key, or `registry`. */
    where: string;
    honouredNote: string;
  },
): Verdict {
  const today = startOfDayUtc(at);
  const daysAhead = Math.round((parsed.until.getTime() - today.getTime()) / DAY_MS);
  if (daysAhead < 0) {
    return nonCompliant(
      `exemption expired on ${parsed.date} (${how.where}: ${quote(parsed.reason)}).`,
      verdict,
      userName,
      { ...how.record, status: 'expired' },
    );
  }
  if (daysAhead > settings.maxDays) {
    return nonCompliant(
      `exemption longer than ${settings.maxDays} days: ${how.where} runs to ${parsed.date}, ${daysAhead} days from ${isoDay(today)}, not honoured.`,
      verdict,
      userName,
      { ...how.record, status: 'too-long' },
    );
  }
  return {
    compliance: 'NOT_APPLICABLE' satisfies ComplianceType,
    annotation: `User ${userName} is exempt until ${parsed.date} (end of day UTC): "${quote(parsed.reason)}" (${how.honouredNote}). Without it: ${verdict.annotation}`,
    [EXEMPTION]: { ...how.record, status: 'honoured', replaced: verdict.compliance },
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
