/**
 * Console password and MFA facts for IAM users, gathered at the API-call floor:
 *
 *   ListUsers + credential report + ListVirtualMFADevices (bulk, a handful of calls for 5,000 users),
 *   then per-user calls only where the bulk data cannot settle the verdict:
 *   - a user with no well-formed report row, or whose row belongs to an earlier user of the same
 *     name (creation time differs): GetLoginProfile + ListMFADevices;
 *   - a user the report flags (console password, no MFA) who has no virtual device assigned now:
 *     ListMFADevices, so a hardware or FIDO device added since the report counts at once.
 *
 * What stays stale until IAM regenerates the report (at most four hours): an MFA device removed, or
 * a console password added or removed, after the report was generated.
 */
import {
  GetLoginProfileCommand,
  GetUserCommand,
  ListMFADevicesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { DataLoadError, describeError, errorName } from '../errors';
import { iamMarker, pages } from '../pages';
import { mapPool } from '../pool';
import type { AwsClients } from '../clients';
import type { GatherContext, Scope } from '../types';
import { loadCredentialReport, type CredentialReport } from './credential-report';
import { listAssignedVirtualMfa, PAGE_SIZE } from './virtual-mfa';

/** Where a user's facts came from, so annotations can say how fresh the verdict is. */
export type Evidence = 'credential-report' | 'virtual-mfa' | 'live';

export interface UserFacts {
  userName: string;
  /** The unique id (`AIDA…`) AWS Config records IAM users by. */
  userId: string;
  arn: string;
  consolePassword: boolean;
  mfaActive: boolean;
  evidence: Evidence;
}

/** A user the event named who no longer exists (or whose name now belongs to another user). */
export interface DepartedUser {
  userId: string;
  userName: string | undefined;
  reason: string;
}

export interface UsersFacts {
  users: UserFacts[];
  departed: DepartedUser[];
  /** When the credential report used was generated (periodic runs). */
  reportGeneratedAt?: Date;
  /** Per-user calls made because bulk data could not settle a verdict. */
  liveChecks: number;
}

export const DEFAULT_CONCURRENCY = 8;

export async function gatherUsers(ctx: GatherContext, scope: Scope): Promise<UsersFacts> {
  return scope.kind === 'user' ? gatherOneUser(ctx.clients, scope) : gatherAllUsers(ctx);
}

async function gatherAllUsers(ctx: GatherContext): Promise<UsersFacts> {
  const tuning = ctx.tuning ?? {};
  // The first failure aborts the other reads and is thrown once all three have stopped: in Lambda,
  // reads left running would be frozen and resumed in a later invocation. Failures the abort
  // causes come later, so they are never the one reported.
  const abort = new AbortController();
  const { signal } = abort;
  let failure: { error: unknown } | undefined;
  const abortOthersOnFailure = <T>(read: Promise<T>) =>
    read.catch((error: unknown) => {
      failure ??= { error };
      abort.abort();
      throw error;
    });
  const reads = [
    abortOthersOnFailure(listAllUsers(ctx.clients, signal)),
    abortOthersOnFailure(
      loadCredentialReport(ctx.clients, {
        remainingMs: ctx.remainingMs,
        ...(tuning.pollIntervalMs !== undefined ? { pollIntervalMs: tuning.pollIntervalMs } : {}),
        ...(tuning.sleep ? { sleep: tuning.sleep } : {}),
        signal,
      }),
    ),
    abortOthersOnFailure(listAssignedVirtualMfa(ctx.clients, signal)),
  ] as const;
  await Promise.allSettled(reads);
  if (failure) throw failure.error;
  const [users, report, virtualMfa] = await Promise.all(reads);

  const settled: UserFacts[] = [];
  const needLive: { user: ListedUser; password?: boolean }[] = [];
  for (const user of users) {
    const row = matchingRow(report, user);
    if (!row) {
      needLive.push({ user });
    } else if (!row.passwordEnabled || row.mfaActive) {
      settled.push(facts(user, row.passwordEnabled, row.mfaActive, 'credential-report'));
    } else if (virtualMfa.has(user.Arn)) {
      settled.push(facts(user, true, true, 'virtual-mfa'));
    } else {
      needLive.push({ user, password: true });
    }
  }

  const checked = await mapPool(
    needLive,
    tuning.concurrency ?? DEFAULT_CONCURRENCY,
    ({ user, password }) => liveCheck(ctx.clients, user, password),
  );
  const departed: DepartedUser[] = [];
  for (const result of checked) {
    if ('reason' in result) departed.push(result);
    else settled.push(result);
  }
  return {
    users: settled,
    departed,
    reportGeneratedAt: report.generatedAt,
    liveChecks: needLive.length,
  };
}

interface ListedUser {
  UserName: string;
  UserId: string;
  Arn: string;
  CreateDate?: Date | undefined;
}

async function listAllUsers(clients: AwsClients, signal?: AbortSignal): Promise<ListedUser[]> {
  const users: ListedUser[] = [];
  try {
    const listing = pages(
      (marker) =>
        clients.iam.send(
          new ListUsersCommand({ MaxItems: PAGE_SIZE, ...(marker ? { Marker: marker } : {}) }),
          { abortSignal: signal },
        ),
      iamMarker,
      signal,
    );
    for await (const out of listing) {
      for (const user of out.Users ?? []) {
        if (!user.UserName || !user.UserId || !user.Arn) {
          throw new Error(`ListUsers returned a user without a name, id or ARN`);
        }
        users.push({
          UserName: user.UserName,
          UserId: user.UserId,
          Arn: user.Arn,
          CreateDate: user.CreateDate,
        });
      }
    }
  } catch (error) {
    throw new DataLoadError(`cannot list IAM users: ${describeError(error)}`);
  }
  return users;
}

/**
 * The report row for this very user: same ARN and the same creation time, else none. The report
 * has whole seconds while ListUsers may carry a fraction that a serializer rounds up, so the times
 * may differ by one second; a user deleted and recreated under the same name within that second
 * is the one case this cannot tell apart.
 */
function matchingRow(report: CredentialReport, user: ListedUser) {
  const row = report.rowsByArn.get(user.Arn);
  if (!row || !user.CreateDate) return undefined;
  const listed = user.CreateDate.getTime() / 1000;
  return Math.abs(row.createdAt - Math.floor(listed)) <= 1 ? row : undefined;
}

function facts(
  user: ListedUser,
  consolePassword: boolean,
  mfaActive: boolean,
  evidence: Evidence,
): UserFacts {
  return {
    userName: user.UserName,
    userId: user.UserId,
    arn: user.Arn,
    consolePassword,
    mfaActive,
    evidence,
  };
}

/**
 * Asks IAM about one user now. `password` is passed when the report already settled it (a console
 * password, as the report says), so only the MFA devices are read.
 */
async function liveCheck(
  clients: AwsClients,
  user: ListedUser,
  password?: boolean,
): Promise<UserFacts | DepartedUser> {
  try {
    const devices = await clients.iam.send(new ListMFADevicesCommand({ UserName: user.UserName }));
    const mfaActive = (devices.MFADevices ?? []).length > 0;
    const consolePassword = password ?? (await hasLoginProfile(clients, user.UserName));
    return facts(user, consolePassword, mfaActive, 'live');
  } catch (error) {
    // GetLoginProfile's NoSuchEntity is handled below, so this one is ListMFADevices': the user is gone.
    if (errorName(error) === 'NoSuchEntityException') {
      return {
        userId: user.UserId,
        userName: user.UserName,
        reason: 'deleted during the evaluation',
      };
    }
    if (error instanceof DataLoadError) throw error;
    throw new DataLoadError(
      `cannot read MFA devices of user ${user.UserName}: ${describeError(error)}`,
    );
  }
}

async function hasLoginProfile(clients: AwsClients, userName: string): Promise<boolean> {
  try {
    await clients.iam.send(new GetLoginProfileCommand({ UserName: userName }));
    return true;
  } catch (error) {
    // NoSuchEntity here means "no console password": the user itself was just listed by ListMFADevices.
    if (errorName(error) === 'NoSuchEntityException') return false;
    throw new DataLoadError(
      `cannot read the login profile of user ${userName}: ${describeError(error)}`,
    );
  }
}

/** Change notification: one user, read live (GetUser, ListMFADevices, GetLoginProfile). */
async function gatherOneUser(
  clients: AwsClients,
  scope: Extract<Scope, { kind: 'user' }>,
): Promise<UsersFacts> {
  const departed = (reason: string): UsersFacts => ({
    users: [],
    departed: [{ userId: scope.userId, userName: scope.userName, reason }],
    liveChecks: 1,
  });
  let user: ListedUser | undefined;
  try {
    if (scope.userName) {
      const out = await clients.iam.send(new GetUserCommand({ UserName: scope.userName }));
      if (out.User?.UserName && out.User.UserId && out.User.Arn) {
        user = { UserName: out.User.UserName, UserId: out.User.UserId, Arn: out.User.Arn };
      }
    } else {
      user = (await listAllUsers(clients)).find((candidate) => candidate.UserId === scope.userId);
    }
  } catch (error) {
    if (errorName(error) === 'NoSuchEntityException') return departed('no longer exists');
    throw new DataLoadError(
      `cannot read user ${scope.userName ?? scope.userId}: ${describeError(error)}`,
    );
  }
  if (!user) return departed('no longer exists');
  if (user.UserId !== scope.userId) {
    return departed(`no longer exists (the name now belongs to user ${user.UserId})`);
  }
  const result = await liveCheck(clients, user);
  return 'reason' in result
    ? departed(result.reason)
    : { users: [result], departed: [], liveChecks: 1 };
}
