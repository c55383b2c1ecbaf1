/**
 * iam-user-hardware-mfa against a mocked IAM: every row of the decision table, each way a user is
 * privileged, the exemption tag (the reads, change notifications and parameters:
 * iam-user-hardware-mfa-reads.test.ts).
 */
import { GetMFADeviceCommand, ListMFADevicesCommand, type GroupDetail } from '@aws-sdk/client-iam';
import { iam } from './aws-mocks';
import { deviceKind } from '../../rules/iam-user-hardware-mfa/facts';
import { EVIDENCE_AT } from '../../rules/runtime/types';
import { ACCOUNT } from './helpers';
import {
  ADMIN,
  BREAK_GLASS,
  CERTIFIED,
  FAKE_ADMIN,
  FIDO,
  group,
  HARDWARE,
  mockCertifications,
  mockDetails,
  mockDevices,
  only,
  READ_ONLY,
  run,
  Spec,
  VIRTUAL,
} from './iam-user-hardware-mfa-fixtures';

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
