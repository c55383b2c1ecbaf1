/**
 * `npm run docs`: rewrites the generated regions of README.md and docs/*.md from the code (the rule
 * metadata, infra/settings.ts, the pack template, the SCPs), so no table or figure that comes from
 * the code can drift from it. A region is everything between `<!-- NAME:start … -->` and
 * `<!-- NAME:end -->`; text outside the regions is left alone. Each region lives in exactly one
 * file, whichever that is: move the markers and the region follows.
 *
 *   tsx scripts/docs.ts               rewrite every file that holds a region
 *   tsx scripts/docs.ts --check       exit 1 with one line naming the stale files (run by `npm test`:
 *                                     test/unit/generated-docs.test.ts); --root DIR: another copy
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as prettier from 'prettier';
import { conformancePackTemplate, ruleDescription } from '../infra/conformance-pack-template';
import { configRulesProtectionScp, executionRoleProtectionScp } from '../infra/execution-role';
import { automationRuleProps } from '../infra/operations';
import {
  REGISTRY_LIST_ACTIONS,
  REGISTRY_READ_ACTIONS,
  REGISTRY_WRITE_ACTIONS,
} from '../infra/exemption-registry';
import { DEFAULT_EXEMPTION_TABLE, EXEMPTION_SOURCE_ENV } from '../rules/runtime/exemption-source';
import { DEFAULT_MAX_EXEMPTION_DAYS } from '../rules/runtime/exemptions';
import { VERDICT_CHANGING_CALLS } from '../rules/runtime/freshness/iam-events';
import {
  ASYNC_MAX_EVENT_AGE_SECONDS,
  ASYNC_MAX_RETRY_ATTEMPTS,
  centralRoleName,
  clearingSeconds,
  CLEAR_WITHIN_SECONDS,
  DEFAULT_EXECUTION_ROLE_NAME,
  ESBUILD_TARGET,
  LAMBDA_RUNTIME,
  reservationPlan,
  typicalDurationSeconds,
  UNRESERVED_CONCURRENCY_MINIMUM,
} from '../infra/settings';
import { COMMON_PARAMETERS, RULE_METADATA } from '../rules/catalog';
import { DEFAULT_MAX_ATTEMPTS } from '../rules/runtime/clients';
import { DEFAULT_RESERVE_MS } from '../rules/runtime/deadline';
import { DEFAULT_CONCURRENCY as LIVE_CHECK_CONCURRENCY } from '../rules/runtime/facts/users';
import { BATCH_SIZE, FAILED_EVALUATION_ROUNDS, SEND_CONCURRENCY } from '../rules/runtime/report';
import {
  cisMappings,
  formatCisControl,
  formatSecurityHub,
  SECURITY_HUB_IAM_CONTROLS,
} from '../rules/frameworks';
import type { RuleCases } from '../rules/runtime/cases';
import { CIS_VERSIONS, type CisVersion, type RuleMetadata } from '../rules/runtime/types';

export const ROOT = path.join(__dirname, '..');

const code = (text: string) => `\`${text}\``;

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function isUserRule(rule: RuleMetadata): boolean {
  return rule.resourceTypes.includes('AWS::IAM::User');
}

// ---------------------------------------------------------------------------------------------
// rules: what each rule checks

function rulesRegion(rules: readonly RuleMetadata[]): string {
  return table(
    ['rule', 'checks', 'resource', 'severity', 'Security Hub', 'replaces the managed rule'],
    rules.map((m) => [
      code(m.name),
      m.title,
      m.resourceTypes.map(code).join(', '),
      m.severity,
      formatSecurityHub(m),
      m.replacesManagedRule ? code(m.replacesManagedRule) : 'none',
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// controls: every CIS version's number, and where the numbers come from

/** `1.6`, `1.6 (manual)`, or `—` when the rule has no recommendation in that version. */
function cisCell(m: RuleMetadata, version: CisVersion): string {
  const mapping = cisMappings(m).find((c) => c.version === version);
  return mapping ? formatCisControl(mapping) : '—';
}

/** Runs of consecutive versions in which no rule's number or status changes. */
function versionColumns(rules: readonly RuleMetadata[]): CisVersion[][] {
  const key = (v: CisVersion) => rules.map((m) => cisCell(m, v)).join('\u0000');
  const columns: CisVersion[][] = [];
  for (const version of CIS_VERSIONS) {
    const last = columns.at(-1);
    const first = last?.[0];
    if (last && first && key(first) === key(version)) last.push(version);
    else columns.push([version]);
  }
  return columns;
}

function controlsRegion(rules: readonly RuleMetadata[]): string {
  const columns = versionColumns(rules);
  const head = [
    'rule',
    ...columns.map((c) => (c.length === 1 ? (c[0] ?? '') : `${c[0] ?? ''}–${c.at(-1) ?? ''}`)),
    'Security Hub',
  ];
  const rows = rules.map((m) => [
    code(m.name),
    ...columns.map((c) => (c[0] ? cisCell(m, c[0]) : '—')),
    formatSecurityHub(m),
  ]);
  const sources = new Map<string, Set<string>>();
  for (const m of rules) {
    for (const mapping of m.frameworks) {
      const what =
        mapping.framework === 'AWS Security Hub' ? 'Security Hub controls' : mapping.version;
      for (const url of mapping.sources) {
        const set = sources.get(url) ?? new Set<string>();
        set.add(what);
        sources.set(url, set);
      }
    }
  }
  const order = (s: string) => {
    const index = (CIS_VERSIONS as readonly string[]).indexOf(s);
    return index === -1 ? CIS_VERSIONS.length : index;
  };
  const sourceLines = [...sources.entries()]
    .sort(([a], [b]) =>
      a === SECURITY_HUB_IAM_CONTROLS ? -1 : b === SECURITY_HUB_IAM_CONTROLS ? 1 : a < b ? -1 : 1,
    )
    .map(
      ([url, what]) => `- <${url}>: ${[...what].sort((a, b) => order(a) - order(b)).join(', ')}`,
    );
  return [
    table(head, rows),
    '',
    'CIS AWS Foundations Benchmark recommendation numbers by version, "(manual)" where the benchmark marks the recommendation Manual rather than Automated (`mfa-config-rules rules --output json` lists each mapping with its sources). Sources, and the versions each one was read for:',
    '',
    ...sourceLines,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// parameters: rule parameters, and the conformance pack's parameters

function ruleParametersRegion(rules: readonly RuleMetadata[]): string {
  const rows = [
    ...Object.entries(COMMON_PARAMETERS).map(([name, description]) => [
      code(name),
      'every rule',
      'empty',
      description,
    ]),
    ...rules.flatMap((m) =>
      m.parameters.map((p) => [
        code(p.name),
        code(m.name),
        p.default === '' ? 'empty' : code(p.default),
        p.description,
      ]),
    ),
  ];
  return table(['Rule parameter', 'rules', 'default', 'meaning'], rows);
}

function packParametersRegion(rules: readonly RuleMetadata[]): string {
  const template = conformancePackTemplate(rules);
  return table(
    ['Pack parameter', 'Default', 'Meaning'],
    Object.entries(template.Parameters).map(([name, p]) => [
      code(name),
      p.Default === undefined ? 'none (required)' : p.Default === '' ? 'empty' : code(p.Default),
      p.Description,
    ]),
  );
}

function packCliRegion(rules: readonly RuleMetadata[]): string {
  const template = conformancePackTemplate(rules);
  const arns = Object.keys(template.Parameters).filter((name) => name.endsWith('FunctionArn'));
  return [
    '```sh',
    'aws configservice put-conformance-pack --conformance-pack-name cis-mfa-config-rules \\',
    '  --template-body file://dist/conformance-pack.yaml \\',
    '  --conformance-pack-input-parameters \\',
    ...arns.map(
      (name, index) =>
        `    ParameterName=${name},ParameterValue=arn:aws:lambda:…${index < arns.length - 1 ? ' \\' : ''}`,
    ),
    '# organization-wide: aws configservice put-organization-conformance-pack, same template, plus',
    '#   ParameterName=ExecutionRoleName,ParameterValue=MfaConfigRulesExecution',
    '```',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// cost: invocations and evaluations follow from the rules' resource types, run times from
// infra/settings.ts (the durations the concurrency sizing assumes), memory from each rule's sizing.
// Prices are AWS's (public Regions, at the time of writing): the only figures kept here.

/** AWS Config conformance-pack evaluations per month, tiered (AWS Config pricing page). */
const CONFIG_TIERS = [
  { upTo: 100_000, price: 0.001 },
  { upTo: 500_000, price: 0.0008 },
  { upTo: Number.POSITIVE_INFINITY, price: 0.0005 },
] as const;
/** Lambda arm64 prices (AWS Lambda pricing page) and the monthly free tier. */
const LAMBDA_PER_MILLION_REQUESTS = 0.2;
const LAMBDA_PER_GB_SECOND = 0.0000133334;
const LAMBDA_FREE_TIER = { requests: 1_000_000, gbSeconds: 400_000 } as const;

const n = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 2 });
const usd = (value: number) =>
  `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

function configCost(evaluations: number): { text: string; total: number } {
  const parts: string[] = [];
  let total = 0;
  let floor = 0;
  for (const tier of CONFIG_TIERS) {
    const count = Math.max(0, Math.min(evaluations, tier.upTo) - floor);
    if (count > 0) {
      parts.push(`${n(count)} × $${String(tier.price)}`);
      total += count * tier.price;
    }
    floor = tier.upTo;
  }
  return { text: `${parts.join(' + ')} = **${usd(total)}**`, total };
}

function pricesSentence(): string {
  const [first, second, rest] = CONFIG_TIERS;
  return `AWS Config bills each evaluation a conformance-pack rule records ("conformance pack evaluations"), per Region, in tiers counted across the organization with consolidated billing. At the time of writing (AWS Config pricing page, public Regions): **$${String(first.price)}** each for the first ${n(first.upTo)} per month, **$${String(second.price)}** for the next ${n(second.upTo - first.upTo)}, **$${String(rest.price)}** above ${n(second.upTo)}. Check the pricing page before budgeting. Lambda (arm64): $${LAMBDA_PER_MILLION_REQUESTS.toFixed(2)} per million requests and $${String(LAMBDA_PER_GB_SECOND)} per GB-second (free tier: ${n(LAMBDA_FREE_TIER.requests / 1_000_000)} M requests, ${n(LAMBDA_FREE_TIER.gbSeconds)} GB-s per month).`;
}

function costRegion(rules: readonly RuleMetadata[]): string {
  const accounts = 100;
  const users = 50;
  const days = 30;
  const accountRules = rules.filter((m) => !isUserRule(m));
  const userRules = rules.filter(isUserRule);
  const perRunEvaluations = accountRules.length + userRules.length * users;
  const u = userRules.length === 1 ? 'U' : `${String(userRules.length)}U`;
  const gbSeconds = rules.reduce(
    (sum, m) => sum + (typicalDurationSeconds(m) * m.sizing.memoryMiB) / 1024,
    0,
  );
  const column = (runsPerDay: number) => {
    const invocations = rules.length * accounts * runsPerDay;
    const evaluations = perRunEvaluations * accounts * runsPerDay;
    const monthlyInvocations = invocations * days;
    const monthlyGbS = gbSeconds * accounts * runsPerDay * days;
    const lambda =
      (monthlyInvocations * LAMBDA_PER_MILLION_REQUESTS) / 1_000_000 +
      monthlyGbS * LAMBDA_PER_GB_SECOND;
    const config = configCost(evaluations * days);
    const perDay = runsPerDay === 1 ? '' : ` × ${String(runsPerDay)}`;
    return {
      invocations: `${String(rules.length)} × ${String(accounts)}${perDay} = ${n(invocations)}`,
      evaluations: `(${String(accountRules.length)} + ${String(userRules.length * users)}) × ${String(accounts)}${perDay} = ${n(evaluations)}`,
      monthly: n(evaluations * days),
      config: config.text,
      lambda: `${n(monthlyInvocations)} requests, ${n(monthlyGbS)} GB-s ≈ **${usd(lambda)}**`,
      total: config.total + lambda,
      freeTier:
        monthlyInvocations <= LAMBDA_FREE_TIER.requests && monthlyGbS <= LAMBDA_FREE_TIER.gbSeconds,
    };
  };
  const daily = column(1);
  const hourly = column(24);
  const sizes = rules.map(
    (m) =>
      `${String(typicalDurationSeconds(m))} s for ${code(m.name)} at ${String(m.sizing.memoryMiB)} MB${isUserRule(m) ? ` with ${String(users)} users` : ''}`,
  );
  const freeTier =
    daily.freeTier && hourly.freeTier
      ? 'within the Lambda free tier in both cases if nothing else uses it'
      : daily.freeTier
        ? 'daily runs within the Lambda free tier if nothing else uses it'
        : 'beyond the Lambda free tier';
  return [
    pricesSentence(),
    '',
    `Per account and periodic run: **${String(rules.length)} invocations** (one per rule) and **${String(accountRules.length)} + ${u} evaluations** (one per account rule, and one per IAM user ${userRules.length === 1 ? 'for the user rule' : `for each of the ${String(userRules.length)} user rules`}, U users); plus, for each recorded change of an IAM user, one invocation and one evaluation per user rule, and a NOT_APPLICABLE evaluation per user deleted since the last run.`,
    '',
    `Worked example, **${String(accounts)} accounts × ${String(users)} IAM users**, ${String(days)}-day month, periodic runs only:`,
    '',
    table(
      ['', code('TwentyFour_Hours'), code('One_Hour')],
      [
        ['Invocations per day', daily.invocations, hourly.invocations],
        ['Evaluations per day', daily.evaluations, hourly.evaluations],
        ['Evaluations per month', daily.monthly, hourly.monthly],
        ['Config evaluations per month', daily.config, hourly.config],
        [`Lambda per month (≈ ${n(gbSeconds)} GB-s per account-run)`, daily.lambda, hourly.lambda],
      ],
    ),
    '',
    `(${n(gbSeconds)} GB-s per account-run is an assumption, not a measurement: the run times the concurrency sizing assumes (\`TYPICAL_DURATION_SECONDS\` in \`infra/settings.ts\`), ${sizes.join(', ')} (each function's memory from its metadata); ${freeTier}.) The periodic frequency dominates the bill: hourly runs cost about ${(hourly.total / daily.total).toFixed(1)}× daily ones for the same findings, since IAM changes also trigger the user rules immediately.`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// deploy: what the stacks deploy per rule (when it runs, how each function is sized)

function deployRegion(rules: readonly RuleMetadata[]): string {
  return table(
    ['Config rule', 'Security Hub', 'runs', 'function sizing', 'reads (IAM actions)'],
    rules.map((m) => [
      code(m.name),
      formatSecurityHub(m),
      m.changeTriggerTypes.length > 0
        ? `periodic + every change of ${m.changeTriggerTypes.map(code).join(', ')}`
        : 'periodic',
      `${m.sizing.timeoutSeconds} s, ${m.sizing.memoryMiB} MiB`,
      m.iamActions.map((action) => code(action.replace(/^iam:/, ''))).join(', '),
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// concurrency: what the organization stack reserves for the accounts it expects (infra/settings.ts)

const ORGANIZATION_SIZES = [20, 100, 1000, 5000] as const;

function concurrencyRegion(rules: readonly RuleMetadata[]): string {
  const userRule = rules.find(isUserRule);
  const accountRule = rules.find((m) => !isUserRule(m));
  const rows = ORGANIZATION_SIZES.map((accounts) => {
    const plan = reservationPlan(rules, { expectedAccounts: accounts });
    const cell = (rule: RuleMetadata | undefined) => {
      if (!rule) return '—';
      const copies = plan.perRule[rule.name] ?? 0;
      return `${String(copies)} (clears in ${n(clearingSeconds(rule, accounts, copies))} s)`;
    };
    return [
      n(accounts),
      cell(userRule),
      cell(accountRule),
      n(plan.total),
      `**${n(plan.quotaNeeded)}**`,
    ];
  });
  const users = rules.filter(isUserRule).length;
  return [
    `The account stack reserves **nothing** unless you set \`reservedConcurrency\`, so it deploys whatever the account's Lambda quota. The organization stack sizes each function's reservation from \`expectedAccounts\` (or the number of \`memberAccountIds\`, with the central account): enough copies to clear one invocation per account within ${n(CLEAR_WITHIN_SECONDS)} s (a twelfth of \`MaximumEventAge\`, ${n(ASYNC_MAX_EVENT_AGE_SECONDS)} s) at ${String(userRule ? typicalDurationSeconds(userRule) : 0)} s per user-rule run and ${String(accountRule ? typicalDurationSeconds(accountRule) : 0)} s per account-rule run (assumed, not measured on AWS); without either it reserves nothing and warns. The quota needed is the total plus the ${String(UNRESERVED_CONCURRENCY_MINIMUM)} Lambda keeps unreserved (plus what other functions reserve); the stack outputs it as \`LambdaConcurrencyQuotaNeeded\`.`,
    '',
    table(
      [
        'expected accounts',
        `each of the ${String(users)} user-rule functions`,
        `each of the ${String(rules.length - users)} account-rule functions`,
        `reserved in all (${String(rules.length)} functions)`,
        'Lambda quota needed',
      ],
      rows,
    ),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// organization roles: the central roles member accounts trust, and the execution role

function organizationRolesRegion(rules: readonly RuleMetadata[]): string {
  return [
    `- **${String(rules.length)} central functions**, one per rule, with fixed role names (${rules.map((m) => code(centralRoleName(m.name))).join(', ')}). Their roles may do one thing besides writing their logs: \`sts:AssumeRole\` on \`arn:<partition>:iam::*:role/<ExecutionRoleName>\`, only when the role belongs to the organization (\`aws:ResourceOrgID\`). Each \`AssumeRole\` passes a session policy with exactly that rule's actions, so a root rule's session cannot read the credential report or list users although the shared role may.`,
    `- **Execution role** ${code(DEFAULT_EXECUTION_ROLE_NAME)} (context \`executionRoleName\`) in every account of the target OUs, created by a service-managed StackSet (auto-deployment on, one Region: IAM roles are global). It may read exactly what the ${String(rules.length)} rules read (${[...new Set(rules.flatMap((m) => m.iamActions))].map((a) => code(a.replace(/^iam:/, ''))).join(', ')}) and call \`config:PutEvaluations\` and \`config:GetComplianceDetailsByConfigRule\`. It trusts the central account only for the ${String(rules.length)} central roles, matched by \`aws:PrincipalArn\` on their fixed names, and only for principals of the organization (\`aws:PrincipalOrgID\`).`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Security Hub: what the automation rules set (infra/operations.ts automationRuleProps)

function securityHubSeverityRegion(rules: readonly RuleMetadata[]): string {
  return table(
    ['rule', 'Security Hub control', 'automation rule', 'severity set on `FAILED` findings'],
    rules.map((m, i) => {
      const props = automationRuleProps(m, 100 + i);
      const actions = Array.isArray(props.actions) ? props.actions : [];
      const first = actions[0] as
        { findingFieldsUpdate?: { severity?: { label?: string } } } | undefined;
      const label = first?.findingFieldsUpdate?.severity?.label;
      if (typeof label !== 'string')
        throw new Error(`no severity in the automation rule of ${m.name}`);
      return [code(m.name), formatSecurityHub(m), code(props.ruleName), label];
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// runtime: the limits every run works within (rules/runtime, infra/settings.ts)

function runtimeFiguresRegion(): string {
  return table(
    ['what', 'value', 'set in'],
    [
      ['Lambda runtime (arm64)', code(LAMBDA_RUNTIME), '`infra/settings.ts` `LAMBDA_RUNTIME`'],
      [
        'esbuild target of the rule bundles',
        code(ESBUILD_TARGET),
        '`infra/settings.ts` `ESBUILD_TARGET`',
      ],
      [
        'attempts per AWS call (SDK adaptive retry mode, jittered backoff)',
        String(DEFAULT_MAX_ATTEMPTS),
        '`rules/runtime/clients.ts` `DEFAULT_MAX_ATTEMPTS`',
      ],
      [
        'time kept in reserve: every AWS call is aborted, and no read or send starts, after "time left minus" this',
        `${n(DEFAULT_RESERVE_MS / 1000)} s`,
        '`rules/runtime/deadline.ts` `DEFAULT_RESERVE_MS`',
      ],
      [
        'users checked live at a time',
        String(LIVE_CHECK_CONCURRENCY),
        '`rules/runtime/facts/users.ts` `DEFAULT_CONCURRENCY`',
      ],
      [
        'evaluations per `PutEvaluations`',
        String(BATCH_SIZE),
        '`rules/runtime/report.ts` `BATCH_SIZE`',
      ],
      [
        '`PutEvaluations` calls at a time',
        String(SEND_CONCURRENCY),
        '`rules/runtime/report.ts` `SEND_CONCURRENCY`',
      ],
      [
        'rounds of re-sending `FailedEvaluations`',
        String(FAILED_EVALUATION_ROUNDS),
        '`rules/runtime/report.ts` `FAILED_EVALUATION_ROUNDS`',
      ],
      [
        "Lambda's retries of a failed asynchronous invocation",
        String(ASYNC_MAX_RETRY_ATTEMPTS),
        '`infra/settings.ts` `ASYNC_MAX_RETRY_ATTEMPTS`',
      ],
      [
        'oldest event Lambda still delivers (`MaximumEventAge`)',
        `${n(ASYNC_MAX_EVENT_AGE_SECONDS)} s`,
        '`infra/settings.ts` `ASYNC_MAX_EVENT_AGE_SECONDS`',
      ],
    ],
  );
}

// ---------------------------------------------------------------------------------------------
// description: what an analyst reads in the Config console

function ruleDescriptionRegion(rules: readonly RuleMetadata[]): string {
  const first = rules[0];
  if (!first) throw new Error('the catalog holds no rule');
  const description = ruleDescription(first);
  const ids = description.slice(0, description.indexOf(']') + 1);
  return `Each rule's description in AWS Config starts with its CIS and Security Hub ids (${code(ids)} for ${code(first.name)}), which is what an analyst reads in the Config console.`;
}

/** Each rule's definition and decision rows, from its folder (rule.ts metadata, cases.ts rows). */
function ruleCasesRegion(rules: readonly RuleMetadata[]): string {
  return rules
    .map((m) => {
      const file = path.join(ROOT, 'rules', m.name, 'cases');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { cases } = require(file) as { cases: RuleCases };
      const rows = (cases.decisions ?? []).map((row) => [row.name, code(row.compliance)]);
      return [
        `### ${code(m.name)}: ${m.title}`,
        '',
        `${m.description} Severity ${m.severity}; resource ${m.resourceTypes.map(code).join(', ')}.`,
        '',
        `**Fix:** ${m.remediation}`,
        ...(rows.length > 0
          ? ['', table(['decision row (rules/' + m.name + '/cases.ts)', 'verdict'], rows)]
          : []),
      ].join('\n');
    })
    .join('\n\n');
}

// ---------------------------------------------------------------------------------------------
// docs/protection-scp.md and docs/exemption-registry.md (issue 18)

const EXAMPLE_SECURITY_ROLE = 'arn:aws:iam::*:role/SecurityExemptionAdmin';

interface ScpStatement {
  Sid: string;
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** Each statement of the protection SCPs: what it denies, on what, and to whom it leaves it. */
function protectionStatementsRegion(): string {
  const full = executionRoleProtectionScp({
    exemptionSource: 'both',
    securityPrincipalArns: [EXAMPLE_SECURITY_ROLE],
  }).Statement as ScpStatement[];
  const plain = configRulesProtectionScp().Statement as ScpStatement[];
  const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
  const exception = (s: ScpStatement): string => {
    const parts: string[] = [];
    for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
      for (const [key, values] of Object.entries(keys)) {
        parts.push(`${code(operator)} ${code(key)}: ${list(values).map(code).join(', ')}`);
      }
    }
    return parts.length ? parts.join('; ') : 'none: everyone in a member account';
  };
  const rows = [...full, ...plain.slice(1)].map((s) => [
    code(s.Sid),
    list(s.Action).map(code).join(', '),
    list(s.Resource).map(code).join(', '),
    exception(s),
  ]);
  return table(['statement', 'denies', 'on', 'condition (the deny applies when all hold)'], rows);
}

/**
 * The event path's calls and the rules each one re-evaluates (VERDICT_CHANGING_CALLS), grouped by
 * what they do.
 */
function iamEventsRegion(rules: readonly RuleMetadata[]): string {
  const names = (list: readonly string[]) => {
    if (list.length === 0) return 'none';
    const users = rules
      .filter((m) => m.resourceTypes.includes('AWS::IAM::User'))
      .map((m) => m.name);
    const roots = rules
      .filter((m) => m.resourceTypes.includes('AWS::::Account'))
      .map((m) => m.name);
    const parts: string[] = [];
    const rest = [...list];
    for (const [group, label] of [
      [users, 'every user rule'],
      [roots, 'every root rule'],
    ] as const) {
      if (group.length > 1 && group.every((name) => rest.includes(name))) {
        parts.push(label);
        for (const name of group) rest.splice(rest.indexOf(name), 1);
      }
    }
    return [...parts, ...rest.map(code)].join(', ');
  };
  const groups = new Map<string, { calls: string[]; cells: string[] }>();
  for (const [call, effect] of Object.entries(VERDICT_CHANGING_CALLS)) {
    const cells = [
      effect.tags
        ? 'with the exemption key (any case): every user rule; with the privilege key: `iam-user-hardware-mfa`; other keys: none'
        : names(effect.rules),
      effect.namesUser
        ? effect.withoutUser
          ? names(effect.withoutUser)
          : 'refused (to the dead-letter queue)'
        : '—',
      effect.namesUser && (effect.rules.length > 0 || effect.tags) ? 'yes' : '—',
    ];
    const key = cells.join('|');
    const group = groups.get(key) ?? { calls: [], cells };
    group.calls.push(call);
    groups.set(key, group);
  }
  return table(
    [
      'IAM call',
      'rules re-evaluated',
      'naming no user (the root user acting on itself)',
      'user read live next run',
    ],
    [...groups.values()].map((g) => [g.calls.map(code).join(', '), ...g.cells]),
  );
}

/** The largest protection SCP the generator makes, measured as AWS counts it through the API. */
function scpSizeRegion(): string {
  const largest = executionRoleProtectionScp({
    exemptionSource: 'both',
    securityPrincipalArns: [EXAMPLE_SECURITY_ROLE, 'arn:aws:iam::*:role/SecurityOperations'],
  });
  const indented = JSON.stringify(largest, null, 2).length;
  const compact = JSON.stringify(largest).length;
  const n = (value: number) => value.toLocaleString('en-US');
  return `The largest policy the generator makes (every statement: both forwardings, the exemption tag, two security roles) is ${n(indented)} characters indented as above and ${n(compact)} compact, under the 5,120-character SCP limit (\`test/infra/protection-scp.test.ts\` checks it). Through the API or CLI every character counts, white space included; the console strips it.`;
}

/** Who can do what with exemptions, from the code's own names and actions. */
function exemptionWhoRegion(): string {
  const write = REGISTRY_WRITE_ACTIONS.map(code).join(', ');
  const rows: string[][] = [
    [
      '**Registry writers** (`exemptionWriterArns`, context `exemptionWriterArns`)',
      `grant, change and revoke exemptions: ${write} on ${code(DEFAULT_EXEMPTION_TABLE)} (\`mfa-config-rules exemptions add/remove\` records the caller's ARN as \`grantedBy\`)`,
      `grant more than \`MaxExemptionDays\` (default ${String(DEFAULT_MAX_EXEMPTION_DAYS)}) ahead or a date in the past (the CLI refuses it; the rules refuse an entry too long or expired); cover a user re-created under the same name (entries name the user's id)`,
    ],
    [
      '**Everyone else in the central account**, administrators included',
      `read the registry if their IAM allows (${REGISTRY_LIST_ACTIONS.map(code).join(', ')}, ${REGISTRY_READ_ACTIONS.map(code).join(', ')})`,
      `write an entry when \`exemptionWriterArns\` is set: the table's resource policy denies ${write} to every other principal (an administrator able to change that resource policy, \`dynamodb:PutResourcePolicy\`, can undo it: keep that to the same people)`,
    ],
    [
      "**The user rules' functions** (central account)",
      `${REGISTRY_READ_ACTIONS.map(code).join(', ')} on the table and nothing else, with their own credentials (never a member's): one consistent Query per account and run`,
      'write or scan the registry; read it for the root rules (they get no access)',
    ],
    [
      '**Expiry**',
      'an entry ends at the end of its `until` day (UTC); the next run reports the user NON_COMPLIANT "exemption expired on …"; `exemptions list --expiring-within 14` and `report --aggregator` show what ends soon',
      'be extended by anyone but a writer',
    ],
    [
      '**A member-account administrator**, `ExemptionSource: registry` (organization default)',
      'tag their users `mfa-exemption`: the tag is read, ignored and named in the annotation ("found and ignored")',
      `exempt anyone; edit \`ExemptionSource\` on a plain Config rule (the function's environment fixes it, ${code(EXEMPTION_SOURCE_ENV)}: the run is refused and the function's error alarm fires centrally)`,
    ],
    [
      '**A member-account administrator**, `tags` or `both`',
      'exempt any of their users with the tag, **unless** the protection SCP is attached: it denies `iam:TagUser`, `iam:UntagUser` and `iam:CreateUser` with the exemption key (any case) to all but the named security roles',
      'with the SCP: write the tag, or create or change a role named like a security role',
    ],
    [
      "**The StackSet's `stacksets-exec-…` role**",
      'create, update and delete the execution role, the forwarding rule and its role (the SCP leaves these to it)',
      "be created, changed, assumed or passed by anyone in a member account (the SCP's first statement)",
    ],
  ];
  return table(['who', 'can', 'cannot'], rows);
}

const json = (value: unknown) => ['```json', JSON.stringify(value, null, 2), '```'].join('\n');

export const REGIONS: Record<string, (rules: readonly RuleMetadata[]) => string> = {
  rules: rulesRegion,
  deploy: deployRegion,
  controls: controlsRegion,
  'rule-parameters': ruleParametersRegion,
  'pack-parameters': packParametersRegion,
  'pack-cli': packCliRegion,
  cost: costRegion,
  concurrency: concurrencyRegion,
  'organization-roles': organizationRolesRegion,
  'security-hub-severity': securityHubSeverityRegion,
  'runtime-figures': runtimeFiguresRegion,
  'rule-description': ruleDescriptionRegion,
  'rule-cases': ruleCasesRegion,
  'execution-role-scp': () => json(executionRoleProtectionScp(DEFAULT_EXECUTION_ROLE_NAME)),
  'config-rules-scp': () => json(configRulesProtectionScp()),
  'protection-statements': protectionStatementsRegion,
  'scp-size': scpSizeRegion,
  'iam-events': iamEventsRegion,
  'exemption-who': exemptionWhoRegion,
};

/** The files that may hold regions, relative to `root`: README.md and every docs/*.md. */
export function docFiles(root: string = ROOT): string[] {
  const docs = path.join(root, 'docs');
  const inDocs = fs.existsSync(docs)
    ? fs
        .readdirSync(docs)
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => `docs/${name}`)
    : [];
  return ['README.md', ...inDocs];
}

const START = /<!-- ([a-z0-9-]+):start\b[^>]*-->/g;

export interface RenderedFile {
  /** Relative to the root, `/`-separated. */
  readonly file: string;
  readonly current: string;
  readonly wanted: string;
}

/**
 * Every file under `root` that holds a region, with its text as it is and as `npm run docs` would
 * write it (formatted as `prettier --write` would). Throws, naming the file, for a region the
 * generator does not know, a region held twice, a start without its end, and a region no file
 * holds (all of them, in one message).
 */
export async function renderDocs(
  root: string = ROOT,
  rules: readonly RuleMetadata[] = RULE_METADATA,
): Promise<RenderedFile[]> {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  const out: RenderedFile[] = [];
  // The repository's prettier settings, wherever the copy is (a copy under test).
  const options = (await prettier.resolveConfig(path.join(ROOT, 'README.md'))) ?? {};
  for (const file of docFiles(root)) {
    const current = fs.readFileSync(path.join(root, file), 'utf8');
    const names = [...current.matchAll(START)].map((match) => match[1] ?? '');
    if (names.length === 0) continue;
    let text = current;
    for (const name of names) {
      const render = REGIONS[name];
      const other = seen.get(name);
      const pattern = new RegExp(`(<!-- ${name}:start[^>]*-->)[\\s\\S]*?(<!-- ${name}:end -->)`);
      if (!render)
        problems.push(`${file} has a region ${name} that npm run docs does not generate`);
      else if (other !== undefined)
        problems.push(`the region ${name} is in ${other} and in ${file}`);
      else if (!pattern.test(text)) problems.push(`${file}: region ${name} has no end marker`);
      else {
        text = text.replace(
          pattern,
          (_match, start: string, end: string) => `${start}\n\n${render(rules)}\n\n${end}`,
        );
      }
      if (other === undefined) seen.set(name, file);
    }
    const wanted = await prettier.format(text, { ...options, filepath: path.join(root, file) });
    out.push({ file, current, wanted });
  }
  const missing = Object.keys(REGIONS).filter((name) => !seen.has(name));
  if (missing.length > 0) {
    problems.push(
      `no file holds the generated region${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (put its start and end markers in README.md or docs/*.md)`,
    );
  }
  // Every problem at once, on one line.
  if (problems.length > 0) throw new Error(problems.join('; '));
  return out;
}

async function main(argv: readonly string[]): Promise<number> {
  const check = argv.includes('--check');
  const at = argv.indexOf('--root');
  const root = at === -1 ? ROOT : path.resolve(argv[at + 1] ?? ROOT);
  const stale = (await renderDocs(root)).filter((f) => f.wanted !== f.current);
  if (stale.length === 0) return 0;
  if (check) {
    process.stderr.write(
      `${stale.map((f) => f.file).join(', ')}: generated regions differ from the code: run \`npm run docs\` and commit the result\n`,
    );
    return 1;
  }
  for (const f of stale) {
    fs.writeFileSync(path.join(root, f.file), f.wanted);
    process.stdout.write(`${f.file}: generated regions rewritten\n`);
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      process.stderr.write(`docs: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
