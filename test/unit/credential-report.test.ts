/** The credential report (facts/credential-report.ts) read through gatherUsers against a mocked IAM: its states, its rows, the identity of a row. */
import {
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  ListMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { DataLoadError } from '../../rules/runtime/errors';
import {
  awsError,
  gatherContext,
  listedUser,
  REPORT_HEADER,
  reportCsv,
  reportRow,
  ROOT_ROW,
  userArn,
} from './helpers';
import {
  ALL,
  byName,
  expectOnly,
  gatherUsers,
  GENERATED,
  iam,
  mockBulk,
} from './users-facts-fixtures';

describe('credential report states', () => {
  it('polls GenerateCredentialReport while STARTED, then reads the report', async () => {
    // Prepare
    mockBulk([listedUser('alice')], [reportRow('alice', true, true)]);
    iam
      .on(GenerateCredentialReportCommand)
      .resolvesOnce({ State: 'STARTED' })
      .resolves({ State: 'COMPLETE' });

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    expect(iam).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, 2);
    expect(iam).toHaveReceivedCommandTimes(GetCredentialReportCommand, 1);
    expect(facts.reportGeneratedAt).toEqual(GENERATED);
    expect(byName(facts, 'alice')).toMatchObject({
      consolePassword: true,
      mfaActive: true,
      evidence: 'credential-report',
    });
  });

  it('waits on CredentialReportNotReadyException without regenerating', async () => {
    // Prepare
    mockBulk([listedUser('alice')], [reportRow('alice', false, false)]);
    iam
      .on(GetCredentialReportCommand)
      .rejectsOnce(awsError('CredentialReportNotReadyException'))
      .resolves({
        Content: reportCsv([reportRow('alice', false, false)]),
        GeneratedTime: GENERATED,
      });

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    expect(iam).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, 1);
    expect(iam).toHaveReceivedCommandTimes(GetCredentialReportCommand, 2);
    expect(facts.users).toHaveLength(1);
  });

  it.each(['CredentialReportNotPresentException', 'CredentialReportExpiredException'])(
    'regenerates the report on %s',
    async (name) => {
      // Prepare
      mockBulk([listedUser('alice')], [reportRow('alice', false, false)]);
      iam
        .on(GetCredentialReportCommand)
        .rejectsOnce(awsError(name))
        .resolves({
          Content: reportCsv([reportRow('alice', false, false)]),
          GeneratedTime: GENERATED,
        });

      // Act
      const facts = await gatherUsers(gatherContext(), ALL);

      // Assess
      expect(iam).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, 2);
      expect(iam).toHaveReceivedCommandTimes(GetCredentialReportCommand, 2);
      expect(facts.users).toHaveLength(1);
    },
  );

  it('retries LimitExceededException', async () => {
    // Prepare
    mockBulk([listedUser('alice')], [reportRow('alice', false, false)]);
    iam
      .on(GenerateCredentialReportCommand)
      .rejectsOnce(awsError('LimitExceededException'))
      .resolves({ State: 'COMPLETE' });

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    expect(iam).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, 2);
    expect(facts.users).toHaveLength(1);
  });

  it('fails after 3 LimitExceededException retries', async () => {
    // Prepare
    mockBulk([listedUser('alice')], [reportRow('alice', false, false)]);
    iam.on(GenerateCredentialReportCommand).rejects(awsError('LimitExceededException'));

    // Act
    const result = gatherUsers(gatherContext(), ALL);

    // Assess
    await expect(result).rejects.toBeInstanceOf(DataLoadError);
    expect(iam).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, 4);
    expect(iam).toHaveReceivedCommandTimes(GetCredentialReportCommand, 0);
  });

  it('gives up with DeadlineError when no time is left to wait', async () => {
    // Prepare
    mockBulk([listedUser('alice')], []);
    iam.on(GenerateCredentialReportCommand).resolves({ State: 'STARTED' });
    const ctx = { ...gatherContext(), remainingMs: () => 1000 };

    // Act
    const result = gatherUsers(ctx, ALL);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'DeadlineError' });
  });
});

describe('report rows', () => {
  it('reads Content given as Uint8Array and ignores the <root_account> row', async () => {
    // Prepare
    mockBulk([listedUser('alice')], [reportRow('alice', true, false)], {
      alice: 'arn:aws:iam::123456789012:mfa/alice',
    });

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    expect(facts.users.map((u) => u.userName)).toEqual(['alice']);
    expect(facts.departed).toEqual([]);
    expect(byName(facts, 'alice')).toMatchObject({
      consolePassword: true,
      mfaActive: true,
      evidence: 'virtual-mfa',
    });
    expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 0);
    expect(iam).toHaveReceivedCommandTimes(GetLoginProfileCommand, 0);
    expect(facts.liveChecks).toBe(0);
  });

  it('checks a user missing from the report live (GetLoginProfile + ListMFADevices)', async () => {
    // Prepare
    mockBulk([listedUser('alice'), listedUser('bob')], [reportRow('alice', false, false)]);
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'bob', CreateDate: new Date() } });

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    expectOnly(ListMFADevicesCommand, { UserName: 'bob' });
    expectOnly(GetLoginProfileCommand, { UserName: 'bob' });
    expect(byName(facts, 'bob')).toMatchObject({
      consolePassword: true,
      mfaActive: false,
      evidence: 'live',
    });
    expect(facts.liveChecks).toBe(1);
  });

  it('treats GetLoginProfile NoSuchEntity as no console password', async () => {
    // Prepare
    mockBulk([listedUser('bob')], []);
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iam.on(GetLoginProfileCommand).rejects(awsError('NoSuchEntityException'));

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    expect(byName(facts, 'bob')).toMatchObject({ consolePassword: false, evidence: 'live' });
  });

  it('checks live a user whose row belongs to an earlier user of the same name', async () => {
    // Prepare
    mockBulk([listedUser('alice')], [reportRow('alice', true, true, '2020-05-05T00:00:00+00:00')]);
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'alice', CreateDate: new Date() } });

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 1);
    expect(iam).toHaveReceivedCommandTimes(GetLoginProfileCommand, 1);
    expect(byName(facts, 'alice')).toMatchObject({ mfaActive: false, evidence: 'live' });
  });

  it('checks live a user whose unquoted comma name breaks the column count', async () => {
    // Prepare
    const user = listedUser('a,b', 'AIDAAB');
    mockBulk([user], [`a,b,${userArn('a,b')},2024-01-01T00:00:00+00:00,true,N/A,true`]);
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'a,b', CreateDate: new Date() } });

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    expectOnly(ListMFADevicesCommand, { UserName: 'a,b' });
    expect(byName(facts, 'a,b')).toMatchObject({ evidence: 'live', mfaActive: false });
  });

  it('parses a quoted comma name from the report', async () => {
    // Prepare
    const user = listedUser('a,b', 'AIDAAB');
    mockBulk([user], [`"a,b","${userArn('a,b')}",2024-01-01T00:00:00+00:00,true,N/A,true`]);

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    expect(byName(facts, 'a,b')).toMatchObject({
      evidence: 'credential-report',
      consolePassword: true,
      mfaActive: true,
    });
    expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 0);
  });

  it('checks live a user with duplicate ARN rows', async () => {
    // Prepare
    mockBulk(
      [listedUser('alice')],
      [reportRow('alice', false, false), reportRow('alice', true, true)],
    );
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iam.on(GetLoginProfileCommand).rejects(awsError('NoSuchEntityException'));

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 1);
    expect(iam).toHaveReceivedCommandTimes(GetLoginProfileCommand, 1);
    expect(byName(facts, 'alice')?.evidence).toBe('live');
  });

  it('rejects a report lacking a required column', async () => {
    // Prepare
    mockBulk([listedUser('alice')], []);
    iam.on(GetCredentialReportCommand).resolves({
      Content: new TextEncoder().encode('user,arn,password_enabled\nalice,x,true\n'),
      GeneratedTime: GENERATED,
    });

    // Act
    const result = gatherUsers(gatherContext(), ALL);

    // Assess
    await expect(result).rejects.toBeInstanceOf(DataLoadError);
  });

  it('accepts a report whose header is the real one', () => {
    // Assess (sanity: the fixtures use the report's real column names)
    expect(REPORT_HEADER.split(',')).toEqual(
      expect.arrayContaining([
        'user',
        'arn',
        'user_creation_time',
        'password_enabled',
        'mfa_active',
      ]),
    );
    expect(ROOT_ROW.startsWith('<root_account>,')).toBe(true);
  });
});

describe('exact identity of a report row', () => {
  const at = (offsetMs: number) => new Date(Date.parse('2024-01-01T00:00:00Z') + offsetMs);

  it.each([
    ['the same second', 0, 'credential-report'],
    ['a fraction a serializer kept', 600, 'credential-report'],
    ['a fraction just under a second', 999, 'credential-report'],
    ['one second later (re-created)', 1_000, 'live'],
    ['1.5 seconds later (re-created)', 1_500, 'live'],
    ['two seconds later (re-created)', 2_000, 'live'],
    ['one second earlier', -1_000, 'live'],
  ] as const)('listed user created at %s (%i ms) → %s facts', async (_label, offset, evidence) => {
    // Prepare
    const user = { ...listedUser('alice'), CreateDate: at(offset) };
    mockBulk([user], [reportRow('alice', true, true)]);
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'alice', CreateDate: new Date() } });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    expect(byName(facts, 'alice')?.evidence).toBe(evidence);
  });
});
