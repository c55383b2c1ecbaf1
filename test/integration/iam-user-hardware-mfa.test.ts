/**
 * iam-user-hardware-mfa end to end through its Lambda handler against the extended moto (AWS
 * managed policies loaded): Config events in, PutEvaluations to moto, verdicts read back.
 */
import {
  AttachUserPolicyCommand,
  DeactivateMFADeviceCommand,
  DeleteUserCommand,
  DetachUserPolicyCommand,
  EnableMFADeviceCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { logger } from '../../rules/runtime/logger';
import { changeEvent, type EventOptions } from '../support/events';
import { motoClientConfig, takeCallCounts, type SeededUser } from '../support/moto';
import {
  ADMINISTRATOR_ACCESS,
  fidoSerial,
  HARDWARE_MOTO_ENV,
  seedHardwareUsers,
  setFidoCertifications,
} from '../support/moto-hardware';
import { storedEvaluations, storedVerdicts } from '../support/stored';
import { useMoto } from '../support/use-moto';
import { motoHandler, nextTime, periodicEvent } from '../support/rule-runs';

const RULE = 'iam-user-hardware-mfa';
const CERTIFIED = { 'FIDO Certification': 'L1' };
/** Config (verdicts on record, then the verdicts) and STS (who am I, outside Lambda). */
const NOT_IAM = ['PutEvaluations', 'GetComplianceDetailsByConfigRule', 'GetCallerIdentity'];

const periodic = (options: EventOptions = {}) => periodicEvent(RULE, options);

function idOf(users: SeededUser[], name: string): string {
  const user = users.find((candidate) => candidate.name === name);
  if (!user) throw new Error(`user ${name} was not seeded`);
  return user.userId;
}

beforeAll(() => {
  logger.setLogLevel('SILENT');
});

describe(`${RULE} against moto`, () => {
  const endpoint = useMoto({
    env: { ...HARDWARE_MOTO_ENV, MOTO_EXT_SHORT_PAGES: '1', MOTO_EXT_COUNT_CALLS: '1' },
  });
  let iam: IAMClient;

  beforeEach(() => {
    iam = new IAMClient(motoClientConfig(endpoint()));
  });

  afterEach(() => {
    iam.destroy();
  });

  /** Every decision row, each privilege path, in an account paged 7 entities at a time. */
  async function seedAccount(): Promise<SeededUser[]> {
    const users = await seedHardwareUsers(endpoint(), {
      groups: [
        { name: 'Admins', policies: [ADMINISTRATOR_ACCESS] },
        { name: 'Readers', policies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
      ],
      users: [
        {
          name: 'admin-hardware',
          policies: [ADMINISTRATOR_ACCESS],
          devices: [{ serial: 'GAHT00000001' }],
        },
        {
          name: 'group-admin-fido',
          groups: ['Admins'],
          devices: [{ serial: fidoSerial('group-admin-fido'), certifications: CERTIFIED }],
        },
        {
          name: 'group-admin-passkey',
          groups: ['Admins'],
          devices: [{ serial: fidoSerial('group-admin-passkey') }],
        },
        {
          name: 'tagged-virtual',
          tags: { 'mfa-privileged': 'true' },
          devices: [{ serial: 'GAHT00000002' }, { kind: 'virtual' }],
        },
        { name: 'admin-no-mfa', policies: [ADMINISTRATOR_ACCESS] },
        { name: 'reader', groups: ['Readers'], devices: [{ kind: 'virtual' }] },
        ...Array.from({ length: 10 }, (_, i) => ({ name: `plain-${i}` })),
      ],
    });
    await takeCallCounts(endpoint());
    return users;
  }

  it('gives each user the exact verdict, reading at the floor', async () => {
    // Prepare
    const users = await seedAccount();

    // Act
    const summary = await motoHandler(endpoint(), RULE)(periodic());
    const calls = await takeCallCounts(endpoint());
    const stored = await storedEvaluations(endpoint(), RULE);

    // Assess
    const verdicts = Object.fromEntries(stored.map((e) => [e.resourceId, e.compliance]));
    expect(verdicts).toEqual(
      expect.objectContaining({
        [idOf(users, 'admin-hardware')]: 'COMPLIANT',
        [idOf(users, 'group-admin-fido')]: 'COMPLIANT',
        [idOf(users, 'group-admin-passkey')]: 'NON_COMPLIANT',
        [idOf(users, 'tagged-virtual')]: 'NON_COMPLIANT',
        [idOf(users, 'admin-no-mfa')]: 'NON_COMPLIANT',
        [idOf(users, 'reader')]: 'NOT_APPLICABLE',
        [idOf(users, 'plain-0')]: 'NOT_APPLICABLE',
      }),
    );
    expect(summary.counts).toEqual({ COMPLIANT: 2, NON_COMPLIANT: 3, NOT_APPLICABLE: 11 });
    // Whole annotations: who, what, where from and the fix fit Config's 256 characters.
    for (const evaluation of stored) expect(evaluation.annotation).not.toMatch(/…$/);
    const passkey = stored.find((e) => e.resourceId === idOf(users, 'group-admin-passkey'));
    expect(passkey?.annotation).toContain(
      'User group-admin-passkey (privileged: AWS-managed AdministratorAccess via group Admins allows "*") has an uncertified FIDO device (u2f/…/key-1) (IAM, read live at ',
    );
    // 16 users + 2 groups in pages of 7 (short pages): 3 pages; 5 privileged users; 2 FIDO keys
    // whose certification decides.
    expect(calls).toEqual(
      expect.objectContaining({
        GetAccountAuthorizationDetails: 3,
        ListMFADevices: 5,
        GetMFADevice: 2,
      }),
    );
    expect(
      Object.keys(calls)
        .filter((op) => !NOT_IAM.includes(op))
        .sort(),
    ).toEqual(['GetAccountAuthorizationDetails', 'GetMFADevice', 'ListMFADevices']);
  });

  it('RequireCertifiedFido=false counts the passkey, without reading certifications', async () => {
    // Prepare
    const users = await seedAccount();

    // Act
    await motoHandler(
      endpoint(),
      RULE,
    )(periodic({ parameters: { RequireCertifiedFido: 'false' } }));
    const calls = await takeCallCounts(endpoint());
    const verdicts = await storedVerdicts(endpoint(), RULE);

    // Assess
    expect(verdicts[idOf(users, 'group-admin-passkey')]).toBe('COMPLIANT');
    expect(calls.GetMFADevice).toBeUndefined();
  });

  it('a fix counts on the next run, and a certification IAM adds later too', async () => {
    // Prepare
    const users = await seedAccount();
    const handler = motoHandler(endpoint(), RULE);
    await handler(periodic());
    await iam.send(
      new DeactivateMFADeviceCommand({
        UserName: 'tagged-virtual',
        SerialNumber: `arn:aws:iam::123456789012:mfa/tagged-virtual`,
      }),
    );
    await setFidoCertifications(endpoint(), fidoSerial('group-admin-passkey'), {
      'FIPS-140-3': 'L2',
    });
    await iam.send(
      new EnableMFADeviceCommand({
        UserName: 'admin-no-mfa',
        SerialNumber: 'GAHT00000003',
        AuthenticationCode1: '123456',
        AuthenticationCode2: '654321',
      }),
    );

    // Act
    await handler(periodic());
    const verdicts = await storedVerdicts(endpoint(), RULE);

    // Assess
    expect(verdicts[idOf(users, 'tagged-virtual')]).toBe('COMPLIANT');
    expect(verdicts[idOf(users, 'group-admin-passkey')]).toBe('COMPLIANT');
    expect(verdicts[idOf(users, 'admin-no-mfa')]).toBe('COMPLIANT');
  });

  it('PrivilegedPolicyArns brings in a user, and an exemption tag clears it until its date', async () => {
    // Prepare
    const until = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const users = await seedHardwareUsers(endpoint(), {
      users: [
        { name: 'reader-admin', policies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
        {
          name: 'exempt-admin',
          policies: [ADMINISTRATOR_ACCESS],
          tags: { 'mfa-exemption': `${until} YubiKey on order` },
        },
      ],
    });

    // Act
    await motoHandler(
      endpoint(),
      RULE,
    )(periodic({ parameters: { PrivilegedPolicyArns: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } }));
    const stored = await storedEvaluations(endpoint(), RULE);

    // Assess
    const byId = new Map(stored.map((e) => [e.resourceId, e]));
    expect(byId.get(idOf(users, 'reader-admin'))?.compliance).toBe('NON_COMPLIANT');
    expect(byId.get(idOf(users, 'reader-admin'))?.annotation).toContain(
      '(privileged: listed policy ReadOnlyAccess)',
    );
    expect(byId.get(idOf(users, 'exempt-admin'))?.compliance).toBe('NOT_APPLICABLE');
    expect(byId.get(idOf(users, 'exempt-admin'))?.annotation).toContain(
      `is exempt until ${until} (end of day UTC): "YubiKey on order"`,
    );
  });

  it('a change notification evaluates that user; a deleted user turns NOT_APPLICABLE', async () => {
    // Prepare
    const [user] = await seedHardwareUsers(endpoint(), {
      users: [{ name: 'changing', devices: [{ kind: 'virtual' }] }],
    });
    if (!user) throw new Error('not seeded');
    const handler = motoHandler(endpoint(), RULE);
    const change = (status: string) =>
      changeEvent(RULE, {
        resourceId: user.userId,
        resourceName: user.name,
        status,
        captureTime: nextTime(),
      });
    await handler(change('OK'));
    const before = await storedVerdicts(endpoint(), RULE);
    await iam.send(
      new AttachUserPolicyCommand({ UserName: 'changing', PolicyArn: ADMINISTRATOR_ACCESS }),
    );

    // Act
    await handler(change('OK'));
    const privileged = await storedVerdicts(endpoint(), RULE);
    await iam.send(
      new DeactivateMFADeviceCommand({
        UserName: 'changing',
        SerialNumber: 'arn:aws:iam::123456789012:mfa/changing',
      }),
    );
    await iam.send(
      new DetachUserPolicyCommand({ UserName: 'changing', PolicyArn: ADMINISTRATOR_ACCESS }),
    );
    await iam.send(new DeleteUserCommand({ UserName: 'changing' }));
    await handler(change('ResourceDeleted'));
    const deleted = await storedEvaluations(endpoint(), RULE);

    // Assess
    expect(before).toEqual({ [user.userId]: 'NOT_APPLICABLE' });
    expect(privileged).toEqual({ [user.userId]: 'NON_COMPLIANT' });
    expect(deleted).toEqual([
      expect.objectContaining({
        resourceId: user.userId,
        compliance: 'NOT_APPLICABLE',
        annotation: expect.stringMatching(/^User changing no longer exists/) as unknown,
      }),
    ]);
  });
});
