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
 * Privileged (privilege.ts has the whole definition, its sources and what it does not see):
 * - ADMINISTRATOR-EQUIVALENT by what its identity policies allow — inline on the user or one of its
 *   groups, or any managed policy attached to either, AWS- or customer-managed, whatever its name:
 *   `"*"`, or any permission-rewriting action (attach or put a user/group/role policy, add a user
 *   to a group, create or default a policy version, rewrite a role's trust, create another user's
 *   access keys or password), wildcards and NotAction included, after unconditional Denies and the
 *   permissions boundary;
 * - or THROUGH A ROLE it may assume whose own policies make the role administrator-equivalent;
 * - or a policy listed in PrivilegedPolicyArns attached to it or one of its groups;
 * - or the tag PrivilegedTagKey (`mfa-privileged`, key in any case, as IAM matches keys) = `true`.
 * A policy document that cannot be read counts as privileged (fail closed).
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
 * RequireCertifiedFido = true (default) a FIDO device counts only with at least one certification
 * it recognises — a FIPS-140-2, FIPS-140-3 or FIDO certification at a level 1–4 (`L1`, `L2+`,
 * `Level 3`); an empty or unknown level, or another certification, does not count (fail closed);
 * false counts every FIDO device as hardware.
 */
import * as z from 'zod/mini';
import {
  EXEMPTION_PARAMETER_DOCS,
  exemptionParameters,
  exemptionSettings,
} from '../runtime/exemptions';
import {
  gatherPrivilegedUsers,
  PRIVILEGED_USER_READS,
  type HardwareSettings,
  type MfaDeviceFacts,
  type PrivilegedUserFacts,
  type PrivilegedUsersFacts,
} from './facts';
import { type Grant, type PolicySource, type PrivilegePath } from './privilege';
import { tagValue } from '../runtime/tags';
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

export function privilegeSettings(params: Params): HardwareSettings {
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

/** FIPS 140-2/140-3 security levels 1–4, FIDO certification levels L1–L3+ (`L2`, `L1+`, `Level 3`). */
const CERTIFICATION = /^(?:fips[- ]?140-[23]|fido)\b/i;
const LEVEL = /^(?:l|level\s*)?[1-4]\+?$/i;

/** At least one certification the rule recognises, at a level it recognises (fail closed). */
export function certified(device: Pick<MfaDeviceFacts, 'certifications'>): boolean {
  return Object.entries(device.certifications ?? {}).some(
    ([name, level]) => CERTIFICATION.test(name.trim()) && LEVEL.test(level.trim()),
  );
}

export const rule: RuleDefinition<PrivilegedUsersFacts, typeof parameters> = {
  metadata: {
    name: 'iam-user-hardware-mfa',
    title: 'Privileged IAM users sign in only with hardware MFA',
    description:
      'Checks that each privileged IAM user has MFA and only hardware devices: hardware TOTP tokens or FIDO security keys IAM reports a certification for (GetMFADevice), no virtual device. Privileged: its identity policies (inline, group, AWS- or customer-managed) allow "*" or a permission-rewriting IAM action after Denies and its boundary, or it may assume a role that is so; or a policy in PrivilegedPolicyArns, or the tag PrivilegedTagKey=true. Reads users, groups, roles and policies in bulk (GetAccountAuthorizationDetails), then the devices of privileged users live. NOT_APPLICABLE for other users.',
    severity: 'HIGH',
    // No CIS recommendation and no Security Hub control (rules/frameworks.ts).
    frameworks: [],
    // 5,000 IAM users in one invocation: GetAccountAuthorizationDetails in pages of 1,000 users,
    // groups, roles and managed policies (~8 calls with 1,000 roles and 500 policies, a few MB of
    // policy documents), the policy analysis in memory, then ListMFADevices for each privileged
    // user and GetMFADevice for each FIDO key whose certification decides, which IAM serves at
    // about 10 requests per second per API and account: 1,000 privileged users take ~100 s plus
    // back-off, hence 300 s. 512 MiB holds the authorization details and the verdicts
    // (BENCHMARKS.md has the measured peak).
    sizing: { timeoutSeconds: 300, memoryMiB: 512 },
    parameters: [
      {
        name: 'PrivilegedPolicyArns',
        description:
          'Managed policy ARNs, separated by commas, that also make a user privileged when attached to the user or to one of its groups (e.g. PowerUserAccess, which rewrites no permission), besides every policy that allows administrator-equivalent actions. Empty: none beyond those.',
        default: '',
      },
      {
        name: 'PrivilegedTagKey',
        description:
          'Tag key that makes a user privileged when its value is `true` (key and value in any case, as IAM matches keys). Empty: privilege by tag off.',
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
    iamActions: [...PRIVILEGED_USER_READS],
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
          value:
            exemptions.tagKey === undefined ? undefined : tagValue(user.tags, exemptions.tagKey),
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
  settings: HardwareSettings,
): Pick<Evaluation, 'compliance' | 'annotation'> {
  const { compliance, problems } = hardwareMfaVerdict(user, settings.requireCertifiedFido);
  const name = `User ${user.userName}`;
  if (compliance === 'NOT_APPLICABLE') {
    return { compliance, annotation: notPrivileged(user, settings) };
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
      what = `has an uncertified FIDO device (${shortSerials(first.serials, user.userName)})`;
      fix = 'use a certified key or RequireCertifiedFido=false';
      break;
    default:
      what = 'has no MFA device';
      fix = 'register a hardware TOTP token or FIDO security key';
  }
  return { compliance, annotation: `${who} ${what} (${source}). Fix: ${fix}.` };
}

/** What was examined to conclude "not privileged", and where it came from. */
function notPrivileged(user: PrivilegedUserFacts, settings: HardwareSettings): string {
  const { policies, groups, assumableRoles, boundary, unreadableBoundary } = user.examined;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [
    `${plural(policies, 'policy').replace('policys', 'policies')}, ${plural(groups, 'group')}, ${plural(assumableRoles, 'assumable role')} examined`,
  ];
  if (boundary) parts.push(`boundary ${boundary.name} removes ${boundary.removed.join(', ')}`);
  if (unreadableBoundary) parts.push(`boundary ${unreadableBoundary} unreadable, not applied`);
  if (settings.privilegedTagKey) parts.push(`no tag ${settings.privilegedTagKey}=true`);
  parts.push(`IAM, read live at ${isoSeconds(user.detailsAt)}`);
  return `User ${user.userName} is not privileged: no identity policy allows administrator-equivalent actions (${parts.join('; ')}): hardware MFA does not apply.`;
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

/** The first reason the user is privileged, as short as the annotation needs. */
export function describePrivilege(paths: readonly PrivilegePath[]): string {
  const [first] = paths;
  if (!first) return 'none';
  const more = paths.length > 1 ? ` and ${paths.length - 1} more` : '';
  switch (first.kind) {
    case 'grant':
      return `${describeGrant(first.grant)}${more}`;
    case 'role': {
      const via =
        'unreadable' in first.via
          ? `${describeSource(first.via.unreadable)} unreadable`
          : describeGrant(first.via);
      return `may assume role ${first.roleName}${first.trustConditioned ? ' (trust conditioned)' : ''}, whose ${via}${more}`;
    }
    case 'unreadable':
      return `${describeSource(first.source)} could not be read (${first.problem}), so counted${more}`;
    case 'policy': {
      const via = first.via !== undefined ? ` via group ${first.via}` : '';
      return `listed policy ${first.policyArn.slice(first.policyArn.lastIndexOf('/') + 1)}${via}${more}`;
    }
    case 'tag':
      return `tag ${first.tagKey}=true${more}`;
  }
}

function describeSource(source: PolicySource): string {
  const group = source.group !== undefined ? ` via group ${source.group}` : '';
  if (source.kind === 'inline') {
    return source.group !== undefined
      ? `inline policy ${source.name} of group ${source.group}`
      : `inline policy ${source.name}`;
  }
  return `${source.owner === 'aws' ? 'AWS' : 'customer'}-managed ${source.name}${group}`;
}

function describeGrant(grant: Grant): string {
  const pattern = grant.pattern === '*' ? '"*"' : grant.pattern;
  const action =
    grant.pattern === '*' || grant.pattern.toLowerCase() === grant.action.toLowerCase()
      ? ''
      : ` (${grant.action})`;
  return `${describeSource(grant.source)} allows ${pattern}${action}${grant.conditioned ? ', conditioned' : ''}`;
}

function describeDevices(devices: readonly MfaDeviceFacts[], settings: HardwareSettings): string {
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
