/**
 * Console password and MFA facts for IAM users, gathered at the API-call floor:
 *
 *   ListUsers + credential report + ListVirtualMFADevices (bulk, a handful of calls for 5,000 users),
 *   then per-user calls only where the bulk data cannot settle the verdict, each a live check of
 *   the facts the rule reads (GetLoginProfile if the rule reads the console password, then
 *   ListMFADevices):
 *   - a user with no well-formed report row, or whose row belongs to another user of the same name
 *     (the creation second differs);
 *   - a user the rule's `needsLiveCheck` picks from the bulk facts (both rules: a user the bulk data
 *     would make NON_COMPLIANT), so an MFA device added or a console password deleted since the
 *     report counts at once;
 *   - a user the report shows with MFA but who has no virtual device assigned now (so either a
 *     hardware or FIDO device, or a virtual device removed since the report), when MFA decides the
 *     rule's verdict for that user (`mfaMatters`): ListMFADevices alone ("live-mfa"); only if it
 *     finds no device is the user checked live whole, so a removed virtual device is a finding on
 *     the next run whatever the report's age;
 *   - a user the change log (runtime/freshness, issue 22) records as changed by an IAM call since
 *     the report was generated (minus a margin for clock skew): checked live whole;
 *   - a user whose verdict on record (periodic runs) is newer than the report and differs from what
 *     the report says: a fresher verdict is never replaced by older evidence.
 *   Last, the exemption tag (runtime/exemptions.ts) of each user still NON_COMPLIANT, when
 *   exemptions are on, and of no one else (facts/exemption-tags.ts).
 *
 * Every fact carries the time it describes: the report's GeneratedTime, or the moment the live
 * reads began. What stays stale until IAM regenerates the report (at most four hours), for a user
 * the report does not flag, no newer verdict contradicts and no change-log entry names (the event
 * path is off, `freshness: 'schedule'`, or its events are late): a hardware or FIDO device removed
 * while another stays, or a console password added, after the report was generated.
 *
 * Log lines and error messages name users by their unique id (AIDA…), never by name.
 */
import {
  GetLoginProfileCommand,
  GetUserCommand,
  ListMFADevicesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { Deadline } from '../deadline';
import { DataLoadError, describeError, errorName } from '../errors';
import type { ExemptionTag } from '../exemptions';
import { iamMarker, pages } from '../pages';
import { allOrAbort, mapPool } from '../pool';
import type { AwsClients } from '../clients';
import type {
  ComplianceType,
  EvidenceSource,
  GatherContext,
  RecordedEvaluation,
  Scope,
  UserChange,
} from '../types';
import { loadCredentialReport, type CredentialReport } from './credential-report';
import { readExemptionTags } from './exemption-tags';
import { listAssignedVirtualMfa, PAGE_SIZE } from './virtual-mfa';

/**
 * Where a user's facts came from: both from the credential report; the password from the report
 * and the MFA from a virtual device assigned now; or both read live.
 */
export type Evidence = EvidenceSource;

/** Why a user was checked live instead of settled by the bulk reads. */
export type LiveReason =
  | 'no-matching-row'
  | 'flagged'
  | 'newer-verdict-on-record'
  | 'change-notification'
  /** The report shows MFA, no virtual device is assigned now, and ListMFADevices found none. */
  | 'report-mfa-gone'
  /** The change log names the user: an IAM call changed it after the report was generated. */
  | 'changed-since-report';

export interface UserFacts {
  userName: string;
  /** The unique id (`AIDA…`) AWS Config records IAM users by. */
  userId: string;
  arn: string;
  /**
   * Whether the user has a console password; undefined when the rule does not read it and it was
   * read live (rules that do not read it never look at it).
   */
  consolePassword: boolean | undefined;
  /** When IAM created the user (ListUsers / GetUser CreateDate): where a grace period starts. */
  userCreatedAt?: Date;
  mfaActive: boolean;
  /** The user's exemption tag, read only for users still NON_COMPLIANT (runtime/exemptions.ts). */
  exemptionTag: ExemptionTag;
  evidence: Evidence;
  /**
   * The time the oldest fact describes: the report's GeneratedTime when any fact is the report's,
   * else the moment the live reads began.
   */
  evidenceAt: Date;
  /** Set when the facts were read live. */
  checkedLiveBecause?: LiveReason;
}

/** A user the event named who no longer exists (or whose name now belongs to another user). */
export interface DepartedUser {
  userId: string;
  userName: string | undefined;
  reason: string;
  /** When IAM said so. */
  at: Date;
}

export interface UsersFacts {
  users: UserFacts[];
  departed: DepartedUser[];
  /** When the credential report used was generated (periodic runs). */
  reportGeneratedAt?: Date;
  /** Users checked live (per-user calls) because bulk data could not settle their verdict. */
  liveChecks: number;
  /**
   * Users the report shows with MFA and no virtual device assigned now whose devices were listed
   * live (one ListMFADevices each; those found without a device count in `liveChecks` too).
   */
  mfaConfirmations?: number;
  /** Users checked live because the change log named them (counted in `liveChecks` too). */
  changedSinceReport?: number;
  /** Of those, users whose verdict on record was newer than the report and disagreed with it. */
  newerOnRecord: number;
  /** Users whose exemption tag was read: those the rule made NON_COMPLIANT. */
  tagReads: number;
  /** Whether they were read in bulk (GetAccountAuthorizationDetails) rather than per user. */
  tagReadsInBulk?: boolean;
}

export const DEFAULT_CONCURRENCY = 8;
const USER_TYPE = 'AWS::IAM::User';

/**
 * What a user rule declares to the shared reads: its verdict, which users the bulk data cannot
 * settle for it, which facts its live check reads, and its exemption tag. Nothing here assumes
 * the console rule.
 */
export interface UserCheck {
  /**
   * The rule's verdict on a user's facts, before any exemption. A periodic run compares it with
   * the verdict on record, to find the users whose newer verdict the report must not undo, and
   * reads the exemption tag of the users it makes NON_COMPLIANT.
   */
  verdict: (facts: UserFacts) => ComplianceType;
  /**
   * Which users, settled by the bulk reads (credential report + virtual devices assigned now), must
   * still be checked live. Every rule here: those the bulk facts would make NON_COMPLIANT, so a
   * finding never rests on a report up to four hours old.
   */
  needsLiveCheck: (bulk: UserFacts) => boolean;
  /**
   * Whether the user's MFA decides the verdict, on the bulk facts (console rule: the user has a
   * console password; all-users rule: always). For these users an MFA the report shows but no
   * virtual device assigned now explains is confirmed with ListMFADevices.
   */
  mfaMatters: (bulk: UserFacts) => boolean;
  /** Whether the live check reads the console password (GetLoginProfile) as well as MFA. */
  readsConsolePassword: boolean;
  /** The exemption tag to read for users still NON_COMPLIANT; undefined: exemptions off. */
  exemptionTagKey: string | undefined;
  /**
   * Whether many tag reads may be replaced by GetAccountAuthorizationDetails pages (the rule then
   * lists `iam:GetAccountAuthorizationDetails` in its actions); see facts/exemption-tags.ts.
   */
  bulkTagReads: boolean;
}

export async function gatherUsers(
  ctx: GatherContext,
  scope: Scope,
  check: UserCheck,
): Promise<UsersFacts> {
  const deadline = ctx.deadline ?? new Deadline(ctx.remainingMs);
  const directory = new UserDirectory(ctx.clients, deadline);
  try {
    const facts =
      scope.kind === 'user'
        ? await gatherOneUser(ctx.clients, scope, deadline, check, directory)
        : await gatherAllUsers(ctx, deadline, check, directory);
    return await withExemptionTags(ctx, facts, check, deadline, directory);
  } finally {
    if (!ctx.deadline) deadline.dispose();
  }
}

/**
 * Users by id, from one fresh ListUsers listing made only when a read by name found no such user
 * (IAM names users in its per-user APIs; a user renamed since it was listed is not gone), and then
 * once per invocation.
 */
class UserDirectory {
  private byId: Promise<Map<string, ListedUser>> | undefined;

  constructor(
    private readonly clients: AwsClients,
    private readonly deadline: Deadline,
  ) {}

  async find(userId: string): Promise<ListedUser | undefined> {
    this.byId ??= listAllUsers(this.clients, this.deadline.signal, this.deadline).then(
      (users) => new Map(users.map((user) => [user.UserId, user])),
    );
    return (await this.byId).get(userId);
  }
}

/**
 * Reads the exemption tag of each user the rule makes NON_COMPLIANT, and of no one else: an
 * exemption changes only a NON_COMPLIANT verdict (facts/exemption-tags.ts: per user, or in bulk
 * where the rule allows it and that is fewer calls). A user deleted since is departed.
 */
async function withExemptionTags(
  ctx: GatherContext,
  facts: UsersFacts,
  check: UserCheck,
  deadline: Deadline,
  directory: UserDirectory,
): Promise<UsersFacts> {
  const key = check.exemptionTagKey;
  if (key === undefined) return facts;
  const unread = facts.users.filter(
    (user) => !user.exemptionTag.read && check.verdict(user) === 'NON_COMPLIANT',
  );
  if (unread.length === 0) return facts;
  const read = await readExemptionTags(ctx, unread, key, deadline, {
    bulkAllowed: check.bulkTagReads,
    accountUsers: facts.users.length + facts.departed.length,
    concurrency: ctx.tuning?.concurrency ?? DEFAULT_CONCURRENCY,
  });
  const users: UserFacts[] = [];
  const departed = [...facts.departed];
  for (const user of facts.users) {
    let tag = read.tags.get(user.userId);
    let current = user;
    if (tag === 'deleted') {
      // Asked by name: renamed since it was listed, or gone. By id, a renamed user's tags are
      // read again under its new name (once).
      const now = await directory.find(user.userId);
      if (now && now.UserName !== user.userName) {
        current = { ...user, userName: now.UserName, arn: now.Arn };
        const again = await readExemptionTags(
          ctx,
          [{ userId: now.UserId, userName: now.UserName }],
          key,
          deadline,
          { bulkAllowed: false, accountUsers: 1, concurrency: 1 },
        );
        tag = again.tags.get(user.userId);
      }
    }
    if (tag === 'deleted' || (tag === undefined && current !== user)) {
      departed.push({
        userId: user.userId,
        userName: user.userName,
        reason: 'was deleted during the evaluation',
        at: read.at,
      });
    } else {
      users.push(tag ? { ...current, exemptionTag: tag } : current);
    }
  }
  return { ...facts, users, departed, tagReads: unread.length, tagReadsInBulk: read.inBulk };
}

async function gatherAllUsers(
  ctx: GatherContext,
  deadline: Deadline,
  check: UserCheck,
  directory: UserDirectory,
): Promise<UsersFacts> {
  const tuning = ctx.tuning ?? {};
  // The first failure aborts the other reads and is thrown once all four have stopped: in Lambda,
  // reads left running would be frozen and resumed in a later invocation. The deadline aborts
  // them all too.
  let bulk: [ListedUser[], CredentialReport, Map<string, string[]>, readonly UserChange[]];
  try {
    bulk = await allOrAbort<
      [ListedUser[], CredentialReport, Map<string, string[]>, readonly UserChange[]]
    >(deadline.signal, [
      (signal) => listAllUsers(ctx.clients, signal, deadline),
      (signal) =>
        loadCredentialReport(ctx.clients, {
          remainingMs: ctx.remainingMs,
          ...(tuning.pollIntervalMs !== undefined ? { pollIntervalMs: tuning.pollIntervalMs } : {}),
          ...(tuning.sleep ? { sleep: tuning.sleep } : {}),
          signal,
        }),
      (signal) => listAssignedVirtualMfa(ctx.clients, signal),
      (signal) => readChangeLog(ctx, signal),
    ]);
  } catch (error) {
    throw deadline.explain(error);
  }
  const [users, report, virtualMfa, changes] = bulk;
  const changed = changedSince(changes, report.generatedAt);
  const settled: UserFacts[] = [];
  const needLive: { user: ListedUser; because: LiveReason }[] = [];
  const confirmMfa: { user: ListedUser; bulk: UserFacts }[] = [];
  const fromReport: UserFacts[] = [];
  let changedSinceReport = 0;
  for (const user of users) {
    const row = matchingRow(report, user);
    if (!row) {
      needLive.push({ user, because: 'no-matching-row' });
      continue;
    }
    if (changed.names.has(user.UserName) || changed.ids.has(user.UserId)) {
      needLive.push({ user, because: 'changed-since-report' });
      changedSinceReport += 1;
      continue;
    }
    const bulk =
      !row.mfaActive && virtualMfa.has(user.Arn)
        ? facts(user, row.passwordEnabled, true, 'virtual-mfa', report)
        : facts(user, row.passwordEnabled, row.mfaActive, 'credential-report', report);
    if (check.needsLiveCheck(bulk)) needLive.push({ user, because: 'flagged' });
    else if (row.mfaActive && !virtualMfa.has(user.Arn) && check.mfaMatters(bulk)) {
      // The report's MFA is a hardware or FIDO device, or a virtual device removed since.
      confirmMfa.push({ user, bulk });
    } else fromReport.push(bulk);
  }

  // The users the report cannot settle are checked while the verdicts on record are still being
  // read; only the report's verdicts wait for them, to be compared.
  const concurrency = tuning.concurrency ?? DEFAULT_CONCURRENCY;
  const live = ({ user, because }: { user: ListedUser; because: LiveReason }) =>
    liveCheck(ctx.clients, user, because, deadline, check.readsConsolePassword, directory);
  const confirm = async ({
    user,
    bulk,
  }: {
    user: ListedUser;
    bulk: UserFacts;
  }): Promise<{ confirmed: UserFacts } | { checked: UserFacts | DepartedUser }> => {
    const devices = await countMfaDevices(ctx.clients, user, deadline);
    // No device (or no user by that name any more): the whole live check decides, as for a user
    // the report flags, so the finding rests on no fact from the report.
    if (devices === 0 || devices === 'no-such-user') {
      return { checked: await live({ user, because: 'report-mfa-gone' }) };
    }
    return { confirmed: { ...bulk, evidence: 'live-mfa' } };
  };
  // One pool for both kinds of per-user read: IAM's request rate is the account's, not the pool's.
  type Job =
    { live: { user: ListedUser; because: LiveReason } } | { confirm: (typeof confirmMfa)[0] };
  const jobs: Job[] = [
    ...needLive.map((job) => ({ live: job })),
    ...confirmMfa.map((job) => ({ confirm: job })),
  ];
  const [firstReads, onRecord] = await Promise.allSettled([
    mapPool(jobs, concurrency, async (job) =>
      'live' in job ? { checked: await live(job.live) } : confirm(job.confirm),
    ),
    ctx.recorded ?? Promise.resolve([]),
  ]);
  if (firstReads.status === 'rejected') throw deadline.explain(firstReads.reason);
  if (onRecord.status === 'rejected') throw deadline.explain(onRecord.reason);
  const firstChecks: (UserFacts | DepartedUser)[] = [];
  let gone = 0;
  for (const result of firstReads.value) {
    if ('confirmed' in result) fromReport.push(result.confirmed);
    else firstChecks.push(result.checked);
  }
  gone = firstChecks.length - needLive.length;
  const recorded = recordedUsers(onRecord.value);
  const listedById = new Map(users.map((user) => [user.UserId, user]));
  const newer: { user: ListedUser; because: LiveReason }[] = [];
  for (const candidate of fromReport) {
    const user = listedById.get(candidate.userId);
    if (user && newerAndDifferent(recorded.get(candidate.userId), candidate, check.verdict)) {
      newer.push({ user, because: 'newer-verdict-on-record' });
    } else {
      settled.push(candidate);
    }
  }
  const checked = [...firstChecks, ...(await mapPool(newer, concurrency, live))];

  const departed: DepartedUser[] = [];
  for (const result of checked) {
    if ('reason' in result) departed.push(result);
    else settled.push(result);
  }
  return {
    users: settled,
    departed,
    reportGeneratedAt: report.generatedAt,
    liveChecks: needLive.length + gone + newer.length,
    newerOnRecord: newer.length,
    mfaConfirmations: confirmMfa.length,
    changedSinceReport,
    tagReads: 0,
  };
}

/**
 * How far before the report's GeneratedTime a change still counts as newer than the report: the
 * report may have been built from IAM's state a little before the time it carries, and CloudTrail's
 * eventTime comes from another clock.
 */
export const CHANGE_MARGIN_MS = 5 * 60_000;

/** The change log's entries for the account; none when the event path is off. */
async function readChangeLog(
  ctx: GatherContext,
  signal: AbortSignal,
): Promise<readonly UserChange[]> {
  if (!ctx.changeLog) return [];
  try {
    return await ctx.changeLog.changes(ctx.accountId, signal);
  } catch (error) {
    // Fail closed: without the log, a user changed since the report could keep the report's verdict.
    throw new DataLoadError(
      `cannot read the change log of the event path: ${describeError(error)}`,
    );
  }
}

/** Names and ids of the users changed at or after `reportAt` minus the margin. */
function changedSince(
  changes: readonly UserChange[],
  reportAt: Date,
): { names: Set<string>; ids: Set<string> } {
  const names = new Set<string>();
  const ids = new Set<string>();
  const from = reportAt.getTime() - CHANGE_MARGIN_MS;
  for (const change of changes) {
    if (change.at.getTime() < from) continue;
    if (change.userName) names.add(change.userName);
    if (change.userId) ids.add(change.userId);
  }
  return { names, ids };
}

/** ListMFADevices for one user: how many devices, or that no user has that name any more. */
async function countMfaDevices(
  clients: AwsClients,
  user: ListedUser,
  deadline: Deadline,
): Promise<number | 'no-such-user'> {
  deadline.check();
  try {
    const out = await clients.iam.send(new ListMFADevicesCommand({ UserName: user.UserName }), {
      abortSignal: deadline.signal,
    });
    return (out.MFADevices ?? []).length;
  } catch (error) {
    if (errorName(error) === 'NoSuchEntityException') return 'no-such-user';
    if (deadline.expired()) throw deadline.explain(error);
    throw new DataLoadError(
      `cannot read the MFA devices of user ${user.UserId}: ${describeError(error)}`,
    );
  }
}

/** The rule's recorded user verdicts by user id. */
function recordedUsers(recorded: readonly RecordedEvaluation[]): Map<string, RecordedEvaluation> {
  const byId = new Map<string, RecordedEvaluation>();
  for (const result of recorded) {
    if (result.resourceType === USER_TYPE) byId.set(result.resourceId, result);
  }
  return byId;
}

/**
 * A verdict on record that rests on newer evidence than `candidate` and says something else. The
 * evidence time of a recorded verdict is its OrderingTimestamp (this runtime sends the time of the
 * evidence there); without one, the time Config recorded it; without either, it counts as newer.
 */
function newerAndDifferent(
  onRecord: RecordedEvaluation | undefined,
  candidate: UserFacts,
  verdictOf: UserCheck['verdict'],
): boolean {
  if (!onRecord || onRecord.compliance === verdictOf(candidate)) return false;
  const recordedEvidence = (onRecord.orderingAt ?? onRecord.recordedAt)?.getTime();
  return recordedEvidence === undefined || recordedEvidence > candidate.evidenceAt.getTime();
}

interface ListedUser {
  UserName: string;
  UserId: string;
  Arn: string;
  CreateDate?: Date | undefined;
}

/** When the user was created, when IAM said (undefined: no grace can start). */
function createdAt(user: ListedUser): Date | undefined {
  return user.CreateDate && !Number.isNaN(user.CreateDate.getTime()) ? user.CreateDate : undefined;
}

async function listAllUsers(
  clients: AwsClients,
  signal: AbortSignal,
  deadline: Deadline,
): Promise<ListedUser[]> {
  const users: ListedUser[] = [];
  try {
    const listing = pages(
      (marker) => {
        deadline.check();
        return clients.iam.send(
          new ListUsersCommand({ MaxItems: PAGE_SIZE, ...(marker ? { Marker: marker } : {}) }),
          { abortSignal: signal },
        );
      },
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
    if (deadline.expired()) throw deadline.explain(error);
    throw new DataLoadError(`cannot list IAM users: ${describeError(error)}`);
  }
  return users;
}

/**
 * The report row for this very user: the same ARN and the same creation second, else none. IAM
 * gives both times in whole seconds; ListUsers may carry a fraction a serializer rounded, which
 * moves it by less than a second, never by one or more. A user deleted and recreated under the
 * same name one second later or more is another user: checked live, never given the old row.
 */
function matchingRow(report: CredentialReport, user: ListedUser) {
  const row = report.rowsByArn.get(user.Arn);
  if (!row || !user.CreateDate) return undefined;
  const listedSeconds = user.CreateDate.getTime() / 1000;
  return Math.abs(listedSeconds - row.createdAt) < 1 ? row : undefined;
}

function facts(
  user: ListedUser,
  consolePassword: boolean | undefined,
  mfaActive: boolean,
  evidence: Evidence,
  from: CredentialReport | Date,
  checkedLiveBecause?: LiveReason,
): UserFacts {
  const userCreatedAt = createdAt(user);
  return {
    userName: user.UserName,
    userId: user.UserId,
    arn: user.Arn,
    consolePassword,
    ...(userCreatedAt ? { userCreatedAt } : {}),
    mfaActive,
    exemptionTag: { read: false },
    evidence,
    evidenceAt: from instanceof Date ? from : from.generatedAt,
    ...(checkedLiveBecause ? { checkedLiveBecause } : {}),
  };
}

/**
 * Asks IAM about one user now: GetLoginProfile (when the rule reads the console password), then
 * ListMFADevices. GetLoginProfile's NoSuchEntity means "no console password" or "no such user";
 * ListMFADevices, asked after it, tells them apart: it succeeds only if the user still exists, and
 * fails with NoSuchEntity if no user has that name any more. Then the user is looked up by id: one
 * renamed meanwhile is read again, whole, under its new name (once); only a user IAM no longer has
 * by id is departed, never a user without a password.
 */
async function liveCheck(
  clients: AwsClients,
  user: ListedUser,
  because: LiveReason,
  deadline: Deadline,
  readsConsolePassword: boolean,
  directory: UserDirectory,
  attempt = 1,
): Promise<UserFacts | DepartedUser> {
  deadline.check();
  const at = new Date();
  const options = { abortSignal: deadline.signal };
  let consolePassword: boolean | undefined;
  if (readsConsolePassword) {
    try {
      await clients.iam.send(new GetLoginProfileCommand({ UserName: user.UserName }), options);
      consolePassword = true;
    } catch (error) {
      if (errorName(error) !== 'NoSuchEntityException') {
        if (deadline.expired()) throw deadline.explain(error);
        throw new DataLoadError(
          `cannot read the login profile of user ${user.UserId}: ${describeError(error)}`,
        );
      }
      consolePassword = false;
    }
  }
  let mfaActive: boolean;
  try {
    const devices = await clients.iam.send(
      new ListMFADevicesCommand({ UserName: user.UserName }),
      options,
    );
    mfaActive = (devices.MFADevices ?? []).length > 0;
  } catch (error) {
    if (errorName(error) === 'NoSuchEntityException') {
      const now = attempt === 1 ? await directory.find(user.UserId) : undefined;
      if (now && now.UserName !== user.UserName) {
        return liveCheck(
          clients,
          now,
          because,
          deadline,
          readsConsolePassword,
          directory,
          attempt + 1,
        );
      }
      return {
        userId: user.UserId,
        userName: user.UserName,
        reason: 'was deleted during the evaluation',
        at,
      };
    }
    if (deadline.expired()) throw deadline.explain(error);
    throw new DataLoadError(
      `cannot read the MFA devices of user ${user.UserId}: ${describeError(error)}`,
    );
  }
  return facts(user, consolePassword, mfaActive, 'live', at, because);
}

/**
 * Change notification, whatever the item's status (OK, ResourceDeleted, ResourceNotRecorded, …) or
 * scope: one user, found by its id (`AIDA…`, the item's resourceId), read live (GetLoginProfile,
 * ListMFADevices), so it gets the verdict the next periodic run gives. The item's name is a hint:
 * GetUser by that name answers when it still names the same id; otherwise (renamed since the item
 * was captured, or the name re-used by another user) ListUsers finds the id under its name now. A
 * user IAM no longer has by id is departed (NOT_APPLICABLE), as the periodic run's clean-up
 * reports it.
 */
async function gatherOneUser(
  clients: AwsClients,
  scope: Extract<Scope, { kind: 'user' }>,
  deadline: Deadline,
  check: UserCheck,
  directory: UserDirectory,
): Promise<UsersFacts> {
  const at = new Date();
  const departed = (reason: string): UsersFacts => ({
    users: [],
    departed: [{ userId: scope.userId, userName: scope.userName, reason, at }],
    liveChecks: 1,
    newerOnRecord: 0,
    tagReads: 0,
  });
  let byName: ListedUser | undefined;
  let user: ListedUser | undefined;
  try {
    deadline.check();
    if (scope.userName) {
      try {
        const out = await clients.iam.send(new GetUserCommand({ UserName: scope.userName }), {
          abortSignal: deadline.signal,
        });
        if (out.User?.UserName && out.User.UserId && out.User.Arn) {
          byName = {
            UserName: out.User.UserName,
            UserId: out.User.UserId,
            Arn: out.User.Arn,
            CreateDate: out.User.CreateDate,
          };
        }
      } catch (error) {
        if (errorName(error) !== 'NoSuchEntityException') throw error;
      }
    }
    user = byName?.UserId === scope.userId ? byName : await directory.find(scope.userId);
  } catch (error) {
    if (deadline.expired()) throw deadline.explain(error);
    if (error instanceof DataLoadError) throw error;
    throw new DataLoadError(`cannot read user ${scope.userId}: ${describeError(error)}`);
  }
  if (!user) {
    return departed(
      byName
        ? `no longer exists (the name now belongs to user ${byName.UserId})`
        : 'no longer exists',
    );
  }
  const result = await liveCheck(
    clients,
    user,
    'change-notification',
    deadline,
    check.readsConsolePassword,
    directory,
  );
  return 'reason' in result
    ? { users: [], departed: [result], liveChecks: 1, newerOnRecord: 0, tagReads: 0 }
    : { users: [result], departed: [], liveChecks: 1, newerOnRecord: 0, tagReads: 0 };
}

/**
 * What {@link gatherUsers} calls for a check: the credential report, the user list, the live
 * devices, the user itself, tags one by one, and, as the check declares, the console password and
 * the bulk tag pages. A rule declares `iamActions: userReads(check)` and its grant follows.
 */
export function userReads(
  check: Pick<UserCheck, 'readsConsolePassword' | 'bulkTagReads'>,
): string[] {
  return [
    'iam:ListUsers',
    'iam:GenerateCredentialReport',
    'iam:GetCredentialReport',
    'iam:ListVirtualMFADevices',
    'iam:ListMFADevices',
    ...(check.readsConsolePassword ? ['iam:GetLoginProfile'] : []),
    'iam:GetUser',
    'iam:ListUserTags',
    ...(check.bulkTagReads ? ['iam:GetAccountAuthorizationDetails'] : []),
  ];
}
