/**
 * Run-time checks of every construct's props, for JavaScript callers (and TypeScript callers who
 * cast): TypeScript catches these at compile time, JavaScript would otherwise synthesize a stack
 * that silently lacks what was asked for (`notificationEmails: [...]` instead of
 * `notifications: { emails }`), or fail deep inside CDK with a TypeError (`timeout: 600`).
 *
 *   - an unknown key: one error naming it, the closest valid key (or the prop it belongs in) and
 *     every valid key;
 *   - a wrong type: one line naming the prop (with its path: `functionOptions['iam-user-mfa'].timeout`)
 *     and the type expected, and what was given;
 *   - a missing required prop: one line naming it.
 *
 * Values that are CDK tokens pass (a token string is a string, a token list an array of strings).
 */
import { RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { EXEMPTION_SOURCES } from '../rules/runtime/exemption-source';
import { RULE_NAME_LIST } from '../rules/rule-names';
import { EXECUTION_FREQUENCIES } from './settings';

/** Returns the problem with `value` at `path` (a sentence fragment), or undefined when it fits. */
export type Check = (value: unknown, path: string) => string | undefined;

/** How a value reads in an error: "the number 600", "the string 'a@b.c'", "an array". */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `the string '${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `the ${typeof value} ${String(value)}`;
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    default:
      return 'an object';
  }
}

const expect =
  (expected: string, ok: (value: unknown) => boolean): Check =>
  (value, path) =>
    ok(value) ? undefined : `${path} must be ${expected}, not ${describeValue(value)}`;

export const isString = expect('a string', (v) => typeof v === 'string');
export const isBoolean = expect('true or false', (v) => typeof v === 'boolean');
export const isInteger = expect('a whole number', (v) => Number.isInteger(v));
export const isStringArray = expect(
  'an array of strings',
  (v) => Array.isArray(v) && v.every((item) => typeof item === 'string'),
);
export const isObject = expect(
  'an object',
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
);

export const isDuration = expect(
  'a Duration (e.g. Duration.seconds(600), from aws-cdk-lib)',
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { toSeconds?: unknown }).toSeconds === 'function',
);

const RETENTIONS: readonly unknown[] = Object.values(logs.RetentionDays);
export const isRetention = expect(
  'a logs.RetentionDays value (e.g. RetentionDays.ONE_YEAR, a number of days CloudWatch Logs accepts)',
  (v) => typeof v === 'number' && RETENTIONS.includes(v),
);

export const isRemovalPolicy = expect('a RemovalPolicy (e.g. RemovalPolicy.RETAIN)', (v) =>
  (Object.values(RemovalPolicy) as unknown[]).includes(v),
);

export const isTopic = expect(
  'an SNS topic (sns.ITopic, e.g. sns.Topic.fromTopicArn(...))',
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { topicArn?: unknown }).topicArn === 'string',
);

export function oneOf(values: readonly string[]): Check {
  return expect(`one of ${values.map((v) => `'${v}'`).join(', ')}`, (v) =>
    values.includes(v as string),
  );
}

export function either(first: Check, second: Check, expected: string): Check {
  return (value, path) =>
    first(value, path) === undefined || second(value, path) === undefined
      ? undefined
      : `${path} must be ${expected}, not ${describeValue(value)}`;
}

export function arrayOf(item: Check, expected: string): Check {
  return (value, path) => {
    if (!Array.isArray(value)) return `${path} must be ${expected}, not ${describeValue(value)}`;
    for (const [index, entry] of value.entries()) {
      const problem = item(entry, `${path}[${String(index)}]`);
      if (problem) return problem;
    }
    return undefined;
  };
}

/** An object whose keys are `keys` (all when absent) and whose values pass `item`. */
export function recordOf(item: Check, keys?: readonly string[]): Check {
  return (value, path) => {
    const problem = isObject(value, path);
    if (problem) return problem;
    for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
      if (keys && !keys.includes(key)) {
        return `${path} has the key '${key}', which is not one of ${keys.join(', ')}`;
      }
      const inner = item(entry, `${path}['${key}']`);
      if (inner) return inner;
    }
    return undefined;
  };
}

export interface PropSpec {
  /** Each key's check; `required` keys must be present. */
  readonly checks: Readonly<Record<string, Check>>;
  readonly required?: readonly string[];
  /** Keys people pass by mistake → what to write instead. */
  readonly hints?: Readonly<Record<string, string>>;
}

/** An object with exactly the spec's keys (a nested prop such as `notifications`). */
export function shape(spec: PropSpec): Check {
  return (value, path) => {
    const problem = isObject(value, path);
    return problem ?? problemOf(value as Record<string, unknown>, spec, path);
  };
}

function closestKey(key: string, known: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let diagonal = row[0] ?? 0;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const above = row[j] ?? 0;
        const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
        row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + cost);
        diagonal = above;
      }
    }
    return row[b.length] ?? 0;
  };
  const scored = known.map((k) => ({ k, d: distance(key, k) })).sort((a, b) => a.d - b.d);
  const best = scored[0];
  return best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? best.k : undefined;
}

function problemOf(
  props: Record<string, unknown>,
  spec: PropSpec,
  path: string,
): string | undefined {
  const known = Object.keys(spec.checks);
  const at = (key: string) => (path ? `${path}.${key}` : key);
  for (const key of Object.keys(props)) {
    if (known.includes(key)) continue;
    const hint = spec.hints?.[key];
    const near = closestKey(key, known);
    const advice = hint ? `: ${hint}` : near ? `: did you mean '${near}'?` : '';
    return `unknown prop ${at(key)}${advice} (valid: ${known.join(', ')})`;
  }
  for (const key of spec.required ?? []) {
    if (props[key] === undefined) return `prop ${at(key)} is required`;
  }
  for (const [key, check] of Object.entries(spec.checks)) {
    const value = props[key];
    if (value === undefined) continue;
    const problem = check(value, at(key));
    if (problem) return path ? problem : `prop ${problem}`;
  }
  return undefined;
}

/** Throws one error, prefixed with the construct's path, when `props` do not fit `spec`. */
export function validateProps(scope: IConstruct, props: unknown, spec: PropSpec): void {
  const where = scope.node.path;
  if (props === undefined) {
    if (spec.required?.length) {
      throw new Error(`${where}: props are required (${spec.required.join(', ')})`);
    }
    return;
  }
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    throw new Error(`${where}: props must be an object, not ${describeValue(props)}`);
  }
  const problem = problemOf(props as Record<string, unknown>, spec, '');
  if (problem) throw new Error(`${where}: ${problem}`);
}

// ---------------------------------------------------------------------------------------------
// The constructs' specs.

const isRuleEntry = either(
  oneOf(RULE_NAME_LIST),
  expect('a catalog entry', (v) => typeof v === 'object' && v !== null && 'name' in v),
  `a rule name (${RULE_NAME_LIST.join(', ')}) or a RULE_METADATA entry`,
);

const FUNCTION_OPTIONS = shape({
  checks: { memorySize: isInteger, timeout: isDuration, logRetention: isRetention },
});

const NOTIFICATIONS = shape({
  checks: { emails: isStringArray, topic: isTopic },
  hints: { email: "write emails: ['…'] (a list)" },
});

const SECURITY_HUB = either(
  isBoolean,
  shape({ checks: { firstRuleOrder: isInteger } }),
  'true, false or { firstRuleOrder }',
);

/**
 * Keys people pass from the context table of docs/deploying.md (`-c key=value`) as construct props: the
 * construct prop that does the same.
 */
export const CONTEXT_KEY_HINTS: Readonly<Record<string, string>> = {
  notificationEmails: "that is the context key; as a prop write notifications: { emails: ['…'] }",
  securityHubAutomation: 'that is the context key; as a prop write securityHub: true',
  logRetentionDays: 'that is the context key; as a prop write logRetention: RetentionDays.…',
};

const COMMON_CHECKS: Record<string, Check> = {
  packName: isString,
  maximumExecutionFrequency: oneOf(EXECUTION_FREQUENCIES),
  rules: arrayOf(isRuleEntry, 'an array of rule names'),
  functionOptions: recordOf(FUNCTION_OPTIONS, RULE_NAME_LIST),
  ruleParameters: recordOf(recordOf(isString), RULE_NAME_LIST),
  logRetention: isRetention,
  logRemovalPolicy: isRemovalPolicy,
  reservedConcurrency: isInteger,
  tags: recordOf(isString),
  notifications: NOTIFICATIONS,
  securityHub: SECURITY_HUB,
  exemptionSource: oneOf(EXEMPTION_SOURCES),
  exemptionWriterArns: isStringArray,
  freshness: oneOf(['events', 'schedule']),
  reevaluationWindowSeconds: isInteger,
};

const RULE_DEPLOYMENT = oneOf(['conformancePack', 'configRules']);

export const ACCOUNT_PACK_SPEC: PropSpec = {
  checks: { ...COMMON_CHECKS, ruleDeployment: RULE_DEPLOYMENT },
  hints: CONTEXT_KEY_HINTS,
};

const ORGANIZATION_CHECKS: Record<string, Check> = {
  ...COMMON_CHECKS,
  organizationId: isString,
  targetOrganizationalUnitIds: isStringArray,
  callAs: oneOf(['SELF', 'DELEGATED_ADMIN']),
  managementAccountId: isString,
  memberAccountIds: isStringArray,
  executionRoleName: isString,
  stackSetName: isString,
  ruleDeployment: RULE_DEPLOYMENT,
  rulesStackSetName: isString,
  expectedAccounts: isInteger,
  securityHubAdministrator: isBoolean,
};

export const ORGANIZATION_PACK_SPEC: PropSpec = {
  checks: ORGANIZATION_CHECKS,
  required: ['organizationId', 'targetOrganizationalUnitIds'],
  hints: CONTEXT_KEY_HINTS,
};

/**
 * Every StackProps key of the aws-cdk-lib this package builds against (the `satisfies` makes the
 * compiler fail when a key is missing here).
 */
const STACK_PROP_KEYS = {
  analyticsReporting: true,
  crossRegionReferences: true,
  description: true,
  env: true,
  notificationArns: true,
  permissionsBoundary: true,
  propertyInjectors: true,
  stackName: true,
  suppressTemplateIndentation: true,
  synthesizer: true,
  tags: true,
  terminationProtection: true,
} as const satisfies Record<keyof StackProps, true>;

const anything: Check = () => undefined;
const stackChecks = Object.fromEntries(Object.keys(STACK_PROP_KEYS).map((key) => [key, anything]));

export const ACCOUNT_STACK_SPEC: PropSpec = {
  checks: { ...stackChecks, ...ACCOUNT_PACK_SPEC.checks },
  hints: CONTEXT_KEY_HINTS,
};

export const ORGANIZATION_STACK_SPEC: PropSpec = {
  checks: { ...stackChecks, ...ORGANIZATION_CHECKS },
  required: ['organizationId'],
  hints: CONTEXT_KEY_HINTS,
};

/** The keys of a stack's props that belong to the pack it wraps (`tags` go to both). */
export function packKeysOf<T extends object>(props: T): T {
  return Object.fromEntries(
    Object.entries(props).filter(([key]) => key === 'tags' || !(key in STACK_PROP_KEYS)),
  ) as T;
}

export const RULE_FUNCTION_SPEC: PropSpec = {
  checks: {
    rule: expect(
      'a RULE_METADATA entry',
      (v) => typeof v === 'object' && v !== null && 'name' in v,
    ),
    executionRole: shape({ checks: { roleName: isString, organizationId: isString } }),
    roleName: isString,
    logRetention: isRetention,
    logRemovalPolicy: isRemovalPolicy,
    reservedConcurrency: isInteger,
    memorySize: isInteger,
    timeout: isDuration,
    exemptions: shape({ checks: { source: oneOf(EXEMPTION_SOURCES), tableName: isString } }),
  },
  required: ['rule'],
};

export const OPERATIONS_SPEC: PropSpec = {
  checks: {
    functions: expect('an array of RuleFunction', Array.isArray),
    rulesReachSecurityHub: isBoolean,
    notifications: NOTIFICATIONS,
    securityHub: SECURITY_HUB,
  },
  required: ['functions'],
  hints: CONTEXT_KEY_HINTS,
};

export const EXECUTION_ROLE_SPEC: PropSpec = {
  checks: {
    roleName: isString,
    centralRoleNames: isStringArray,
    rules: expect('an array of RULE_METADATA entries', Array.isArray),
    organizationId: isString,
    reevaluation: isBoolean,
  },
  required: ['roleName', 'centralRoleNames', 'rules', 'organizationId'],
};
