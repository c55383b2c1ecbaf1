/**
 * The IAM credential report: one bulk read that says, for every user, whether a console password
 * and an MFA device were present when the report was generated (IAM regenerates it at most every
 * four hours). Rows are parsed with a real CSV parser; a row whose shape is off is never guessed at:
 * it is left out, and the user it belongs to is checked live instead.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { GenerateCredentialReportCommand } from '@aws-sdk/client-iam';
import { parse } from 'csv-parse/sync';
import { DataLoadError, DeadlineError, describeError, errorName } from '../errors';
import type { AwsClients } from '../clients';
import { getCredentialReportCommand } from './report-download';

export interface ReportRow {
  user: string;
  arn: string;
  /** `user_creation_time`, whole seconds since the epoch. */
  createdAt: number;
  passwordEnabled: boolean;
  mfaActive: boolean;
}

export interface CredentialReport {
  generatedAt: Date;
  /** Well-formed rows of IAM users, by user ARN. The `<root_account>` row is never a user. */
  rowsByArn: Map<string, ReportRow>;
  /** Rows left out because their shape or values were off. */
  malformedRows: number;
}

export interface ReportOptions {
  remainingMs: () => number;
  /** How long to wait between polls while IAM generates the report. */
  pollIntervalMs?: number;
  /** Stop polling when fewer than this many milliseconds remain. */
  reserveMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Stops the polling, the wait between polls included, and any call in flight. */
  signal?: AbortSignal;
}

const REQUIRED_COLUMNS = ['user', 'arn', 'user_creation_time', 'password_enabled', 'mfa_active'];
const ROOT_ROW = '<root_account>';
/** LimitExceeded from GenerateCredentialReport is retried this many times before the run fails. */
const LIMIT_EXCEEDED_RETRIES = 3;

/** Generates (when IAM's copy is missing or stale) and downloads the report, waiting while it is built. */
export async function loadCredentialReport(
  clients: AwsClients,
  options: ReportOptions,
): Promise<CredentialReport> {
  const pollMs = options.pollIntervalMs ?? 1000;
  const reserveMs = options.reserveMs ?? 10_000;
  const { signal } = options;
  const sleep = options.sleep ?? ((ms: number) => delay(ms, undefined, { signal }));
  const wait = async (why: string) => {
    if (options.remainingMs() - pollMs < reserveMs) {
      throw new DeadlineError(
        `gave up waiting for the IAM credential report (${why}): not enough time left`,
      );
    }
    signal?.throwIfAborted();
    await sleep(pollMs);
    // An injected sleep does not know the signal.
    signal?.throwIfAborted();
  };

  let limitRetries = 0;
  let generate = true;
  for (;;) {
    try {
      if (generate) {
        const out = await clients.iam.send(new GenerateCredentialReportCommand({}), {
          abortSignal: signal,
        });
        if (out.State !== 'COMPLETE') {
          await wait(`state ${out.State ?? 'unknown'}`);
          continue;
        }
        generate = false;
      }
      const out = await clients.iam.send(getCredentialReportCommand(), { abortSignal: signal });
      if (!out.Content || !out.GeneratedTime) {
        throw new Error('GetCredentialReport returned no content');
      }
      return parseCredentialReport(out.Content, out.GeneratedTime);
    } catch (error) {
      const name = errorName(error);
      if (name === 'CredentialReportNotReadyException') {
        await wait('in progress');
      } else if (
        name === 'CredentialReportNotPresentException' ||
        name === 'CredentialReportExpiredException'
      ) {
        generate = true;
        await wait(name);
      } else if (name === 'LimitExceededException' && limitRetries < LIMIT_EXCEEDED_RETRIES) {
        limitRetries += 1;
        await wait('LimitExceeded');
      } else if (error instanceof DeadlineError) {
        throw error;
      } else {
        throw new DataLoadError(`cannot load the IAM credential report: ${describeError(error)}`);
      }
    }
  }
}

/** Parses report bytes. Throws when the header lacks a column the rules rely on. */
export function parseCredentialReport(
  content: Uint8Array | string,
  generatedAt: Date,
): CredentialReport {
  const text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
  const records: string[][] = parse(text, {
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    bom: true,
  });
  const header = records[0] ?? [];
  const missing = REQUIRED_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length > 0) {
    throw new DataLoadError(`the credential report lacks column(s) ${missing.join(', ')}`);
  }
  const at = (name: string) => header.indexOf(name);
  const [iUser, iArn, iCreated, iPassword, iMfa] = REQUIRED_COLUMNS.map(at) as [
    number,
    number,
    number,
    number,
    number,
  ];

  const rowsByArn = new Map<string, ReportRow>();
  const rowsPerArn = new Map<string, number>();
  let malformedRows = 0;
  for (const record of records.slice(1)) {
    if (record[iUser] === ROOT_ROW) continue;
    const row =
      record.length === header.length
        ? readRow(record, iUser, iArn, iCreated, iPassword, iMfa)
        : undefined;
    if (!row) {
      malformedRows += 1;
      continue;
    }
    rowsPerArn.set(row.arn, (rowsPerArn.get(row.arn) ?? 0) + 1);
    rowsByArn.set(row.arn, row);
  }
  // Two rows for one ARN cannot both be right: leave both out so the user is checked live.
  for (const [arn, count] of rowsPerArn) {
    if (count > 1) {
      rowsByArn.delete(arn);
      malformedRows += count;
    }
  }
  return { generatedAt, rowsByArn, malformedRows };
}

const BOOLEAN: Record<string, boolean> = { true: true, false: false };

function readRow(
  record: string[],
  iUser: number,
  iArn: number,
  iCreated: number,
  iPassword: number,
  iMfa: number,
): ReportRow | undefined {
  const user = record[iUser] ?? '';
  const arn = record[iArn] ?? '';
  const created = Date.parse(record[iCreated] ?? '');
  const passwordEnabled = BOOLEAN[record[iPassword] ?? ''];
  const mfaActive = BOOLEAN[record[iMfa] ?? ''];
  const arnMatchesUser = /^arn:[a-z-]+:iam::\d{12}:user\//.test(arn) && arn.endsWith(`/${user}`);
  if (
    !user ||
    !arnMatchesUser ||
    Number.isNaN(created) ||
    passwordEnabled === undefined ||
    mfaActive === undefined
  ) {
    return undefined;
  }
  return { user, arn, createdAt: Math.floor(created / 1000), passwordEnabled, mfaActive };
}
