/** iam-user-hardware-mfa's reads (facts.ts: request shapes and counts) against a mocked IAM, its change notifications and its parameters. */
import {
  GetAccountAuthorizationDetailsCommand,
  GetMFADeviceCommand,
  ListMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { iam } from './aws-mocks';
import { rule } from '../../rules/iam-user-hardware-mfa/rule';
import { DataLoadError, InvalidInputError } from '../../rules/runtime/errors';
import { parseParameters } from '../../rules/runtime/parameters';
import { type Scope } from '../../rules/runtime/types';
import { awsError } from './helpers';
import {
  ADMIN,
  FIDO,
  FILTER,
  group,
  HARDWARE,
  mockDetails,
  mockDevices,
  only,
  policies,
  run,
  userDetail,
  VIRTUAL,
} from './iam-user-hardware-mfa-fixtures';

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
