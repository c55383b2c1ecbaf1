/**
 * `mfa-config-rules exemptions add|remove|list`: the central exemption registry
 * (rules/runtime/exemption-registry.ts) from the command line, with the caller's credentials (the
 * table's resource policy decides who may write: infra/exemption-registry.ts). Every input is
 * checked before any AWS call; a bad one is one line on stderr and exit 2, and nothing is written.
 *
 * Users are named by their unique id (`AIDA…`), what findings and reports show: a user re-created
 * under the same name has a new id and is never covered by the old entry. `--user NAME` is looked
 * up where it can be resolved (an aggregator's resource inventory, or IAM when the caller's
 * credentials belong to the account) and otherwise refused.
 */
import {
  ConfigServiceClient,
  SelectAggregateResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { GetUserCommand } from '@aws-sdk/client-iam';
import { findRule, RULE_METADATA } from '../rules/catalog';
import {
  DataLoadError,
  describeError,
  errorName,
  InvalidInputError,
} from '../rules/runtime/errors';
import {
  ACCOUNT_ID,
  ALL_USER_RULES,
  checkEntry,
  DEFAULT_EXEMPTION_TABLE,
  isCalendarDay,
  USER_ID,
  type RegistryEntry,
  type RegistryItem,
} from '../rules/runtime/exemption-registry';
import { DEFAULT_MAX_EXEMPTION_DAYS, isoDay, startOfDayUtc } from '../rules/runtime/exemptions';
import { clientProvider } from './aws';
import { EXIT, type Io } from './context';
import { csvField } from './csv';
import { deleteEntry, putEntry, scanEntries } from './exemption-store';
import type { AwsOptions } from './options';
import { textTable } from './text-table';

const DAY_MS = 86_400_000;

export interface ExemptionTargetOptions extends AwsOptions {
  table?: string;
  account?: string;
  userId?: string;
  user?: string;
  aggregator?: string;
  rule?: string[];
}

export interface AddOptions extends ExemptionTargetOptions {
  until?: string;
  reason?: string;
  maxDays?: string;
}

export interface ListOptions extends AwsOptions {
  table?: string;
  account?: string;
  expiringWithin?: string;
  output: 'table' | 'json' | 'csv';
}

/** The user rules, by name; `all` or `*` for every one of them. */
export function userRuleNames(): string[] {
  return RULE_METADATA.filter((rule) => rule.resourceTypes.includes('AWS::IAM::User')).map(
    (rule) => rule.name,
  );
}

/** `--rule` values: user rule names, or `all` / `*` (one entry for every user rule). */
export function checkRules(values: readonly string[] | undefined): string[] {
  const users = userRuleNames();
  if (!values || values.length === 0) {
    throw new InvalidInputError(`--rule is required: a user rule (${users.join(', ')}) or all`);
  }
  const out = new Set<string>();
  for (const value of values) {
    const name = value.trim();
    if (name === 'all' || name === ALL_USER_RULES) {
      out.add(ALL_USER_RULES);
      continue;
    }
    const rule = findRule(name);
    if (!rule) {
      throw new InvalidInputError(
        `--rule: unknown rule '${name}' (exemptions cover ${users.join(', ')}, or all)`,
      );
    }
    if (!users.includes(name)) {
      throw new InvalidInputError(
        `--rule: ${name} evaluates the account's root user, which no exemption covers (exemptions cover ${users.join(', ')}, or all)`,
      );
    }
    out.add(name);
  }
  return [...out];
}

export function checkAccount(value: string | undefined): string {
  if (value === undefined) throw new InvalidInputError('--account is required (a 12-digit id)');
  if (!ACCOUNT_ID.test(value)) {
    throw new InvalidInputError(`--account '${value}' is not a 12-digit AWS account id`);
  }
  return value;
}

/** `--user-id` or `--user`, exactly one; an id must look like IAM's. */
function checkUserChoice(options: ExemptionTargetOptions): { id: string } | { name: string } {
  if (options.userId !== undefined && options.user !== undefined) {
    throw new InvalidInputError('give --user-id or --user, not both');
  }
  if (options.userId !== undefined) {
    if (!USER_ID.test(options.userId)) {
      throw new InvalidInputError(
        `--user-id '${options.userId}' is not an IAM user id (AIDA and 17 letters or digits, as findings show it); to name the user, give --user NAME`,
      );
    }
    return { id: options.userId };
  }
  if (options.user !== undefined && options.user.trim() !== '') return { name: options.user };
  throw new InvalidInputError('give --user-id AIDA… (as findings show it) or --user NAME');
}

/** `--until`: a calendar day, today or later (UTC), at most `maxDays` ahead. */
export function checkUntil(value: string | undefined, maxDays: number, now: Date): string {
  if (value === undefined) throw new InvalidInputError('--until is required (YYYY-MM-DD, UTC)');
  if (!isCalendarDay(value)) {
    throw new InvalidInputError(`--until '${value}' is not a calendar day (YYYY-MM-DD)`);
  }
  const today = startOfDayUtc(now);
  const ahead = Math.round((Date.parse(`${value}T00:00:00Z`) - today.getTime()) / DAY_MS);
  if (ahead < 0) {
    throw new InvalidInputError(`--until ${value} is in the past (today is ${isoDay(today)} UTC)`);
  }
  if (ahead > maxDays) {
    throw new InvalidInputError(
      `--until ${value} is ${ahead} days ahead, more than the ${maxDays} allowed (--max-days, the rules' MaxExemptionDays)`,
    );
  }
  return value;
}

function checkMaxDays(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_EXEMPTION_DAYS;
  const days = Number(value);
  if (!/^\d{1,4}$/.test(value) || days < 1 || days > 3650) {
    throw new InvalidInputError('--max-days must be a whole number from 1 to 3650');
  }
  return days;
}

function checkReason(value: string | undefined): string {
  const reason = value?.replace(/\s+/g, ' ').trim() ?? '';
  if (!reason) throw new InvalidInputError('--reason is required and may not be empty');
  return reason;
}

function tableOf(options: { table?: string }): string {
  return options.table ?? DEFAULT_EXEMPTION_TABLE;
}

/** Escapes a value for the Config advanced query language's single-quoted strings. */
function quoted(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The id of user `name` in `account`: through the aggregator's resource inventory, or IAM when the
 * caller's credentials belong to that account; otherwise refused.
 */
async function resolveUser(
  options: ExemptionTargetOptions,
  name: string,
  account: string,
): Promise<string> {
  const provider = clientProvider(options);
  if (options.aggregator) {
    const config = new ConfigServiceClient({
      ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
      ...(options.region ? { region: options.region } : {}),
    });
    const out = await config.send(
      new SelectAggregateResourceConfigCommand({
        ConfigurationAggregatorName: options.aggregator,
        Expression: `SELECT resourceId WHERE resourceType = 'AWS::IAM::User' AND resourceName = ${quoted(name)} AND accountId = ${quoted(account)}`,
      }),
    );
    const ids = (out.Results ?? []).map(
      (row) => (JSON.parse(row) as { resourceId?: string }).resourceId ?? '',
    );
    const found = ids.filter((id) => USER_ID.test(id));
    if (found.length !== 1) {
      throw new InvalidInputError(
        `cannot resolve user '${name}' in account ${account} through aggregator ${options.aggregator} (${found.length} matches): give --user-id AIDA…`,
      );
    }
    return found[0] ?? '';
  }
  const access = await provider.forAccount(undefined);
  if (access.identity.accountId !== account) {
    throw new InvalidInputError(
      `cannot resolve user '${name}': the credentials belong to account ${access.identity.accountId}, not ${account}; give --aggregator NAME or --user-id AIDA…`,
    );
  }
  try {
    const out = await access.clients.iam.send(new GetUserCommand({ UserName: name }));
    const id = out.User?.UserId ?? '';
    if (!USER_ID.test(id)) throw new DataLoadError(`IAM returned no user id for '${name}'`);
    return id;
  } catch (error) {
    if (errorName(error) === 'NoSuchEntityException') {
      throw new InvalidInputError(`no IAM user '${name}' in account ${account}`);
    }
    throw error;
  }
}

/** `exemptions add`: checks everything, resolves the user, writes one entry per rule. */
export async function runAdd(
  options: AddOptions,
  io: Io,
  now: () => Date = () => new Date(),
): Promise<number> {
  const account = checkAccount(options.account);
  const user = checkUserChoice(options);
  const rules = checkRules(options.rule);
  const maxDays = checkMaxDays(options.maxDays);
  const until = checkUntil(options.until, maxDays, now());
  const reason = checkReason(options.reason);
  const userId = 'id' in user ? user.id : await resolveUser(options, user.name, account);
  const provider = clientProvider(options);
  const caller = await provider.callerIdentity();
  const table = tableOf(options);
  for (const rule of rules) {
    const entry: RegistryEntry = {
      accountId: account,
      userId,
      rule,
      until,
      reason,
      grantedBy: caller.arn,
      grantedAt: now().toISOString(),
    };
    await writeOrExplain(() => putEntry(provider.ownDynamoDb, table, entry), table);
    io.stdout(
      `exempt: account ${account} user ${userId} rule ${rule === ALL_USER_RULES ? 'all user rules' : rule} until ${until} (end of day UTC), granted by ${caller.arn}\n`,
    );
  }
  return EXIT.OK;
}

async function writeOrExplain<T>(write: () => Promise<T>, table: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const name = errorName(error) ?? '';
    if (name === 'ResourceNotFoundException') {
      throw new InvalidInputError(
        `no exemption registry table '${table}' here (check --table, --region and the account: the registry lives in the central account)`,
      );
    }
    if (name.includes('AccessDenied')) {
      throw new InvalidInputError(
        `not allowed to change the exemption registry ${table}: only its named writers may (${describeError(error)})`,
      );
    }
    throw error;
  }
}

/** `exemptions remove`: the entry for the user id and each rule; a missing one is an error. */
export async function runRemove(options: ExemptionTargetOptions, io: Io): Promise<number> {
  const account = checkAccount(options.account);
  const user = checkUserChoice(options);
  const rules = checkRules(options.rule);
  const userId = 'id' in user ? user.id : await resolveUser(options, user.name, account);
  const provider = clientProvider(options);
  const table = tableOf(options);
  for (const rule of rules) {
    const removed = await writeOrExplain(
      () => deleteEntry(provider.ownDynamoDb, table, { accountId: account, userId, rule }),
      table,
    );
    if (!removed) {
      throw new InvalidInputError(
        `no exemption for user ${userId} in account ${account} and rule ${rule} (see exemptions list)`,
      );
    }
    io.stdout(`removed: account ${account} user ${userId} rule ${rule}\n`);
  }
  return EXIT.OK;
}

export interface ListedEntry extends RegistryEntry {
  /** `active` (today or later) or `expired`. */
  status: 'active' | 'expired';
  /** Days from today (UTC) to its last day; negative once expired. */
  daysLeft: number;
}

/** Entries with their status, soonest to end first. */
export function listed(items: readonly RegistryItem[], now: Date): ListedEntry[] {
  const today = startOfDayUtc(now).getTime();
  return items
    .filter((item): item is Extract<RegistryItem, { ok: true }> => item.ok)
    .map(({ entry }): ListedEntry => {
      const daysLeft = Math.round((Date.parse(`${entry.until}T00:00:00Z`) - today) / DAY_MS);
      return { ...entry, status: daysLeft < 0 ? 'expired' : 'active', daysLeft };
    })
    .sort(
      (a, b) =>
        a.daysLeft - b.daysLeft ||
        a.accountId.localeCompare(b.accountId) ||
        a.userId.localeCompare(b.userId) ||
        a.rule.localeCompare(b.rule),
    );
}

export const LIST_FIELDS = [
  'accountId',
  'userId',
  'rule',
  'until',
  'status',
  'daysLeft',
  'reason',
  'grantedBy',
  'grantedAt',
] as const;

export function formatEntries(entries: readonly ListedEntry[], output: ListOptions['output']) {
  if (output === 'json') {
    return `${JSON.stringify(
      entries.map((e) => Object.fromEntries(LIST_FIELDS.map((f) => [f, e[f]]))),
      null,
      2,
    )}\n`;
  }
  if (output === 'csv') {
    const lines = [LIST_FIELDS.join(',')];
    for (const e of entries) {
      lines.push(
        LIST_FIELDS.map((f) => csvField(String(e[f]), f === 'reason' || f === 'grantedBy')).join(
          ',',
        ),
      );
    }
    return `${lines.join('\r\n')}\r\n`;
  }
  if (entries.length === 0) return 'No exemption to list.\n';
  return `${textTable(
    ['account', 'user id', 'rule', 'until', 'status', 'reason', 'granted by'],
    entries.map((e) => [
      e.accountId,
      e.userId,
      e.rule === ALL_USER_RULES ? 'all' : e.rule,
      e.until,
      e.status === 'active' ? `${e.daysLeft} day(s) left` : 'expired',
      e.reason,
      e.grantedBy,
    ]),
  )}\n${entries.length} exemption(s)\n`;
}

/** `exemptions list`: every entry (or one account's), soonest to end first. */
export async function runList(
  options: ListOptions,
  io: Io,
  now: () => Date = () => new Date(),
): Promise<number> {
  const account = options.account === undefined ? undefined : checkAccount(options.account);
  let within: number | undefined;
  if (options.expiringWithin !== undefined) {
    within = Number(options.expiringWithin);
    if (!/^\d{1,4}$/.test(options.expiringWithin) || within > 3650) {
      throw new InvalidInputError('--expiring-within must be a whole number of days (0 to 3650)');
    }
  }
  const provider = clientProvider(options);
  const table = tableOf(options);
  const items = await writeOrExplain(() => scanEntries(provider.ownDynamoDb, table), table);
  const entries = listed(items, now()).filter(
    (e) =>
      (account === undefined || e.accountId === account) &&
      (within === undefined || (e.status === 'active' && e.daysLeft <= within)),
  );
  io.stdout(formatEntries(entries, options.output));
  return EXIT.OK;
}

/**
 * `evaluate --exemptions FILE`: the registry's fields as a JSON array or CSV (a header row with
 * accountId, userId, rule, until, reason and optionally grantedBy, grantedAt). Any entry that
 * does not check is refused with its row; nothing is evaluated.
 */
export function parseExemptionsFile(text: string, path: string): RegistryItem[] {
  let rows: unknown[];
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      throw new InvalidInputError(`--exemptions ${path}: not valid JSON`);
    }
    if (!Array.isArray(value)) {
      throw new InvalidInputError(`--exemptions ${path}: expected a JSON array of entries`);
    }
    rows = value as unknown[];
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- only for a CSV file
    const { parse } = require('csv-parse/sync') as typeof import('csv-parse/sync');
    try {
      rows = parse<Record<string, unknown>>(trimmed, {
        columns: true,
        skip_empty_lines: true,
        trim: true,
      });
    } catch (error) {
      throw new InvalidInputError(`--exemptions ${path}: not valid CSV (${describeError(error)})`);
    }
  }
  return rows.map((row, index) => {
    if (typeof row !== 'object' || row === null) {
      throw new InvalidInputError(`--exemptions ${path}: entry ${index + 1} is not an object`);
    }
    const item = checkEntry(row as Record<string, unknown>);
    if (!item.ok) {
      throw new InvalidInputError(`--exemptions ${path}: entry ${index + 1}: ${item.problem}`);
    }
    if (item.entry.rule !== ALL_USER_RULES && !userRuleNames().includes(item.entry.rule)) {
      throw new InvalidInputError(
        `--exemptions ${path}: entry ${index + 1}: rule '${item.entry.rule}' is not a user rule (${userRuleNames().join(', ')}, or *)`,
      );
    }
    return item;
  });
}
