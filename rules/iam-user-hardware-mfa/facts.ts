/**
 * Privileged IAM users and their MFA devices, for iam-user-hardware-mfa, read at the call floor:
 *
 *   1. GetAccountAuthorizationDetails (Filter User, Group, Role, LocalManagedPolicy,
 *      AWSManagedPolicy; pages of 1,000 entities): every user with its inline policies, groups,
 *      attached managed policies, boundary and tags; every group with its policies; every role
 *      with its trust and permissions; every managed policy with its versions — a few calls for
 *      5,000 users, and all privilege.ts needs to decide who is privileged, with no per-user call;
 *   2. ListMFADevices, live, for privileged users only;
 *   3. GetMFADevice, live, for each FIDO device (`…:u2f/…`) of a privileged user, only when its
 *      certification decides the verdict: RequireCertifiedFido is on and no virtual or unknown
 *      device has already failed the user.
 *
 * A change notification reads the same way (the bulk read, then that one user's devices), finding
 * its user by id (`AIDA…`), never by the name the item carries: it needs no other IAM action, and
 * it answers exactly as the next periodic run would.
 *
 * Every fact is live, so the evidence time of a user is when the bulk read began (its oldest
 * fact); the devices' read time is kept too, for the annotation. Log lines and errors name users
 * by id (`AIDA…`), never by name.
 */
import type { EntityType } from '@aws-sdk/client-iam';
import { GetMFADeviceCommand, ListMFADevicesCommand } from '@aws-sdk/client-iam';
import { Deadline } from '../runtime/deadline';
import { DataLoadError, describeError, errorName } from '../runtime/errors';
import { iamMarker, pages } from '../runtime/pages';
import { mapPool } from '../runtime/pool';
import type { AwsClients } from '../runtime/clients';
import type { GatherContext, Scope } from '../runtime/types';
import { readAuthorizationDetails } from '../runtime/facts/authorization-details';
import type { DepartedUser } from '../runtime/facts/users';
import { usersWithPrivilege, type PrivilegeSettings, type UserPrivilege } from './privilege';

/** What the bulk read asks for: everything privilege.ts evaluates. */
export const DETAILS_FILTER: readonly EntityType[] = [
  'User',
  'Group',
  'Role',
  'LocalManagedPolicy',
  'AWSManagedPolicy',
];

export const DEFAULT_CONCURRENCY = 8;

/**
 * An MFA device by the form of its serial number (see rules/iam-user-hardware-mfa/rule.ts for
 * where AWS documents each form):
 * - `virtual`: an IAM ARN with resource `mfa/…` (authenticator app);
 * - `fido`: an IAM ARN with resource `u2f/…` (FIDO security key or passkey);
 * - `hardware`: a plain serial of letters and digits, 9 characters or more (IAM's minimum for a
 *   SerialNumber), e.g. `GAHT12345678` (hardware TOTP token);
 * - `unknown`: anything else — another ARN form, `ARN:…` in another case, a serial with other
 *   characters: never counted as hardware (fail closed).
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

export interface PrivilegedUserFacts extends UserPrivilege {
  /** When the bulk read (policies, groups, roles, tags) began: the verdict's evidence time. */
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

export interface HardwareSettings extends PrivilegeSettings {
  /** A FIDO device counts only with a certification: read it (GetMFADevice) when it decides. */
  requireCertifiedFido: boolean;
}

const DEVICE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:(mfa|u2f)\/[\w+=,.@/-]+$/;
const HARDWARE_SERIAL = /^[A-Za-z0-9]{9,256}$/;

/** The kind of a device, from its serial number's form (anything not recognised: `unknown`). */
export function deviceKind(serial: string): DeviceKind {
  const arn = DEVICE_ARN.exec(serial);
  if (arn) return arn[1] === 'mfa' ? 'virtual' : 'fido';
  return HARDWARE_SERIAL.test(serial) ? 'hardware' : 'unknown';
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
  settings: HardwareSettings,
): Promise<PrivilegedUsersFacts> {
  const deadline = ctx.deadline ?? new Deadline(ctx.remainingMs);
  try {
    const detailsAt = new Date();
    const details = await readAuthorizationDetails(
      ctx.clients,
      deadline,
      DETAILS_FILTER,
      'IAM users, groups, roles and policies (GetAccountAuthorizationDetails)',
    );
    let analysed: UserPrivilege[];
    try {
      analysed = usersWithPrivilege(
        { ...details, accountId: ctx.accountId, partition: ctx.partition },
        settings,
      );
    } catch (error) {
      throw new DataLoadError(describeError(error));
    }
    const all: PrivilegedUserFacts[] = analysed.map((user) => ({ ...user, detailsAt }));
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
    const renamed = new Renames(ctx, deadline);
    const read = await mapPool(privileged, ctx.tuning?.concurrency ?? DEFAULT_CONCURRENCY, (user) =>
      readDevices(ctx.clients, user, settings, deadline, renamed),
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

/**
 * ListMFADevices for one privileged user (all pages), then GetMFADevice for each FIDO device when
 * its certification decides. NoSuchEntity from ListMFADevices: the user was deleted meanwhile
 * (departed). From GetMFADevice: the user or that key went away since the listing, so the user is
 * read again once (a removed key must not leave a stale verdict, nor fail the whole run).
 */
async function readDevices(
  clients: AwsClients,
  user: PrivilegedUserFacts,
  settings: HardwareSettings,
  deadline: Deadline,
  renamed: Renames,
  attempt = 1,
): Promise<PrivilegedUserFacts | DepartedUser> {
  deadline.check();
  const at = new Date();
  // Asked by name, IAM says NoSuchEntity for a user deleted, or renamed, since the bulk read:
  // found again by id, a renamed user is read under its new name (once); only a user IAM no
  // longer has by id is departed.
  const departed = async (): Promise<PrivilegedUserFacts | DepartedUser> => {
    const now = attempt === 1 ? await renamed.nameOf(user.userId) : undefined;
    if (now !== undefined && now.name !== user.userName) {
      return readDevices(
        clients,
        { ...user, userName: now.name, arn: now.arn },
        settings,
        deadline,
        renamed,
        attempt + 1,
      );
    }
    return {
      userId: user.userId,
      userName: user.userName,
      reason: 'was deleted during the evaluation',
      at,
    };
  };
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
    if (errorName(error) === 'NoSuchEntityException') return await departed();
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
          return readDevices(clients, user, settings, deadline, renamed, attempt + 1);
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

/**
 * A user's current name by id, from one more bulk read of the users, made only if a read by name
 * found no such user (a rename or deletion during the run), and then once per run.
 */
class Renames {
  private byId: Promise<Map<string, { name: string; arn: string }>> | undefined;

  constructor(
    private readonly ctx: GatherContext,
    private readonly deadline: Deadline,
  ) {}

  async nameOf(userId: string): Promise<{ name: string; arn: string } | undefined> {
    this.byId ??= readAuthorizationDetails(
      this.ctx.clients,
      this.deadline,
      ['User'],
      'IAM users again, by id (GetAccountAuthorizationDetails)',
    ).then(
      ({ users }) =>
        new Map(
          users.flatMap((u) =>
            u.UserId && u.UserName && u.Arn ? [[u.UserId, { name: u.UserName, arn: u.Arn }]] : [],
          ),
        ),
    );
    return (await this.byId).get(userId);
  }
}

/** What this rule's facts reader calls: every user, group, role and policy in bulk, then devices. */
export const PRIVILEGED_USER_READS = [
  'iam:GetAccountAuthorizationDetails',
  'iam:ListMFADevices',
  'iam:GetMFADevice',
] as const;
