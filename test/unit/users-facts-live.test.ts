/** gatherUsers' live checks (facts/users.ts) against a mocked IAM: single-user scope, both facts live for a flagged user, a newer verdict on record. */
import {
  GetLoginProfileCommand,
  GetUserCommand,
  ListMFADevicesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { DataLoadError } from '../../rules/runtime/errors';
import { awsError, gatherContext, listedUser, reportRow } from './helpers';
import {
  ALL,
  byName,
  expectOnly,
  gatherUsers,
  GENERATED,
  iam,
  mockBulk,
} from './users-facts-fixtures';

describe('single-user scope (change notification)', () => {
  const scope = { kind: 'user', userId: 'AIDAALICE', userName: 'alice' } as const;

  it('reads GetUser, ListMFADevices and GetLoginProfile only', async () => {
    // Prepare
    iam.on(GetUserCommand).resolves({ User: listedUser('alice') });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'alice', CreateDate: new Date() } });

    // Act
    const facts = await gatherUsers(gatherContext(), scope);

    // Assess
    expectOnly(GetUserCommand, { UserName: 'alice' });
    expectOnly(ListMFADevicesCommand, { UserName: 'alice' });
    expectOnly(GetLoginProfileCommand, { UserName: 'alice' });
    expect(iam.calls()).toHaveLength(3);
    expect(facts.users).toEqual([
      expect.objectContaining({
        userId: 'AIDAALICE',
        consolePassword: true,
        mfaActive: false,
        evidence: 'live',
      }),
    ]);
  });

  it('reports GetUser NoSuchEntity as departed when ListUsers has no such id either', async () => {
    // Prepare
    iam.on(GetUserCommand).rejects(awsError('NoSuchEntityException'));
    iam.on(ListUsersCommand).resolves({ Users: [listedUser('bob')], IsTruncated: false });

    // Act
    const facts = await gatherUsers(gatherContext(), scope);

    // Assess
    expect(facts.users).toEqual([]);
    expect(facts.departed).toEqual([
      {
        userId: 'AIDAALICE',
        userName: 'alice',
        reason: 'no longer exists',
        at: expect.any(Date) as unknown,
      },
    ]);
    expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 0);
  });

  it('reports a name now held by another user (UserId mismatch) as departed', async () => {
    // Prepare
    iam.on(GetUserCommand).resolves({ User: listedUser('alice', 'AIDANEWALICE') });
    iam
      .on(ListUsersCommand)
      .resolves({ Users: [listedUser('alice', 'AIDANEWALICE')], IsTruncated: false });

    // Act
    const facts = await gatherUsers(gatherContext(), scope);

    // Assess
    expect(facts.users).toEqual([]);
    expect(facts.departed[0]?.userId).toBe('AIDAALICE');
    expect(facts.departed[0]?.reason).toContain('AIDANEWALICE');
    expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 0);
  });

  it.each([
    ['renamed since the item was captured (GetUser: NoSuchEntity)', undefined],
    ['renamed, and its old name taken by another user', listedUser('alice', 'AIDANEWALICE')],
  ])('finds a user %s by its id, under its name now', async (_label, byOldName) => {
    // Prepare
    if (byOldName) iam.on(GetUserCommand).resolves({ User: byOldName });
    else iam.on(GetUserCommand).rejects(awsError('NoSuchEntityException'));
    iam.on(ListUsersCommand).resolves({
      Users: [listedUser('alice-renamed', 'AIDAALICE'), listedUser('alice', 'AIDANEWALICE')],
      IsTruncated: false,
    });
    iam.on(ListMFADevicesCommand, { UserName: 'alice-renamed' }).resolves({ MFADevices: [] });
    iam
      .on(GetLoginProfileCommand, { UserName: 'alice-renamed' })
      .resolves({ LoginProfile: { UserName: 'alice-renamed', CreateDate: new Date() } });

    // Act
    const facts = await gatherUsers(gatherContext(), scope);

    // Assess
    expect(facts.departed).toEqual([]);
    expect(facts.users).toEqual([
      expect.objectContaining({
        userId: 'AIDAALICE',
        userName: 'alice-renamed',
        consolePassword: true,
        mfaActive: false,
      }),
    ]);
    expect(iam).toHaveReceivedCommandTimes(ListUsersCommand, 1);
  });

  it('rejects with DataLoadError on any other GetUser error', async () => {
    // Prepare
    iam.on(GetUserCommand).rejects(awsError('ServiceFailure'));

    // Act
    const result = gatherUsers(gatherContext(), scope);

    // Assess
    await expect(result).rejects.toBeInstanceOf(DataLoadError);
  });

  it('finds the user by id through ListUsers when the event has no name', async () => {
    // Prepare
    iam
      .on(ListUsersCommand)
      .resolves({ Users: [listedUser('bob'), listedUser('alice')], IsTruncated: false });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iam.on(GetLoginProfileCommand).rejects(awsError('NoSuchEntityException'));

    // Act
    const facts = await gatherUsers(gatherContext(), {
      kind: 'user',
      userId: 'AIDAALICE',
      userName: undefined,
    });

    // Assess
    expect(iam).toHaveReceivedCommandTimes(GetUserCommand, 0);
    expect(facts.users).toEqual([
      expect.objectContaining({ userName: 'alice', consolePassword: false }),
    ]);
  });
});

describe('both facts live for a flagged user', () => {
  it('sees a console password deleted after the report (GetLoginProfile NoSuchEntity, user still there)', async () => {
    // Prepare
    mockBulk([listedUser('alice')], [reportRow('alice', true, false)]);
    iam.on(GetLoginProfileCommand).rejects(awsError('NoSuchEntityException'));
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    expect(byName(facts, 'alice')).toMatchObject({
      consolePassword: false,
      mfaActive: false,
      evidence: 'live',
      checkedLiveBecause: 'flagged',
    });
    expect(facts.departed).toEqual([]);
  });

  it('asks GetLoginProfile before ListMFADevices, so ListMFADevices proves the user still exists', async () => {
    // Prepare
    const order: string[] = [];
    mockBulk([listedUser('alice')], [reportRow('alice', true, false)]);
    iam.on(GetLoginProfileCommand).callsFake(() => {
      order.push('GetLoginProfile');
      throw awsError('NoSuchEntityException');
    });
    iam.on(ListMFADevicesCommand).callsFake(() => {
      order.push('ListMFADevices');
      return { MFADevices: [] };
    });

    // Act
    await gatherUsers(gatherContext(), ALL);

    // Assess
    expect(order).toEqual(['GetLoginProfile', 'ListMFADevices']);
  });

  it('reports a user deleted mid-run as departed, not as a user without a password', async () => {
    // Prepare
    mockBulk([listedUser('alice')], [reportRow('alice', true, false)]);
    iam.on(GetLoginProfileCommand).rejects(awsError('NoSuchEntityException'));
    iam.on(ListMFADevicesCommand).rejects(awsError('NoSuchEntityException'));

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    expect(facts.users).toEqual([]);
    expect(facts.departed).toEqual([
      expect.objectContaining({ userId: 'AIDAALICE', reason: 'was deleted during the evaluation' }),
    ]);
  });

  it('dates report facts with the report and live facts with the moment of the read', async () => {
    // Prepare
    mockBulk(
      [listedUser('alice'), listedUser('bob')],
      [reportRow('alice', true, true), reportRow('bob', true, false)],
    );
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'bob', CreateDate: new Date() } });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    const before = Date.now();

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);
    const after = Date.now();

    // Assess
    expect(byName(facts, 'alice')?.evidenceAt).toEqual(GENERATED);
    const live = byName(facts, 'bob')?.evidenceAt.getTime() ?? 0;
    expect(live).toBeGreaterThanOrEqual(before);
    expect(live).toBeLessThanOrEqual(after);
  });
});

describe('a newer verdict on record is never undone by the report', () => {
  const AFTER_REPORT = new Date(GENERATED.getTime() + 3_600_000);
  const BEFORE_REPORT = new Date(GENERATED.getTime() - 3_600_000);
  const onRecord = (compliance: string, orderingAt?: Date, recordedAt?: Date) =>
    Promise.resolve([
      {
        resourceType: 'AWS::IAM::User',
        resourceId: 'AIDAALICE',
        compliance,
        ...(orderingAt ? { orderingAt } : {}),
        ...(recordedAt ? { recordedAt } : {}),
      },
    ]);

  beforeEach(() => {
    // The report says alice has a password and MFA: COMPLIANT.
    mockBulk([listedUser('alice')], [reportRow('alice', true, true)]);
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'alice', CreateDate: new Date() } });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
  });

  it('checks live a user whose newer recorded verdict disagrees with the report', async () => {
    // Act
    const facts = await gatherUsers(
      { ...gatherContext(), recorded: onRecord('NON_COMPLIANT', AFTER_REPORT) },
      ALL,
    );

    // Assess
    expect(byName(facts, 'alice')).toMatchObject({
      mfaActive: false,
      evidence: 'live',
      checkedLiveBecause: 'newer-verdict-on-record',
    });
    expect(facts.newerOnRecord).toBe(1);
    expectOnly(GetLoginProfileCommand, { UserName: 'alice' });
    expectOnly(ListMFADevicesCommand, { UserName: 'alice' });
  });

  it.each([
    ['agrees, newer', 'COMPLIANT', AFTER_REPORT, undefined],
    ['disagrees, older than the report', 'NON_COMPLIANT', BEFORE_REPORT, AFTER_REPORT],
  ] as const)(
    'keeps the report when the verdict on record %s',
    async (_label, compliance, orderingAt, recordedAt) => {
      // Act
      const facts = await gatherUsers(
        { ...gatherContext(), recorded: onRecord(compliance, orderingAt, recordedAt) },
        ALL,
      );

      // Assess
      expect(byName(facts, 'alice')).toMatchObject({
        evidence: 'credential-report',
        mfaActive: true,
      });
      expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 0);
      expect(facts.newerOnRecord).toBe(0);
    },
  );

  it('takes the recorded time when there is no ordering time, and counts a verdict with neither as newer', async () => {
    // Act
    const byRecordedTime = await gatherUsers(
      { ...gatherContext(), recorded: onRecord('NOT_APPLICABLE', undefined, AFTER_REPORT) },
      ALL,
    );
    const withNoTime = await gatherUsers(
      { ...gatherContext(), recorded: onRecord('NOT_APPLICABLE') },
      ALL,
    );

    // Assess
    expect(byRecordedTime.newerOnRecord).toBe(1);
    expect(withNoTime.newerOnRecord).toBe(1);
  });

  it('compares a virtual-device verdict too: its password fact is the report’s', async () => {
    // Prepare
    mockBulk([listedUser('alice')], [reportRow('alice', true, false)], {
      alice: 'arn:aws:iam::123456789012:mfa/a',
    });
    iam.on(GetLoginProfileCommand).rejects(awsError('NoSuchEntityException'));

    // Act
    const facts = await gatherUsers(
      { ...gatherContext(), recorded: onRecord('NOT_APPLICABLE', AFTER_REPORT) },
      ALL,
    );

    // Assess
    expect(byName(facts, 'alice')).toMatchObject({ consolePassword: false, evidence: 'live' });
  });

  it('checks flagged users while the verdicts on record are still being read', async () => {
    // Prepare: bob is flagged; the record arrives only once bob's live check has begun.
    mockBulk(
      [listedUser('alice'), listedUser('bob')],
      [reportRow('alice', true, true), reportRow('bob', true, false)],
    );
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    iam.on(GetLoginProfileCommand).callsFake(() => {
      release();
      return { LoginProfile: { UserName: 'bob', CreateDate: new Date() } };
    });
    const recorded = gate.then(() => []);

    // Act
    const facts = await gatherUsers({ ...gatherContext(), recorded }, ALL);

    // Assess
    expect(byName(facts, 'bob')).toMatchObject({ evidence: 'live', checkedLiveBecause: 'flagged' });
    expect(byName(facts, 'alice')).toMatchObject({ evidence: 'credential-report' });
  });

  it('fails when the verdicts on record cannot be read', async () => {
    // Act
    const result = gatherUsers(
      { ...gatherContext(), recorded: Promise.reject(new DataLoadError('cannot read')) },
      ALL,
    );

    // Assess
    await expect(result).rejects.toThrow('cannot read');
  });
});
