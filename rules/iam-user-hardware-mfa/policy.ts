/**
 * IAM policy documents as iam-user-hardware-mfa reads them (pure): parsing, and matching actions,
 * resources and principals the way IAM matches them.
 *
 * - Documents arrive URL-encoded from GetAccountAuthorizationDetails ("Policies returned by this
 *   operation are URL-encoded compliant with RFC 3986":
 *   https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html);
 *   plain JSON is accepted too.
 * - Actions match case-insensitively, with `*` and `?` wildcards anywhere in the name ("IAM JSON
 *   policy elements: Action": https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
 * - Resources match with the same wildcards and with policy variables (`${aws:username}`, …:
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
 *
 * Every uncertain case is resolved towards "more privileged" (fail closed), and the direction
 * depends on the statement's effect: for an Allow, an unknown variable matches anything and ARNs
 * match without regard to case; for a Deny, an unknown variable matches nothing and ARNs match
 * exactly, so a Deny removes a permission only when it surely applies. A conditioned Deny never
 * removes anything (whether its condition holds is not known here); a conditioned Allow still
 * grants (the caller says so in its annotation).
 */

/** Which values an element lists, or excludes (`NotAction`, `NotResource`, `NotPrincipal`). */
export interface ElementMatch {
  not: boolean;
  patterns: readonly string[];
}

/** A statement's `Principal` (trust policies): AWS principals, or `*` for anyone. */
export interface PrincipalMatch {
  not: boolean;
  /** `"*"` or `{"AWS": "*"}`: every AWS principal. */
  any: boolean;
  /** AWS principals: ARNs and account ids, as written. */
  aws: readonly string[];
}

export interface Statement {
  effect: 'Allow' | 'Deny';
  action: ElementMatch;
  /** Absent in trust policies, which name principals instead. */
  resource?: ElementMatch;
  principal?: PrincipalMatch;
  conditioned: boolean;
}

export type PolicyParse = { ok: true; statements: Statement[] } | { ok: false; problem: string };

/** Values of the policy variables IAM resolves for a principal (keys in lower case). */
export type PolicyVariables = ReadonlyMap<string, string>;

export type Effect = Statement['effect'];

/**
 * A policy document (URL-encoded JSON, JSON, or an object already parsed) into its statements; any
 * shape IAM would not accept is a problem, never a guess.
 */
export function parsePolicy(document: unknown): PolicyParse {
  let value = document;
  if (typeof value === 'string') {
    let text = value.trim();
    if (!text.startsWith('{')) {
      try {
        text = decodeURIComponent(text);
      } catch {
        return { ok: false, problem: 'not URL-encoded JSON' };
      }
    }
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      return { ok: false, problem: 'not JSON' };
    }
  }
  if (!isObject(value)) return { ok: false, problem: 'not a JSON object' };
  const raw = value.Statement;
  const list = Array.isArray(raw) ? (raw as unknown[]) : raw === undefined ? [] : [raw];
  const statements: Statement[] = [];
  for (const [index, item] of list.entries()) {
    const parsed = parseStatement(item);
    if (typeof parsed === 'string')
      return { ok: false, problem: `statement ${index + 1}: ${parsed}` };
    statements.push(parsed);
  }
  return { ok: true, statements };
}

function parseStatement(item: unknown): Statement | string {
  if (!isObject(item)) return 'not an object';
  const effect = item.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') return `Effect ${JSON.stringify(effect)}`;
  const action = element(item, 'Action', 'NotAction');
  if (typeof action === 'string') return action;
  if (!action) return 'no Action or NotAction';
  const resource = element(item, 'Resource', 'NotResource');
  if (typeof resource === 'string') return resource;
  const principal = principalElement(item);
  if (typeof principal === 'string') return principal;
  const condition = item.Condition;
  if (condition !== undefined && !isObject(condition)) return 'Condition is not an object';
  return {
    effect,
    action,
    ...(resource ? { resource } : {}),
    ...(principal ? { principal } : {}),
    conditioned: condition !== undefined && Object.keys(condition).length > 0,
  };
}

function element(
  item: Record<string, unknown>,
  key: string,
  notKey: string,
): ElementMatch | string | undefined {
  const has = item[key] !== undefined;
  const hasNot = item[notKey] !== undefined;
  if (has && hasNot) return `both ${key} and ${notKey}`;
  if (!has && !hasNot) return undefined;
  const patterns = strings(has ? item[key] : item[notKey]);
  if (!patterns) return `${has ? key : notKey} is not a string or a list of strings`;
  return { not: hasNot, patterns };
}

function principalElement(item: Record<string, unknown>): PrincipalMatch | string | undefined {
  const has = item.Principal !== undefined;
  const hasNot = item.NotPrincipal !== undefined;
  if (has && hasNot) return 'both Principal and NotPrincipal';
  if (!has && !hasNot) return undefined;
  const value = has ? item.Principal : item.NotPrincipal;
  if (value === '*') return { not: hasNot, any: true, aws: [] };
  if (!isObject(value)) return 'Principal is not "*" or an object';
  const aws = value.AWS === undefined ? [] : strings(value.AWS);
  if (!aws) return 'Principal.AWS is not a string or a list of strings';
  return { not: hasNot, any: aws.includes('*'), aws: aws.filter((p) => p !== '*') };
}

function strings(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const globCache = new Map<string, RegExp>();

/** `*` any run of characters, `?` one character, everything else literal. */
function glob(pattern: string, caseInsensitive: boolean): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let regex = globCache.get(key);
  if (!regex) {
    const body = pattern
      .split('')
      .map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : escape(c)))
      .join('');
    regex = new RegExp(`^${body}$`, caseInsensitive ? 'iu' : 'u');
    globCache.set(key, regex);
  }
  return regex;
}

/** A regular-expression syntax character escaped (valid in `u` mode); any other as it is. */
function escape(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}

/** Whether an Action pattern (`iam:*`, `*Policy*`, `*`) matches an action, as IAM compares them. */
export function actionMatches(pattern: string, action: string): boolean {
  return glob(pattern, true).test(action);
}

/**
 * The pattern of `match` that makes it cover `action`: the first listed one that matches, or for
 * `NotAction`, `undefined` when one of them excludes it. Returns `"NotAction …"` text for the
 * complement, for annotations.
 */
export function coveringAction(match: ElementMatch, action: string): string | undefined {
  // Memoized per element: a policy (ReadOnlyAccess lists thousands of actions) is asked the same
  // few actions for every user it applies to.
  let known = actionMemo.get(match);
  if (!known) {
    known = new Map();
    actionMemo.set(match, known);
  }
  const cached = known.get(action);
  if (cached !== undefined) return cached ?? undefined;
  const hit = match.patterns.find((pattern) => actionMatches(pattern, action));
  const result = !match.not
    ? hit
    : hit === undefined
      ? `all but ${match.patterns.join(', ')}`
      : undefined;
  known.set(action, result ?? null);
  return result;
}

const actionMemo = new WeakMap<ElementMatch, Map<string, string | null>>();

/**
 * Whether a Resource (or NotResource) element covers `arn` for a statement of `effect` (see the
 * header: an Allow matches generously, a Deny strictly). No element at all covers everything (a
 * trust policy's statement is about its own role).
 */
export function coversResource(
  match: ElementMatch | undefined,
  arn: string,
  variables: PolicyVariables,
  effect: Effect,
): boolean {
  if (!match) return true;
  const hit = match.patterns.some((pattern) => {
    // NotResource inverts the sense: a NotResource exclusion must surely apply to narrow an Allow.
    const generous = (effect === 'Allow') !== match.not;
    const regex = resourceRegex(pattern, variables, generous);
    return regex?.test(arn) === true;
  });
  return match.not ? !hit : hit;
}

/**
 * A Resource pattern with its policy variables resolved: a known variable becomes its value
 * (literal), `${*}`, `${?}` and `${$}` their characters; an unknown one, or one without a value
 * for this principal, matches anything when `generous`, and makes the pattern match nothing
 * (`undefined`) otherwise.
 */
function resourceRegex(
  pattern: string,
  variables: PolicyVariables,
  generous: boolean,
): RegExp | undefined {
  // A pattern without variables means the same for every principal: compiled once.
  if (!pattern.includes('${')) {
    const key = `${generous ? 'g' : 's'}${pattern}`;
    const cached = plainResourceCache.get(key);
    if (cached) return cached;
    const compiled = compileResource(pattern, variables, generous);
    if (compiled) plainResourceCache.set(key, compiled);
    return compiled;
  }
  return compileResource(pattern, variables, generous);
}

const plainResourceCache = new Map<string, RegExp>();

function compileResource(
  pattern: string,
  variables: PolicyVariables,
  generous: boolean,
): RegExp | undefined {
  let body = '';
  let rest = pattern;
  for (;;) {
    const start = rest.indexOf('${');
    const end = start < 0 ? -1 : rest.indexOf('}', start);
    const literal = start < 0 || end < 0 ? rest : rest.slice(0, start);
    body += literal
      .split('')
      .map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : escape(c)))
      .join('');
    if (start < 0 || end < 0) break;
    const name = rest.slice(start + 2, end);
    rest = rest.slice(end + 1);
    if (name === '*' || name === '?' || name === '$') {
      body += escape(name);
      continue;
    }
    // `${key, 'default'}`: the default applies when the key has no value.
    const [key = '', fallback] = name.split(/,\s*/, 2);
    const value =
      variables.get(key.trim().toLowerCase()) ??
      (fallback !== undefined ? fallback.replace(/^'|'$/g, '') : undefined);
    if (value !== undefined) {
      body += value
        .split('')
        .map((c) => escape(c))
        .join('');
    } else if (generous) {
      body += '[\\s\\S]*';
    } else {
      return undefined;
    }
  }
  return new RegExp(`^${body}$`, generous ? 'iu' : 'u');
}

/** Whether a trust statement's principal covers `arn` (a user) or its account (`arn:…:root`). */
export function admitsPrincipal(
  principal: PrincipalMatch | undefined,
  who: { arn: string; accountId: string; partition: string },
  effect: Effect,
): 'user' | 'account' | 'any' | undefined {
  if (!principal) return undefined;
  const root = `arn:${who.partition}:iam::${who.accountId}:root`;
  const same = (a: string, b: string) =>
    effect === 'Allow' ? a.toLowerCase() === b.toLowerCase() : a === b;
  let how: 'user' | 'account' | 'any' | undefined;
  if (principal.any) how = 'any';
  else if (principal.aws.some((p) => same(p, who.arn))) how = 'user';
  else if (principal.aws.some((p) => p === who.accountId || same(p, root))) how = 'account';
  if (!principal.not) return how;
  // NotPrincipal: everyone but those listed; listing the account covers its users.
  return how === undefined ? 'any' : undefined;
}
