/**
 * iam-user-hardware-mfa against a mocked IAM: every row of the decision table, each way a user is
 * privileged, the exemption tag, the reads (request shapes and counts) and change notifications.
 */
import {
  GetAccountAuthorizationDetailsCommand,
  GetMFADeviceCommand,
  ListMFADevicesCommand,
  type GroupDetail,
  type UserDetail,
} from '@aws-sdk/client-iam';
import { iam } from './aws-mocks';
import { rule } from '../../rules/iam-user-hardware-mfa/rule';
import { DataLoadError, InvalidInputError } from '../../rules/runtime/errors';
import { deviceKind } from '../../rules/iam-user-hardware-mfa/facts';
import { parseParameters } from '../../rules/runtime/parameters';
import { EVIDENCE_AT, type Evaluation, type Scope } from '../../rules/runtime/types';
import {
  allow,
  awsManagedDetails,
  doc,
  managedPolicyDetail,
  type PolicyDocument,
} from '../support/iam-policies';
import { ACCOUNT, awsError, gatherContext, userArn } from './helpers';

const ALL: Scope = { kind: 'all' };
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const BREAK_GLASS = `arn:aws:iam::${ACCOUNT}:policy/BreakGlass`;
const FAKE_ADMIN = `arn:aws:iam::${ACCOUNT}:policy/AdministratorAccess`;
/** Customer-managed policies of these tests, with their documents. */
const CUSTOMER: Record<string, PolicyDocument> = {
  [BREAK_GLASS]: doc(allow('s3:GetObject')),
  [FAKE_ADMIN]: doc(allow('s3:GetObject')),
};
const FILTER = ['User', 'Group', 'Role', 'LocalManagedPolicy', 'AWSManagedPolicy'];
const VIRTUAL = (name: string) => `arn:aws:iam::${ACCOUNT}:mfa/${name}`;
const FIDO = (name: string, key = 'key-1') => `arn:aws:iam::${ACCOUNT}:u2f/user/${name}/${key}`;
const HARDWARE = 'GAHT12345678';
const CERTIFIED = { 'FIDO Certification': 'L1', 'FIPS-140-3': 'L2' };

interface Spec {
  name: string;
  policies?: string[];
  groups?: string[];
  tags?: Record<string, string>;
}

function userDetail({ name, policies = [], groups = [], tags = {} }: Spec): UserDetail {
  return {
    UserName: name,
    UserId: `AIDA${name.toUpperCase()}`,
    Arn: userArn(name),
    Path: '/',
    CreateDate: new Date('2024-01-01T00:00:00Z'),
    GroupList: groups,
    AttachedManagedPolicies: policies.map((arn) => ({
      PolicyArn: arn,
      PolicyName: arn.split('/').pop(),
    })),
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  };
}

function group(name: string, policies: string[]): GroupDetail {
  return {
    GroupName: name,
    GroupId: `AGPA${name.toUpperCase()}`,
    Arn: `arn:aws:iam::${ACCOUNT}:group/${name}`,
    AttachedManagedPolicies: policies.map((arn) => ({ PolicyArn: arn })),
  };
}

function policies() {
  return [
    ...awsManagedDetails(),
    ...Object.entries(CUSTOMER).map(([arn, document]) => managedPolicyDetail(arn, document)),
  ];
}

function mockDetails(users: Spec[], groups: GroupDetail[] = []): void {
  iam.on(GetAccountAuthorizationDetailsCommand).resolves({
    UserDetailList: users.map(userDetail),
    GroupDetailList: groups,
    Policies: policies(),
    IsTruncated: false,
  });
}

function mockDevices(userName: string, serials: string[]): void {
  iam.on(ListMFADevicesCommand, { UserName: userName }).resolves({
    MFADevices: serials.map((SerialNumber) => ({
      SerialNumber,
      UserName: userName,
      EnableDate: new Date(),
    })),
    IsTruncated: false,
  });
}

function mockCertifications(serial: string, certifications: Record<string, string> | undefined) {
  iam.on(GetMFADeviceCommand, { SerialNumber: serial }).resolves({
    SerialNumber: serial,
    ...(certifications ? { Certifications: certifications } : {}),
  });
}

async function run(raw: Record<string, string> = {}, scope: Scope = ALL): Promise<Evaluation[]> {
  const params = parseParameters(rule, raw) as Parameters<typeof rule.evaluate>[1];
  const facts = await rule.gather(gatherContext(), scope, params);
  return rule.evaluate(facts, params);
}

function only(evaluations: Evaluation[]): Evaluation {
  const [first, ...rest] = evaluations;
  if (!first || rest.length > 0)
    throw new Error(`expected one evaluation, got ${evaluations.length}`);
  return first;
}

beforeEach(() => {
  iam.reset();
});

describe('who is privileged', () => {
  it.each<[string, Spec, GroupDetail[], Record<string, string>, string]>([
    [
      'AdministratorAccess attached directly',
      { name: 'alice', policies: [ADMIN] },
      [],
      {},
      'AWS-managed AdministratorAccess allows "*")',
    ],
    [
      'AdministratorAccess through a group',
      { name: 'alice', groups: ['Admins'] },
      [group('Admins', [ADMIN])],
      {},
      'AWS-managed AdministratorAccess via group Admins allows "*")',
    ],
    [
      'a listed policy attached directly',
      { name: 'alice', policies: [BREAK_GLASS] },
      [],
      { PrivilegedPolicyArns: `${READ_ONLY}, ${BREAK_GLASS}` },
      'listed policy BreakGlass)',
    ],
    [
      'a listed policy through a group',
      { name: 'alice', groups: ['Ops'] },
      [group('Ops', [BREAK_GLASS])],
      { PrivilegedPolicyArns: BREAK_GLASS },
      'listed policy BreakGlass via group Ops',
    ],
    [
      'the privileged tag',
      { name: 'alice', tags: { 'mfa-privileged': 'true' } },
      [],
      {},
      'tag mfa-privileged=true',
    ],
    [
      'another privileged tag key, any case',
      { name: 'alice', tags: { tier0: 'TRUE' } },
      [],
      { PrivilegedTagKey: 'tier0' },
      'tag tier0=true',
    ],
  ])('%s: privileged, so its devices are read', async (_label, spec, groups, params, named) => {
    // Prepare
    mockDetails([spec], groups);
    mockDevices('alice', []);

    // Act
    const evaluation = only(await run(params));

    // Assess
    expect(evaluation.compliance).toBe('NON_COMPLIANT');
    expect(evaluation.annotation).toContain(named);
    expect(evaluation.annotation).toContain('has no MFA device');
    expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 1);
    expect(iam).toHaveReceivedCommandWith(ListMFADevicesCommand, { UserName: 'alice' });
  });

  it.each<[string, Spec, GroupDetail[], Record<string, string>]>([
    ['no policy, group or tag', { name: 'bob' }, [], {}],
    ['another AWS managed policy', { name: 'bob', policies: [READ_ONLY] }, [], {}],
    [
      'a group without a privileged policy',
      { name: 'bob', groups: ['Dev'] },
      [group('Dev', [READ_ONLY])],
      {},
    ],
    [
      'a customer policy named AdministratorAccess that allows s3:GetObject only',
      { name: 'bob', policies: [FAKE_ADMIN] },
      [],
      {},
    ],
    ['the tag with another value', { name: 'bob', tags: { 'mfa-privileged': 'false' } }, [], {}],
    [
      'the tag, with privilege by tag off',
      { name: 'bob', tags: { 'mfa-privileged': 'true' } },
      [],
      { PrivilegedTagKey: '' },
    ],
  ])('%s: NOT_APPLICABLE, and no device is read', async (_label, spec, groups, params) => {
    // Prepare
    mockDetails([spec], groups);

    // Act
    const evaluation = only(await run(params));

    // Assess
    expect(evaluation).toMatchObject({
      resourceId: 'AIDABOB',
      resourceName: 'bob',
      compliance: 'NOT_APPLICABLE',
    });
    expect(evaluation.annotation).toMatch(
      /^User bob is not privileged: no identity policy allows administrator-equivalent actions \(\d+ polic(y|ies), \d+ groups?, 0 assumable roles examined; .*IAM, read live at \S+Z\): hardware MFA does not apply\.$/,
    );
    expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 0);
    expect(iam).toHaveReceivedCommandTimes(GetMFADeviceCommand, 0);
  });
});

describe('which devices count (a privileged user)', () => {
  beforeEach(() => {
    mockDetails([{ name: 'alice', policies: [ADMIN] }]);
  });

  it('a hardware TOTP token (plain serial) → COMPLIANT, with no certification read', async () => {
    // Prepare
    mockDevices('alice', [HARDWARE]);

    // Act
    const evaluation = only(await run());

    // Assess
    expect(evaluation.compliance).toBe('COMPLIANT');
    expect(evaluation.annotation).toMatch(
      /^User alice \(privileged: AWS-managed AdministratorAccess allows "\*"\) signs in only with hardware: 1 hardware TOTP token \(IAM, read live at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ(–\d\d:\d\d:\d\dZ)?\)\.$/,
    );
    expect(iam).toHaveReceivedCommandTimes(GetMFADeviceCommand, 0);
  });

  it('a certified FIDO key → COMPLIANT, naming its certifications', async () => {
    // Prepare
    mockDevices('alice', [FIDO('alice')]);
    mockCertifications(FIDO('alice'), CERTIFIED);

    // Act
    const evaluation = only(await run());

    // Assess
    expect(evaluation.compliance).toBe('COMPLIANT');
    expect(evaluation.annotation).toContain(
      '1 certified FIDO key (FIDO Certification L1, FIPS-140-3 L2)',
    );
    expect(iam).toHaveReceivedCommandTimes(GetMFADeviceCommand, 1);
    expect(iam).toHaveReceivedCommandWith(GetMFADeviceCommand, {
      UserName: 'alice',
      SerialNumber: FIDO('alice'),
    });
  });

  it.each([
    ['no Certifications member', undefined],
    ['an empty Certifications map', {}],
  ])(
    'an uncertified FIDO device (%s) → NON_COMPLIANT, naming the device and why',
    async (_label, certifications) => {
      // Prepare
      mockDevices('alice', [FIDO('alice', 'passkey')]);
      mockCertifications(FIDO('alice', 'passkey'), certifications);

      // Act
      const evaluation = only(await run());

      // Assess
      expect(evaluation.compliance).toBe('NON_COMPLIANT');
      expect(evaluation.annotation).toContain(
        'has an uncertified FIDO device (u2f/…/passkey) (IAM, read live at ',
      );
      expect(evaluation.annotation).toContain(
        'Fix: use a certified key or RequireCertifiedFido=false.',
      );
    },
  );

  it('an uncertified FIDO device with RequireCertifiedFido=false → COMPLIANT, with no certification read', async () => {
    // Prepare
    mockDevices('alice', [FIDO('alice', 'passkey')]);

    // Act
    const evaluation = only(await run({ RequireCertifiedFido: 'false' }));

    // Assess
    expect(evaluation.compliance).toBe('COMPLIANT');
    expect(evaluation.annotation).toContain('1 FIDO key (');
    expect(iam).toHaveReceivedCommandTimes(GetMFADeviceCommand, 0);
  });

  it('an uncertified FIDO device beside a hardware token still fails: it can sign in', async () => {
    // Prepare
    mockDevices('alice', [HARDWARE, FIDO('alice', 'a'), FIDO('alice', 'b')]);
    mockCertifications(FIDO('alice', 'a'), CERTIFIED);
    mockCertifications(FIDO('alice', 'b'), {});

    // Act
    const evaluation = only(await run());

    // Assess
    expect(evaluation.compliance).toBe('NON_COMPLIANT');
    expect(evaluation.annotation).toContain('(u2f/…/b)');
    expect(evaluation.annotation).not.toContain('u2f/…/a');
    expect(iam).toHaveReceivedCommandTimes(GetMFADeviceCommand, 2);
  });

  it('a virtual device → NON_COMPLIANT even beside a hardware key, and no certification is read', async () => {
    // Prepare
    mockDevices('alice', [HARDWARE, FIDO('alice'), VIRTUAL('alice-phone')]);

    // Act
    const evaluation = only(await run());

    // Assess
    expect(evaluation.compliance).toBe('NON_COMPLIANT');
    expect(evaluation.annotation).toMatch(
      /^User alice \(privileged: AWS-managed AdministratorAccess allows "\*"\) has a virtual MFA device \(mfa\/alice-phone\) \(IAM, read live at \S+Z\)\. Fix: delete it; use hardware TOTP or FIDO keys only\.$/,
    );
    expect(iam).toHaveReceivedCommandTimes(GetMFADeviceCommand, 0);
  });

  it('a device whose serial has an unknown ARN form → NON_COMPLIANT, never counted as hardware', async () => {
    // Prepare
    mockDevices('alice', [`arn:aws:iam::${ACCOUNT}:passkey/alice/x`]);

    // Act
    const evaluation = only(await run());

    // Assess
    expect(evaluation.compliance).toBe('NON_COMPLIANT');
    expect(evaluation.annotation).toContain('MFA device of unknown kind (passkey/alice/x)');
  });

  it('no MFA device → NON_COMPLIANT', async () => {
    // Prepare
    mockDevices('alice', []);

    // Act
    const evaluation = only(await run());

    // Assess
    expect(evaluation.compliance).toBe('NON_COMPLIANT');
    expect(evaluation.annotation).toContain(
      'Fix: register a hardware TOTP token or FIDO security key.',
    );
  });

  it('carries the time the bulk read began as its evidence time', async () => {
    // Prepare
    mockDevices('alice', [HARDWARE]);
    const before = Date.now();

    // Act
    const evaluation = only(await run());

    // Assess
    const at = evaluation[EVIDENCE_AT]?.getTime() ?? 0;
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(Date.now());
  });
});

describe('serial forms', () => {
  it.each([
    [`arn:aws:iam::${ACCOUNT}:mfa/alice`, 'virtual'],
    [`arn:aws-us-gov:iam::${ACCOUNT}:mfa/path/alice`, 'virtual'],
    [`arn:aws:iam::${ACCOUNT}:u2f/user/alice/default-ABCDEF`, 'fido'],
    ['GAHT12345678', 'hardware'],
    ['123456789', 'hardware'],
    ['12345678', 'unknown'],
    [`arn:aws:iam::${ACCOUNT}:something/else`, 'unknown'],
    [`ARN:aws:iam::${ACCOUNT}:mfa/alice`, 'unknown'],
    [`Arn:aws:iam::${ACCOUNT}:u2f/user/alice/key`, 'unknown'],
    [`arn:aws:sts::${ACCOUNT}:mfa/alice`, 'unknown'],
    ['GAHT 12345678', 'unknown'],
    ['GAHT-12345678', 'unknown'],
    ['urn:GAHT12345678', 'unknown'],
    ['arn:not-iam', 'unknown'],
  ])('%s is %s', (serial, kind) => {
    expect(deviceKind(serial)).toBe(kind);
  });
});

describe('exemptions (through applyExemption, tags from the bulk read)', () => {
  const today = new Date();
  const inDays = (days: number) =>
    new Date(today.getTime() + days * 86_400_000).toISOString().slice(0, 10);

  it.each([
    [
      'a valid exemption turns NON_COMPLIANT into NOT_APPLICABLE',
      `${inDays(30)} migrating to YubiKeys`,
      'NOT_APPLICABLE',
      /is exempt until .* "migrating to YubiKeys"/,
    ],
    [
      'an expired exemption stays NON_COMPLIANT',
      `${inDays(-3)} too late`,
      'NON_COMPLIANT',
      /exemption expired on/,
    ],
    [
      'an exemption beyond MaxExemptionDays stays NON_COMPLIANT',
      `${inDays(400)} long`,
      'NON_COMPLIANT',
      /exemption longer than 365 days/,
    ],
    [
      'an unreadable exemption stays NON_COMPLIANT',
      'soon',
      'NON_COMPLIANT',
      /exemption tag unreadable/,
    ],
  ])('%s', async (_label, value, compliance, annotation) => {
    // Prepare
    mockDetails([{ name: 'alice', policies: [ADMIN], tags: { 'mfa-exemption': value } }]);
    mockDevices('alice', [VIRTUAL('alice')]);

    // Act
    const evaluation = only(await run());

    // Assess
    expect(evaluation.compliance).toBe(compliance);
    expect(evaluation.annotation).toMatch(annotation);
  });

  it('never touches a COMPLIANT user, and honours another tag key and MaxExemptionDays', async () => {
    // Prepare
    mockDetails([
      { name: 'alice', policies: [ADMIN], tags: { waiver: `${inDays(30)} ok` } },
      { name: 'carol', policies: [ADMIN], tags: { waiver: `${inDays(30)} ok` } },
    ]);
    mockDevices('alice', [HARDWARE]);
    mockDevices('carol', []);

    // Act
    const evaluations = await run({ ExemptionTagKey: 'waiver', MaxExemptionDays: '10' });

    // Assess
    expect(evaluations.map((e) => [e.resourceName, e.compliance])).toEqual([
      ['alice', 'COMPLIANT'],
      ['carol', 'NON_COMPLIANT'],
    ]);
    expect(evaluations[1]?.annotation).toContain('exemption longer than 10 days');
  });
});

describe('reads', () => {
  it('reads users and groups in bulk, page by page, and lists devices for privileged users only', async () => {
    // Prepare: the group of alice comes on the second page.
    iam
      .on(GetAccountAuthorizationDetailsCommand)
      .resolvesOnce({
        UserDetailList: [
          userDetail({ name: 'alice', groups: ['Admins'] }),
          userDetail({ name: 'bob' }),
        ],
        IsTruncated: true,
        Marker: 'page-2',
      })
      .resolvesOnce({
        UserDetailList: [userDetail({ name: 'carol', policies: [ADMIN] })],
        GroupDetailList: [group('Admins', [ADMIN])],
        Policies: policies(),
        IsTruncated: false,
      });
    mockDevices('alice', [HARDWARE]);
    mockDevices('carol', [HARDWARE]);

    // Act
    const evaluations = await run();

    // Assess
    expect(evaluations.map((e) => [e.resourceName, e.compliance])).toEqual([
      ['alice', 'COMPLIANT'],
      ['bob', 'NOT_APPLICABLE'],
      ['carol', 'COMPLIANT'],
    ]);
    expect(iam).toHaveReceivedCommandTimes(GetAccountAuthorizationDetailsCommand, 2);
    expect(
      iam.commandCalls(GetAccountAuthorizationDetailsCommand).map((call) => call.args[0].input),
    ).toEqual([
      { Filter: FILTER, MaxItems: 1000 },
      { Filter: FILTER, MaxItems: 1000, Marker: 'page-2' },
    ]);
    expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 2);
    expect(iam.calls()).toHaveLength(4);
  });

  it('refuses to judge when a user is in a group the bulk read did not return', async () => {
    // Prepare
    mockDetails([{ name: 'alice', groups: ['Ghost'] }]);

    // Act
    const result = run();

    // Assess
    await expect(result).rejects.toThrow(DataLoadError);
    await expect(result).rejects.toThrow('user AIDAALICE is in group Ghost');
  });

  it('fails with one line naming the read when GetAccountAuthorizationDetails fails', async () => {
    // Prepare
    iam.on(GetAccountAuthorizationDetailsCommand).rejects(awsError('AccessDenied', 'not allowed'));

    // Act
    const result = run();

    // Assess
    await expect(result).rejects.toThrow(
      'cannot read IAM users, groups, roles and policies (GetAccountAuthorizationDetails): AccessDenied: not allowed',
    );
  });

  it('names the user by id, never by name, when its devices cannot be read', async () => {
    // Prepare
    mockDetails([{ name: 'alice', policies: [ADMIN] }]);
    iam.on(ListMFADevicesCommand).rejects(awsError('Throttling', 'slow down'));

    // Act
    const result = run();

    // Assess
    await expect(result).rejects.toThrow(
      'cannot list the MFA devices of user AIDAALICE: Throttling: slow down',
    );
  });

  it('a user deleted between the bulk read and its device listing is NOT_APPLICABLE', async () => {
    // Prepare
    mockDetails([{ name: 'alice', policies: [ADMIN] }]);
    iam.on(ListMFADevicesCommand).rejects(awsError('NoSuchEntityException'));

    // Act
    const evaluation = only(await run());

    // Assess
    expect(evaluation).toMatchObject({ resourceId: 'AIDAALICE', compliance: 'NOT_APPLICABLE' });
    expect(evaluation.annotation).toMatch(/^User alice was deleted during the evaluation/);
  });

  it('a key removed between listing and GetMFADevice: the user is read again once', async () => {
    // Prepare
    mockDetails([{ name: 'alice', policies: [ADMIN] }]);
    iam
      .on(ListMFADevicesCommand)
      .resolvesOnce({
        MFADevices: [{ SerialNumber: FIDO('alice'), UserName: 'alice', EnableDate: new Date() }],
      })
      .resolvesOnce({
        MFADevices: [{ SerialNumber: HARDWARE, UserName: 'alice', EnableDate: new Date() }],
      });
    iam.on(GetMFADeviceCommand).rejects(awsError('NoSuchEntityException'));

    // Act
    const evaluation = only(await run());

    // Assess
    expect(evaluation.compliance).toBe('COMPLIANT');
    expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 2);
  });
});

describe('change notifications', () => {
  const scope = (userName: string | undefined, userId = 'AIDAALICE'): Scope => ({
    kind: 'user',
    userId,
    userName,
  });

  it('evaluates only the user named, from the same bulk read', async () => {
    // Prepare
    mockDetails([
      { name: 'alice', policies: [ADMIN] },
      { name: 'carol', policies: [ADMIN] },
    ]);
    mockDevices('alice', [VIRTUAL('alice')]);

    // Act
    const evaluation = only(await run({}, scope('alice')));

    // Assess
    expect(evaluation).toMatchObject({ resourceId: 'AIDAALICE', compliance: 'NON_COMPLIANT' });
    expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 1);
    expect(iam).toHaveReceivedCommandWith(ListMFADevicesCommand, { UserName: 'alice' });
  });

  it('a user that no longer exists is NOT_APPLICABLE', async () => {
    // Prepare
    mockDetails([{ name: 'carol', policies: [ADMIN] }]);

    // Act
    const evaluation = only(await run({}, scope('alice')));

    // Assess
    expect(evaluation).toMatchObject({
      resourceId: 'AIDAALICE',
      resourceName: 'alice',
      compliance: 'NOT_APPLICABLE',
    });
    expect(evaluation.annotation).toMatch(
      /^User alice no longer exists \(IAM, read live at \S+Z\): nothing to evaluate\.$/,
    );
    expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 0);
  });

  it('a name that now belongs to another user: the old user is NOT_APPLICABLE', async () => {
    // Prepare
    mockDetails([{ name: 'alice', policies: [ADMIN] }]);

    // Act
    const evaluation = only(await run({}, scope('alice', 'AIDAOLDALICE')));

    // Assess
    expect(evaluation).toMatchObject({ resourceId: 'AIDAOLDALICE', compliance: 'NOT_APPLICABLE' });
    expect(evaluation.annotation).toContain('the name now belongs to user AIDAALICE');
  });
});

describe('parameters', () => {
  it.each([
    [
      { PrivilegedPolicyArns: 'AdministratorAccess' },
      /PrivilegedPolicyArns must be managed policy ARNs/,
    ],
    [{ RequireCertifiedFido: 'yes' }, /RequireCertifiedFido must be true or false/],
    [{ PrivilegedTagKey: 'bad*key' }, /PrivilegedTagKey must be an IAM tag key/],
    [{ MaxExemptionDays: '0' }, /MaxExemptionDays must be a whole number/],
  ])('refuses %j with one line', (raw, message) => {
    expect(() => parseParameters(rule, raw)).toThrow(InvalidInputError);
    expect(() => parseParameters(rule, raw)).toThrow(message);
  });
});
