/**
 * A small evaluator of service control policies against requests, after AWS's documented rules
 * ("Policy evaluation logic", "IAM JSON policy elements: Condition operators"): a request is denied
 * when any Deny statement applies (its Action or NotAction covers the action, its Resource or
 * NotResource the resource, and every condition holds); else it is allowed, as with AWS's default
 * FullAWSAccess SCP attached. Only what the pack's SCPs use is modelled; any other element or
 * operator throws, so a policy it cannot judge never passes a test.
 *
 * Why our own: @cloud-copilot/iam-simulate, the maintained simulator on npm, is AGPL-3.0-or-later
 * (npm view, 2026-12), which an Apache-2.0 package should not take even as a dev dependency; pbac
 * (MIT) was reported by an earlier evaluation to mishandle ArnNotLike with several values and the
 * case of actions. This is small enough to read whole; test/unit/iam-evaluator.test.ts pins the
 * semantics below.
 *
 *   - Action: case-insensitive, `*` and `?` wildcards (rules/iam-user-hardware-mfa/policy.ts).
 *   - Resource / ArnLike: the ARN's six parts (`arn:partition:service:region:account:resource`)
 *     compared part by part, case-sensitively, `*` and `?` within a part (the resource part keeps
 *     its slashes and colons, and `*` spans them).
 *   - Condition operators: StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringLike,
 *     StringNotLike, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike, each optionally with
 *     `ForAnyValue:` / `ForAllValues:`. Several values of one key: any may match (the negated
 *     operators: none may). A key missing from the request: false, but true for the negated
 *     operators ("…Not…") and for ForAllValues; ForAnyValue on a missing key is false.
 */
import { actionMatches } from '../../rules/iam-user-hardware-mfa/policy';

export interface PolicyRequest {
  action: string;
  resource: string;
  /** `aws:PrincipalArn`: for a role session, the role's ARN. */
  principalArn: string;
  /** Other request context keys, e.g. `aws:TagKeys`. */
  context?: Record<string, string | readonly string[]>;
}

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const KNOWN = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);

const list = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

function glob(pattern: string, flags: string): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.+()[\]{}|/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, flags);
}

/** ArnLike: six parts, each matched with wildcards; the resource part is the rest. */
export function arnLike(pattern: string, arn: string): boolean {
  const parts = (text: string) => {
    const head = text.split(':', 5);
    const rest = text.split(':').slice(5).join(':');
    return [...head, rest];
  };
  const p = parts(pattern);
  const a = parts(arn);
  if (p.length !== 6 || a.length !== 6 || (p[0] !== 'arn' && p[0] !== '*')) return false;
  return p.every((part, i) => glob(part, '').test(a[i] ?? ''));
}

function compare(base: string, pattern: string, value: string): boolean {
  switch (base) {
    case 'StringEquals':
      return pattern === value;
    case 'StringEqualsIgnoreCase':
      return pattern.toLowerCase() === value.toLowerCase();
    case 'StringLike':
      return glob(pattern, '').test(value);
    case 'ArnEquals':
      return pattern === value;
    case 'ArnLike':
      return arnLike(pattern, value);
    default:
      throw new Error(`operator ${base} is not modelled`);
  }
}

const NEGATED: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotLike: 'StringLike',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
};

/** Whether one condition (operator, key, policy values) holds for the request. */
export function conditionHolds(
  operator: string,
  key: string,
  policyValues: readonly string[],
  request: PolicyRequest,
): boolean {
  const parts = operator.split(':');
  const qualifier = parts.length > 1 ? parts[0] : undefined;
  const op = parts[parts.length - 1] ?? '';
  if (qualifier !== undefined && qualifier !== 'ForAnyValue' && qualifier !== 'ForAllValues') {
    throw new Error(`qualifier ${qualifier} is not modelled`);
  }
  if (parts.length > 2 || op.endsWith('IfExists')) throw new Error(`${operator} is not modelled`);
  const raw =
    key.toLowerCase() === 'aws:principalarn' ? request.principalArn : request.context?.[key];
  const values = list(raw);
  const negated = NEGATED[op];
  const base = negated ?? op;
  const matchesAny = (value: string) => policyValues.some((p) => compare(base, p, value));
  if (qualifier === 'ForAllValues') {
    return values.every((v) => (negated ? !matchesAny(v) : matchesAny(v)));
  }
  if (values.length === 0) return qualifier === 'ForAnyValue' ? false : negated !== undefined;
  if (negated) return !values.some(matchesAny);
  return values.some(matchesAny);
}

function statementApplies(statement: Statement, request: PolicyRequest): boolean {
  for (const key of Object.keys(statement)) {
    if (!KNOWN.has(key)) throw new Error(`element ${key} is not modelled`);
  }
  const actions = statement.Action !== undefined ? list(statement.Action) : undefined;
  const notActions = statement.NotAction !== undefined ? list(statement.NotAction) : undefined;
  if (actions && !actions.some((a) => actionMatches(a, request.action))) return false;
  if (notActions?.some((a) => actionMatches(a, request.action))) return false;
  if (!actions && !notActions) throw new Error('a statement without Action or NotAction');
  const resources = statement.Resource !== undefined ? list(statement.Resource) : undefined;
  const notResources =
    statement.NotResource !== undefined ? list(statement.NotResource) : undefined;
  const resourceMatches = (pattern: string) =>
    pattern === '*' || arnLike(pattern, request.resource);
  if (resources && !resources.some(resourceMatches)) return false;
  if (notResources?.some(resourceMatches)) return false;
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, values] of Object.entries(keys)) {
      if (!conditionHolds(operator, key, list(values), request)) return false;
    }
  }
  return true;
}

export type Decision = { allowed: true } | { allowed: false; by: string };

/** SCPs: denied by the first Deny statement that applies, else allowed (FullAWSAccess). */
export function evaluateScps(
  policies: readonly Record<string, unknown>[],
  request: PolicyRequest,
): Decision {
  for (const policy of policies) {
    const statements = (
      Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]
    ) as Statement[];
    for (const statement of statements) {
      if (statement.Effect !== 'Deny') {
        throw new Error('only Deny statements are modelled (FullAWSAccess is assumed)');
      }
      if (statementApplies(statement, request)) {
        return { allowed: false, by: statement.Sid ?? '(no Sid)' };
      }
    }
  }
  return { allowed: true };
}
