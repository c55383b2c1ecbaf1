/**
 * iam-user-hardware-mfa — a privileged IAM user signs in only with hardware: a hardware TOTP token
 * or a certified FIDO security key, and no virtual device. No CIS recommendation or Security Hub
 * control asks for it (rules/frameworks.ts).
 *
 * | IAM user                                                                  | verdict        |
 * | ------------------------------------------------------------------------- | -------------- |
 * | not privileged (below)                                                    | NOT_APPLICABLE |
 * | privileged, no MFA device                                                 | NON_COMPLIANT  |
 * | privileged, any virtual device (even beside a hardware one)               | NON_COMPLIANT  |
 * | privileged, a device whose serial has no form we know                     | NON_COMPLIANT  |
 * | privileged, a FIDO device IAM reports no certification for,               | NON_COMPLIANT  |
 * |   RequireCertifiedFido = true (default)                                   |                |
 * | privileged, every device a hardware TOTP token or a FIDO device           | COMPLIANT      |
 * |   (certified, or RequireCertifiedFido = false)                            |                |
 * | named by an event but no longer exists                                    | NOT_APPLICABLE |
 * Then the exemption tag (rules/runtime/exemptions.ts) may turn NON_COMPLIANT into NOT_APPLICABLE.
 *
 * Privileged: AWS's managed `AdministratorAccess` attached to the user or to one of its groups, or
 * any policy listed in PrivilegedPolicyArns (same two ways), or the tag PrivilegedTagKey
 * (`mfa-privileged`) with the value `true`. Inline policies and permission boundaries are not read:
 * list a managed policy, or tag the user, to bring such a user in.
 *
 * Device kinds come from the serial number's form, as IAM returns it in ListMFADevices:
 * - virtual (authenticator app): the device's ARN, `arn:aws:iam::123456789012:mfa/<name>`
 *   ("For virtual MFA devices, the serial number is the device ARN":
 *   https://docs.aws.amazon.com/IAM/latest/APIReference/API_MFADevice.html; STS's
 *   https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html gives both forms:
 *   "the serial number for a hardware device (such as GAHT12345678) or an Amazon Resource Name
 *   (ARN) for a virtual device (such as arn:aws:iam::123456789012:mfa/user)");
 * - hardware TOTP token: a plain serial, not an ARN (same two pages);
 * - FIDO security key or passkey: an ARN too; GetMFADevice "only accept[s] FIDO security key ARNs"
 *   (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetMFADevice.html), of the form
 *   `arn:aws:iam::account:u2f/u2f-token-id` in the IAM User Guide's list of IAM ARNs
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html), e.g.
 *   `arn:aws:iam::123456789012:u2f/user/Bob/fidosecuritykey1-7XNL…` beside `arn:…:mfa/Bob` and
 *   `GAKT12345678` in the AWS CLI reference's list-mfa-devices example
 *   (https://awscli.amazonaws.com/v2/documentation/api/latest/reference/iam/list-mfa-devices.html).
 * An ARN of any other form is `unknown` and never counts as hardware, so a new form AWS introduces
 * can only turn a user NON_COMPLIANT (with the serial named), never COMPLIANT by mistake.
 *
 * Certification: GetMFADevice returns `Certifications` (FIPS-140-2, FIPS-140-3, FIDO levels from
 * the FIDO Alliance Metadata Service) for FIDO devices. AWS does not document what a synced
 * passkey returns, and a genuine key missing from the Metadata Service has none either: with
 * RequireCertifiedFido = true (default) a FIDO device counts only with at least one
 * certification; false counts every FIDO device as hardware.
 */
import * as z from 'zod/mini';
import {
  EXEMPTION_PARAMETER_DOCS,
  exemptionParameters,
  exemptionSettings,
} from '../runtime/exemptions';
import {
  gatherPrivilegedUsers,
  type MfaDeviceFacts,
  type PrivilegedUserFacts,
  type PrivilegedUsersFacts,
  type PrivilegePath,
  type PrivilegeSettings,
} from '../runtime/facts/privileged-users';
import { type ComplianceType, type Evaluation, type RuleDefinition } from '../runtime/types';
import { tagKey } from '../runtime/parameters';
import { isoSeconds, userEvaluations } from '../runtime/user-evaluations';

export const DEFAULT_PRIVILEGED_TAG_KEY = 'mfa-privileged';
/** A managed policy's ARN: AWS's (`iam::aws:policy/…`) or an account's. */
const POLICY_ARN = /^arn:[\w-]+:iam::(aws|\d{12}):policy\/[\w+=,.@/-]{1,512}$/;

function policyArns(value: string): string[] {
  return value
    .split(',')
    .map((arn) => arn.trim())
    .filter((arn) => arn !== '');
}

/** Optional with its documented default applied (test/unit/catalog.test.ts checks they agree). */
function withDefault(schema: z.ZodMiniType<string | undefined>, value: string) {
  return z.optional(z._default(schema, value));
}

const parameters = {
  PrivilegedPolicyArns: withDefault(
    z
      .string()
      .check(
        z.refine(
          (value) => policyArns(value).every((arn) => POLICY_ARN.test(arn)),
          'PrivilegedPolicyArns must be managed policy ARNs (arn:aws:iam::aws:policy/… or arn:aws:iam::<account>:policy/…), separated by commas',
        ),
      ),
    '',
  ),
  PrivilegedTagKey: z.optional(tagKey('PrivilegedTagKey', DEFAULT_PRIVILEGED_TAG_KEY)),
  RequireCertifiedFido: withDefault(
    z
      .string()
      .check(
        z.refine(
          (value) => /^(true|false)$/i.test(value.trim()),
          'RequireCertifiedFido must be true or false',
        ),
      ),
    'true',
  ),
  ...exemptionParameters,
};

type Params = z.infer<z.ZodMiniObject<typeof parameters>>;

export function privilegeSettings(params: Params): PrivilegeSettings {
  const tagKey = params.PrivilegedTagKey ?? DEFAULT_PRIVILEGED_TAG_KEY;
  return {
    privilegedPolicyArns: policyArns(params.PrivilegedPolicyArns ?? ''),
    privilegedTagKey: tagKey.trim() === '' ? undefined : tagKey,
    requireCertifiedFido: (params.RequireCertifiedFido ?? 'true').trim().toLowerCase() === 'true',
  };
}

/** Why a privileged user's devices fail, most serious first; empty: COMPLIANT. */
export type DeviceProblem =
  | { kind: 'no-mfa' }
  | { kind: 'virtual'; serials: string[] }
  | { kind: 'unknown'; serials: string[] }
  | { kind: 'uncertified'; serials: string[] };

/** The decision table above, on a user's facts (pure). */
export function hardwareMfaVerdict(
  user: Pick<PrivilegedUserFacts, 'privilege' | 'devices'>,
  requireCertifiedFido: boolean,
): { compliance: ComplianceType; problems: DeviceProblem[] } {
  if (user.privilege.length === 0) return { compliance: 'NOT_APPLICABLE', problems: [] };
  const devices = user.devices;
  if (devices === undefined) throw new Error('the MFA devices of a privileged user were not read');
  if (devices.length === 0) return { compliance: 'NON_COMPLIANT', problems: [{ kind: 'no-mfa' }] };
  const serials = (test: (device: MfaDeviceFacts) => boolean) =>
    devices.filter(test).map((device) => device.serial);
  const problems: DeviceProblem[] = [];
  const virtual = serials((device) => device.kind === 'virtual');
  if (virtual.length > 0) problems.push({ kind: 'virtual', serials: virtual });
  const unknown = serials((device) => device.kind === 'unknown');
  if (unknown.length > 0) problems.push({ kind: 'unknown', serials: unknown });
  if (problems.length === 0 && requireCertifiedFido) {
    const uncertified = devices.filter((device) => device.kind === 'fido' && !certified(device));
    if (uncertified.some((device) => device.certifications === undefined)) {
      throw new Error('the certification of a FIDO device the verdict depends on was not read');
    }
    if (uncertified.length > 0) {
      problems.push({ kind: 'uncertified', serials: uncertified.map((device) => device.serial) });
    }
  }
  return { compliance: problems.length > 0 ? 'NON_COMPLIANT' : 'COMPLIANT', problems };
}

function certified(device: MfaDeviceFacts): boolean {
  return Object.keys(device.certifications ?? {}).length > 0;
}

export const rule: RuleDefinition<PrivilegedUsersFacts, typeof parameters> = {
  metadata: {
    name: 'iam-user-hardware-mfa',
    title: 'Privileged IAM users sign in only with hardware MFA',
    description:
      'Checks that each privileged IAM user (AdministratorAccess attached directly or through a group, a policy listed in PrivilegedPolicyArns, or tagged PrivilegedTagKey=true) has MFA and only hardware devices: hardware TOTP tokens or FIDO security keys IAM reports a certification for (GetMFADevice), no virtual device. Reads users, groups and policies in bulk (GetAccountAuthorizationDetails), then lists the devices of privileged users live. NOT_APPLICABLE for other users.',
    severity: 'HIGH',
    // No CIS recommendation and no Security Hub control (rules/frameworks.ts).
    frameworks: [],
    // 5,000 IAM users in one invocation: GetAccountAuthorizationDetails in pages of 1,000 users
    // and groups (~6 calls, a few MB with inline policy documents), then ListMFADevices for each
    // privileged user and GetMFADevice for each FIDO key whose certification decides, which IAM
    // serves at about 10 requests per second per API and account: 1,000 privileged users take
    // ~100 s plus back-off, hence 300 s. 512 MiB holds the authorization details and the verdicts.
    sizing: { timeoutSeconds: 300, memoryMiB: 512 },
    parameters: [
      {
        name: 'PrivilegedPolicyArns',
        description:
          'Managed policy ARNs, separated by commas, that make a user privileged when attached to the user or to one of its groups, besides AWS managed AdministratorAccess (always privileged). Empty: AdministratorAccess only.',
        default: '',
      },
      {
        name: 'PrivilegedTagKey',
        description:
          'Tag key that makes a user privileged when its value is `true` (any case). Empty: privilege by tag off.',
        default: DEFAULT_PRIVILEGED_TAG_KEY,
      },
      {
        name: 'RequireCertifiedFido',
        description:
          '`true`: a FIDO device counts as a hardware security key only when IAM reports a FIPS or FIDO certification for it (GetMFADevice), so synced passkeys and keys missing from the FIDO Metadata Service do not. `false`: every FIDO device counts.',
        default: 'true',
      },
      ...EXEMPTION_PARAMETER_DOCS,
    ],
    resourceTypes: ['AWS::IAM::User'],
    changeTriggerTypes: ['AWS::IAM::User'],
    remediation:
      'Register a hardware TOTP token or a FIDO security key for the user (IAM > Users > user > Security credentials > Assign MFA device), then deactivate and delete every virtual MFA device and uncertified passkey it has.',
    iamActions: ['iam:GetAccountAuthorizationDetails', 'iam:ListMFADevices', 'iam:GetMFADevice'],
  },
  parameters,
  gather: (ctx, scope, params) => gatherPrivilegedUsers(ctx, scope, privilegeSettings(params)),
  evaluate(facts, params): Evaluation[] {
    const settings = privilegeSettings(params);
    const exemptions = exemptionSettings(params);
    // The tags came with the bulk read: every user's are read.
    return userEvaluations(
      facts,
      (user) => ({
        verdict: verdict(user, settings),
        tag: {
          read: true,
          value: exemptions.tagKey === undefined ? undefined : user.tags.get(exemptions.tagKey),
          at: user.detailsAt,
        },
        evidenceAt: user.detailsAt,
      }),
      exemptions,
    );
  },
};

function verdict(
  user: PrivilegedUserFacts,
  settings: PrivilegeSettings,
): Pick<Evaluation, 'compliance' | 'annotation'> {
  const { compliance, problems } = hardwareMfaVerdict(user, settings.requireCertifiedFido);
  const name = `User ${user.userName}`;
  if (compliance === 'NOT_APPLICABLE') {
    return {
      compliance,
      annotation: `${name} is not privileged (no AdministratorAccess or listed policy, directly or through a group${settings.privilegedTagKey ? `, no tag ${settings.privilegedTagKey}=true` : ''}; IAM, read live at ${isoSeconds(user.detailsAt)}): hardware MFA does not apply.`,
    };
  }
  const who = `${name} (privileged: ${describePrivilege(user.privilege)})`;
  const source = sourceText(user);
  if (compliance === 'COMPLIANT') {
    return {
      compliance,
      annotation: `${who} signs in only with hardware: ${describeDevices(user.devices ?? [], settings)} (${source}).`,
    };
  }
  // Who, what and where from first: Config keeps 256 characters, and the rule's remediation
  // (Security Hub) repeats the fix.
  const [first] = problems;
  let what: string;
  let fix: string;
  switch (first?.kind) {
    case 'virtual':
      what = `has a virtual MFA device (${shortSerials(first.serials, user.userName)})`;
      fix = 'delete it; use hardware TOTP or FIDO keys only';
      break;
    case 'unknown':
      what = `has an MFA device of unknown kind (${shortSerials(first.serials, user.userName)}), not counted as hardware`;
      fix = 'keep only hardware TOTP tokens and FIDO security keys';
      break;
    case 'uncertified':
      what = `has a FIDO device with no certification in IAM (${shortSerials(first.serials, user.userName)})`;
      fix = 'use a certified key or RequireCertifiedFido=false';
      break;
    default:
      what = 'has no MFA device';
      fix = 'register a hardware TOTP token or FIDO security key';
  }
  return { compliance, annotation: `${who} ${what} (${source}). Fix: ${fix}.` };
}

/**
 * Where the facts came from: IAM, read live, from the bulk read of policies and groups to the
 * listing of the user's devices (`…T07:36:05Z–07:36:06Z` when they fall in different seconds).
 */
function sourceText(user: PrivilegedUserFacts): string {
  const details = isoSeconds(user.detailsAt);
  const devices = isoSeconds(user.devicesAt ?? user.detailsAt);
  return details === devices
    ? `IAM, read live at ${details}`
    : `IAM, read live at ${details}–${devices.slice(devices.indexOf('T') + 1)}`;
}

function describePrivilege(paths: readonly PrivilegePath[]): string {
  const [first] = paths;
  if (!first) return 'none';
  const more = paths.length > 1 ? ` and ${paths.length - 1} more` : '';
  const via = 'via' in first && first.via !== undefined ? ` via group ${first.via}` : '';
  switch (first.kind) {
    case 'administrator-access':
      return `AdministratorAccess${via}${more}`;
    case 'policy':
      return `${first.policyArn.slice(first.policyArn.indexOf(':policy/') + 8)}${via}${more}`;
    case 'tag':
      return `tag ${first.tagKey}=true${more}`;
  }
}

function describeDevices(devices: readonly MfaDeviceFacts[], settings: PrivilegeSettings): string {
  const hardware = devices.filter((device) => device.kind === 'hardware').length;
  const fido = devices.filter((device) => device.kind === 'fido');
  const parts: string[] = [];
  if (hardware > 0) parts.push(`${hardware} hardware TOTP token${hardware > 1 ? 's' : ''}`);
  if (fido.length > 0) {
    const levels = [
      ...new Set(
        fido.flatMap((device) =>
          Object.entries(device.certifications ?? {}).map(([key, value]) => `${key} ${value}`),
        ),
      ),
    ];
    const kind = settings.requireCertifiedFido ? 'certified FIDO' : 'FIDO';
    parts.push(
      `${fido.length} ${kind} key${fido.length > 1 ? 's' : ''}${levels.length > 0 ? ` (${levels.join(', ')})` : ''}`,
    );
  }
  return parts.join(', ');
}

/**
 * A serial as short as the annotation needs: the ARN's resource, without the user's own name
 * (`arn:aws:iam::123456789012:u2f/user/alice/key-1` → `u2f/…/key-1`); plain serials as they are.
 */
function shortSerials(serials: readonly string[], userName: string): string {
  return serials
    .map((serial) =>
      serial.replace(/^arn:[\w-]+:iam::\d{12}:/, '').replace(`/user/${userName}/`, '/…/'),
    )
    .join(', ');
}
