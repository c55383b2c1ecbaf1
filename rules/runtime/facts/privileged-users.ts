/**
 * Privileged IAM users and their MFA devices, for iam-user-hardware-mfa, read at the call floor:
 *
 *   1. GetAccountAuthorizationDetails (Filter User + Group, pages of 1,000 entities): every user
 *      with its groups, attached managed policies and tags, and every group with its attached
 *      managed policies — a few calls for 5,000 users, instead of several per user;
 *   2. ListMFADevices, live, for privileged users only;
 *   3. GetMFADevice, live, for each FIDO device (`…:u2f/…`) of a privileged user, only when its
 *      certification decides the verdict: RequireCertifiedFido is on and no virtual or unknown
 *      device has already failed the user.
 *
 * A change notification reads the same way (the bulk read, then that one user's devices): it needs
 * no other IAM action, and it answers exactly as the next periodic run would. An account-wide read
 * costs one call per 1,000 users and groups; reading one user's groups and policies per user
 * (GetUser, ListGroupsForUser, ListAttachedUserPolicies, ListAttachedGroupPolicies per group) costs
 * 3 + one per group and four more IAM actions in every grant.
 *
 * Every fact is live, so the evidence time of a user is when the bulk read began (its oldest
 * fact); the devices' read time is kept too, for the annotation. Log lines and errors name users
 * by id (`AIDA…`), never by name.
 */
import { GetMFADeviceCommand, ListMFADevicesCommand } from '@aws-sdk/client-iam';
import { Deadline } from '../deadline';
import { DataLoadError, describeError, errorName } from '../errors';
import { iamMarker, pages } from '../pages';
import { mapPool } from '../pool';
import type { AwsClients } from '../clients';
import type { GatherContext, Scope } from '../types';
import { readAuthorizationDetails, type AuthorizationDetails } from './authorization-details';
import type { DepartedUser } from './users';

export const DEFAULT_CONCURRENCY = 8;

/** AWS's managed AdministratorAccess policy, in any partition (`arn:<partition>:iam::aws:…`). */
const ADMINISTRATOR_ACCESS = /^arn:[\w-]+:iam::aws:policy\/AdministratorAccess$/;

/** What makes a user privileged (several may hold at once; the annotation names the first). */
export type PrivilegePath =
  | { kind: 'administrator-access'; via?: string }
  | { kind: 'policy'; policyArn: string; via?: string }
  | { kind: 'tag'; tagKey: string };

/**
 * An MFA device by the form of its serial number (see rules/iam-user-hardware-mfa/rule.ts for
 * where AWS documents each form):
 * - `virtual`: an ARN with resource `mfa/…` (authenticator app);
 * - `fido`: an ARN with resource `u2f/…` (FIDO security key or passkey);
 * - `hardware`: not an ARN, a plain serial (hardware TOTP token, e.g. `GAHT12345678`);
 * - `unknown`: an ARN of any other form: never counted as hardware.
 */
export type DeviceKind = 'virtual' | 'fido' | 'hardware' | 'unknown';

export interface MfaDeviceFacts {
  serial: string;
  kind: DeviceKind;
  /**
   * FIDO devices whose certification was read (GetMFADevice): the certifications IAM reports
   * (empty: none). Absent: not read (not FIDO, or the verdict did not depend on it).
   */
  certifications?: Readonly<Record<string, string>>;
}

export interface PrivilegedUserFacts {
  userName: string;
  /** The unique id (`AIDA…`) AWS Config records IAM users by. */
  userId: string;
  arn: string;
  /** Empty: the user is not privileged. */
  privilege: PrivilegePath[];
  /** The user's tags, from the bulk read (exemption and privilege tags). */
  tags: ReadonlyMap<string, string>;
  /** When the bulk read (policies, groups, tags) began: the verdict's evidence time. */
  detailsAt: Date;
  /** Privileged users only: the MFA devices, listed live at `devicesAt`. */
  devices?: MfaDeviceFacts[];
  devicesAt?: Date;
}

export interface PrivilegedUsersFacts {
  users: PrivilegedUserFacts[];
  departed: DepartedUser[];
  detailsAt: Date;
}

export interface PrivilegeSettings {
  /** Policy ARNs besides AdministratorAccess that make a user privileged. */
  privilegedPolicyArns: readonly string[];
  /** Tag key whose value `true` makes a user privileged; undefined: off. */
  privilegedTagKey: string | undefined;
  /** A FIDO device counts only with a certification: read it (GetMFADevice) when it decides. */
  requireCertifiedFido: boolean;
}

/** The kind of a device, from its serial number's form. */
export function deviceKind(serial: string): DeviceKind {
  const arn = /^arn:[\w-]+:iam::\d{12}:([^/]+)\//.exec(serial);
  if (!arn) return serial.startsWith('arn:') ? 'unknown' : 'hardware';
  switch (arn[1]) {
    case 'mfa':
      return 'virtual';
    case 'u2f':
      return 'fido';
    default:
      return 'unknown';
  }
}

/** A FIDO device's certification decides the verdict only if no other device fails the user. */
export function needsCertification(devices: readonly MfaDeviceFacts[]): boolean {
  return (
    devices.some((device) => device.kind === 'fido') &&
    !devices.some((device) => device.kind === 'virtual' || device.kind === 'unknown')
  );
}

export async function gatherPrivilegedUsers(
  ctx: GatherContext,
  scope: Scope,
  settings: PrivilegeSettings,
): Promise<PrivilegedUsersFacts> {
  const deadline = ctx.deadline ?? new Deadline(ctx.remainingMs);
  try {
    const detailsAt = new Date();
    const details = await readAuthorizationDetails(
      ctx.clients,
      deadline,
      ['User', 'Group'],
      'IAM users and groups (GetAccountAuthorizationDetails)',
    );
    const all = usersWithPrivilege(details, settings, detailsAt);
    let inScope = all;
    const departed: DepartedUser[] = [];
    if (scope.kind === 'user') {
      const same = all.find((user) => user.userId === scope.userId);
      inScope = same ? [same] : [];
      if (!same) {
        const byName = scope.userName
          ? all.find((user) => user.userName === scope.userName)
          : undefined;
        departed.push({
          userId: scope.userId,
          userName: scope.userName,
          reason: byName
            ? `no longer exists (the name now belongs to user ${byName.userId})`
            : 'no longer exists',
          at: detailsAt,
        });
      }
    }
    const privileged = inScope.filter((user) => user.privilege.length > 0);
    const read = await mapPool(privileged, ctx.tuning?.concurrency ?? DEFAULT_CONCURRENCY, (user) =>
      readDevices(ctx.clients, user, settings, deadline),
    );
    const withDevices = new Map<string, PrivilegedUserFacts>();
    for (const result of read) {
      if ('reason' in result) departed.push(result);
      else withDevices.set(result.userId, result);
    }
    const users: PrivilegedUserFacts[] = [];
    for (const user of inScope) {
      if (user.privilege.length === 0) users.push(user);
      else {
        const read = withDevices.get(user.userId);
        if (read) users.push(read);
      }
    }
    return { users, departed, detailsAt };
  } catch (error) {
    throw deadline.explain(error);
  } finally {
    if (!ctx.deadline) deadline.dispose();
  }
}

/** Each user with what makes it privileged, from the bulk read (pure). */
export function usersWithPrivilege(
  details: AuthorizationDetails,
  settings: Pick<PrivilegeSettings, 'privilegedPolicyArns' | 'privilegedTagKey'>,
  detailsAt: Date,
): PrivilegedUserFacts[] {
  const groupPolicies = new Map<string, string[]>();
  for (const group of details.groups) {
    if (!group.GroupName) throw new DataLoadError('IAM returned a group without a name');
    groupPolicies.set(
      group.GroupName,
      (group.AttachedManagedPolicies ?? []).flatMap((policy) =>
        policy.PolicyArn ? [policy.PolicyArn] : [],
      ),
    );
  }
  const listed = new Set(settings.privilegedPolicyArns);
  const pathOf = (policyArn: string, via?: string): PrivilegePath | undefined => {
    const through = via === undefined ? {} : { via };
    if (ADMINISTRATOR_ACCESS.test(policyArn)) return { kind: 'administrator-access', ...through };
    if (listed.has(policyArn)) return { kind: 'policy', policyArn, ...through };
    return undefined;
  };
  return details.users.map((user) => {
    if (!user.UserName || !user.UserId || !user.Arn) {
      throw new DataLoadError('IAM returned a user without a name, id or ARN');
    }
    const privilege: PrivilegePath[] = [];
    for (const policy of user.AttachedManagedPolicies ?? []) {
      const path = policy.PolicyArn ? pathOf(policy.PolicyArn) : undefined;
      if (path) privilege.push(path);
    }
    for (const group of user.GroupList ?? []) {
      const attached = groupPolicies.get(group);
      if (!attached) {
        throw new DataLoadError(
          `user ${user.UserId} is in group ${group}, which GetAccountAuthorizationDetails did not return`,
        );
      }
      for (const policyArn of attached) {
        const path = pathOf(policyArn, group);
        if (path) privilege.push(path);
      }
    }
    const tags = new Map((user.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
    const tagKey = settings.privilegedTagKey;
    if (tagKey !== undefined && tags.get(tagKey)?.trim().toLowerCase() === 'true') {
      privilege.push({ kind: 'tag', tagKey });
    }
    // AdministratorAccess first, then direct before group: the annotation names the first.
    privilege.sort((a, b) => rank(a) - rank(b));
    return {
      userName: user.UserName,
      userId: user.UserId,
      arn: user.Arn,
      privilege,
      tags,
      detailsAt,
    };
  });
}

function rank(path: PrivilegePath): number {
  const base = path.kind === 'administrator-access' ? 0 : path.kind === 'policy' ? 2 : 4;
  return base + ('via' in path && path.via !== undefined ? 1 : 0);
}

/**
 * ListMFADevices for one privileged user (all pages), then GetMFADevice for each FIDO device when
 * its certification decides. NoSuchEntity from ListMFADevices: the user was deleted meanwhile
 * (departed). From GetMFADevice: the user or that key went away since the listing, so the user is
 * read again once (a removed key must not leave a stale verdict, nor fail the whole run).
 */
async function readDevices(
  clients: AwsClients,
  user: PrivilegedUserFacts,
  settings: PrivilegeSettings,
  deadline: Deadline,
  attempt = 1,
): Promise<PrivilegedUserFacts | DepartedUser> {
  deadline.check();
  const at = new Date();
  const departed = (): DepartedUser => ({
    userId: user.userId,
    userName: user.userName,
    reason: 'was deleted during the evaluation',
    at,
  });
  const devices: MfaDeviceFacts[] = [];
  try {
    const listing = pages(
      (marker) => {
        deadline.check();
        return clients.iam.send(
          new ListMFADevicesCommand({
            UserName: user.userName,
            ...(marker ? { Marker: marker } : {}),
          }),
          { abortSignal: deadline.signal },
        );
      },
      iamMarker,
      deadline.signal,
    );
    for await (const page of listing) {
      for (const device of page.MFADevices ?? []) {
        if (!device.SerialNumber)
          throw new Error('ListMFADevices returned a device without serial');
        devices.push({ serial: device.SerialNumber, kind: deviceKind(device.SerialNumber) });
      }
    }
  } catch (error) {
    if (errorName(error) === 'NoSuchEntityException') return departed();
    if (deadline.expired()) throw deadline.explain(error);
    throw new DataLoadError(
      `cannot list the MFA devices of user ${user.userId}: ${describeError(error)}`,
    );
  }
  if (settings.requireCertifiedFido && needsCertification(devices)) {
    for (const device of devices) {
      if (device.kind !== 'fido') continue;
      deadline.check();
      try {
        const out = await clients.iam.send(
          new GetMFADeviceCommand({ UserName: user.userName, SerialNumber: device.serial }),
          { abortSignal: deadline.signal },
        );
        device.certifications = { ...(out.Certifications ?? {}) };
      } catch (error) {
        if (errorName(error) === 'NoSuchEntityException' && attempt === 1) {
          return readDevices(clients, user, settings, deadline, attempt + 1);
        }
        if (deadline.expired()) throw deadline.explain(error);
        throw new DataLoadError(
          `cannot read MFA device certifications of user ${user.userId}: ${describeError(error)}`,
        );
      }
    }
  }
  return { ...user, devices, devicesAt: at };
}
