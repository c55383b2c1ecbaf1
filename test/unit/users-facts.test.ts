/** gatherUsers (with the console rule's verdict) against a mocked IAM: bulk reads, the report's states and rows, and the per-user floor. */
import {
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  IAMClient,
  ListMFADevicesCommand,
  ListUsersCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { Deadline } from '../../rules/runtime/deadline';
import { DataLoadError, DeadlineError } from '../../rules/runtime/errors';
import { consoleCheck } from '../../rules/iam-user-console-mfa/rule';
import { gatherUsers as gatherWith, type UsersFacts } from '../../rules/runtime/facts/users';
import type { GatherContext, Scope } from '../../rules/runtime/types';
import {
  awsError,
  gatherContext,
  listedUser,
  REPORT_HEADER,
  reportCsv,
  reportRow,
  ROOT_ROW,
  userArn,
  virtualDevicesFor,
  type TestUser,
} from './helpers';

const gatherUsers = (ctx: GatherContext, scope: Scope): Promise<UsersFacts> =>
  gatherWith(ctx, scope, consoleCheck({ ExemptionTagKey: '' }));

const iam = mockClient(IAMClient);
const GENERATED = new Date('2026-01-01T00:00:00Z');
const ALL = { kind: 'all' } as const;

function mockBulk(users: TestUser[], rows: string[], assigned: Record<string, string> = {}): void {
  // The report's MFA users hold a virtual device unless a test says otherwise.
  const virtual = { ...virtualDevicesFor(rows), ...assigned };
  iam.on(ListUsersCommand).resolves({ Users: users, IsTruncated: false });
  iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
  iam
    .on(GetCredentialReportCommand)
    .resolves({ Content: reportCsv(rows), GeneratedTime: GENERATED, ReportFormat: 'text/csv' });
  iam.on(ListVirtualMFADevicesCommand).resolves({
    VirtualMFADevices: Object.entries(virtual).map(([name, serial]) => ({
      SerialNumber: serial,
      User: listedUser(name),
    })),
    IsTruncated: false,
  });
}

function expectOnly(command: abstract new (...args: never[]) => object, input: object): void {
  const calls = iam.calls().filter((call) => call.args[0] instanceof command);
  expect(calls).toHaveLength(1);
  expect(calls[0]?.args[0].input).toEqual(input);
}

function byName(facts: UsersFacts, name: string) {
  return facts.users.find((u) => u.userName === name);
}

beforeEach(() => {
  iam.reset();
});

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

describe('flagged users (console password, no MFA in the report)', () => {
  it('is cleared by a virtual device assigned now, without ListMFADevices', async () => {
    // Prepare
    mockBulk([listedUser('alice')], [reportRow('alice', true, false)], {
      alice: 'arn:aws:iam::123456789012:mfa/a',
    });

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    expect(byName(facts, 'alice')).toMatchObject({ mfaActive: true, evidence: 'virtual-mfa' });
    expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 0);
  });

  it('is cleared by a hardware device found live', async () => {
    // Prepare
    mockBulk([listedUser('alice')], [reportRow('alice', true, false)]);
    iam.on(ListMFADevicesCommand).resolves({
      MFADevices: [{ UserName: 'alice', SerialNumber: 'GAHT12345678', EnableDate: new Date() }],
    });
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'alice', CreateDate: new Date() } });

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    expect(byName(facts, 'alice')).toMatchObject({
      consolePassword: true,
      mfaActive: true,
      evidence: 'live',
    });
    expectOnly(ListMFADevicesCommand, { UserName: 'alice' });
    expectOnly(GetLoginProfileCommand, { UserName: 'alice' });
  });

  it('stays without MFA when no device is found live', async () => {
    // Prepare
    mockBulk([listedUser('alice')], [reportRow('alice', true, false)]);
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'alice', CreateDate: new Date() } });

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    expect(byName(facts, 'alice')).toMatchObject({
      consolePassword: true,
      mfaActive: false,
      evidence: 'live',
    });
  });

  it('reports a user deleted mid-run (ListMFADevices NoSuchEntity) as departed', async () => {
    // Prepare
    mockBulk([listedUser('alice')], [reportRow('alice', true, false)]);
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'alice', CreateDate: new Date() } });
    iam.on(ListMFADevicesCommand).rejects(awsError('NoSuchEntityException'));

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    expect(facts.users).toEqual([]);
    expect(facts.departed).toEqual([
      {
        userId: 'AIDAALICE',
        userName: 'alice',
        reason: 'was deleted during the evaluation',
        at: expect.any(Date) as unknown,
      },
    ]);
  });

  it('makes exactly one ListMFADevices and one GetLoginProfile per flagged user (1000 users, 50 flagged)', async () => {
    // Prepare
    const users = Array.from({ length: 1000 }, (_, i) =>
      listedUser(`user${String(i)}`, `AIDA${String(i)}`),
    );
    const rows = users.map((u, i) => reportRow(u.UserName, i % 2 === 0, i % 20 !== 0));
    mockBulk(users, rows);
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'x', CreateDate: new Date() } });

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 50);
    expect(iam).toHaveReceivedCommandTimes(GetLoginProfileCommand, 50);
    expect(iam).toHaveReceivedCommandTimes(ListUsersCommand, 1);
    expect(facts.users).toHaveLength(1000);
    expect(facts.liveChecks).toBe(50);
    expect(facts.users.filter((u) => u.consolePassword && !u.mfaActive)).toHaveLength(50);
  });
});

describe('ListUsers', () => {
  it('follows Marker while IsTruncated, with MaxItems 1000', async () => {
    // Prepare
    mockBulk([], [reportRow('alice', false, false), reportRow('bob', false, false)]);
    iam
      .on(ListUsersCommand)
      .resolvesOnce({ Users: [listedUser('alice')], IsTruncated: true, Marker: 'm1' })
      .resolvesOnce({ Users: [listedUser('bob')], IsTruncated: false });

    // Act
    const facts = await gatherUsers(gatherContext(), ALL);

    // Assess
    const calls = iam.commandCalls(ListUsersCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([{ MaxItems: 1000 }, { MaxItems: 1000, Marker: 'm1' }]);
    expect(facts.users.map((u) => u.userName).sort()).toEqual(['alice', 'bob']);
  });

  it('rejects when the same Marker comes back twice', async () => {
    // Prepare
    mockBulk([], []);
    iam.on(ListUsersCommand).resolves({ Users: [], IsTruncated: true, Marker: 'loop' });

    // Act
    const result = gatherUsers(gatherContext(), ALL);

    // Assess
    await expect(result).rejects.toBeInstanceOf(DataLoadError);
  });
});

describe('read errors never give partial facts', () => {
  it.each([
    ['ListUsers', () => iam.on(ListUsersCommand).rejects(awsError('ServiceFailure'))],
    [
      'ListVirtualMFADevices',
      () => iam.on(ListVirtualMFADevicesCommand).rejects(awsError('ServiceFailure')),
    ],
    [
      'GetCredentialReport',
      () => iam.on(GetCredentialReportCommand).rejects(awsError('ServiceFailure')),
    ],
    ['ListMFADevices', () => iam.on(ListMFADevicesCommand).rejects(awsError('ServiceFailure'))],
    ['GetLoginProfile', () => iam.on(GetLoginProfileCommand).rejects(awsError('ServiceFailure'))],
  ] as const)('%s failing rejects with DataLoadError', async (_name, fail) => {
    // Prepare
    mockBulk([listedUser('alice'), listedUser('bob')], [reportRow('alice', true, false)]);
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'bob', CreateDate: new Date() } });
    fail();

    // Act
    const result = gatherUsers(gatherContext(), ALL);

    // Assess
    await expect(result).rejects.toBeInstanceOf(DataLoadError);
  });
});

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

describe('a failed bulk read stops the others', () => {
  /** Lets pending callbacks run: a page or poll that is still going gets its next turn. */
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
  /** The abort signal a call was sent with (the second argument of `send`). */
  const signalOf = (call: { args: unknown[] }) =>
    (call.args[1] as { abortSignal?: AbortSignal } | undefined)?.abortSignal;

  it('stops polling for the credential report when ListUsers fails, and rejects with that error', async () => {
    // Prepare
    mockBulk([], []);
    iam.on(GenerateCredentialReportCommand).resolves({ State: 'STARTED' });
    let failListUsers: (error: Error) => void = () => undefined;
    iam.on(ListUsersCommand).callsFake(
      () =>
        new Promise((_resolve, reject) => {
          failListUsers = reject;
        }),
    );
    let polls = 0;
    const sleep = async () => {
      polls += 1;
      if (polls === 2) failListUsers(awsError('ServiceFailure', 'IAM is down'));
      if (polls > 50) throw new Error('still polling'); // bounds a poll loop that never stops
      await nextTurn();
    };
    const ctx = { ...gatherContext(), tuning: { pollIntervalMs: 1, sleep } };

    // Act
    const error = await gatherUsers(ctx, ALL).catch((caught: unknown) => caught);
    const generatesAtRejection = iam.commandCalls(GenerateCredentialReportCommand).length;
    for (let turn = 0; turn < 5; turn += 1) await nextTurn();

    // Assess
    expect(error).toBeInstanceOf(DataLoadError);
    expect(error).toHaveProperty('message', 'cannot list IAM users: ServiceFailure: IAM is down');
    expect(generatesAtRejection).toBe(2);
    expect(iam).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, 2);
    expect(polls).toBe(2);
  });

  it('rejects only once the virtual MFA page in flight has returned, and reads no next page', async () => {
    // Prepare
    mockBulk([], []);
    iam.on(ListUsersCommand).rejects(awsError('ServiceFailure', 'IAM is down'));
    let returnPage: () => void = () => undefined;
    iam.on(ListVirtualMFADevicesCommand).callsFake(
      () =>
        new Promise((resolve) => {
          returnPage = () => {
            resolve({ VirtualMFADevices: [], IsTruncated: true, Marker: 'm1' });
          };
        }),
    );
    let settled = false;

    // Act
    const outcome = gatherUsers(gatherContext(), ALL).catch((caught: unknown) => caught);
    void outcome.then(() => (settled = true));
    await nextTurn();
    const settledWhilePageInFlight = settled;
    returnPage();
    const error = await outcome;
    await nextTurn();

    // Assess
    expect(settledWhilePageInFlight).toBe(false);
    expect(error).toBeInstanceOf(DataLoadError);
    expect(error).toHaveProperty('message', 'cannot list IAM users: ServiceFailure: IAM is down');
    expect(iam).toHaveReceivedCommandTimes(ListVirtualMFADevicesCommand, 1);
    const signals = new Set(iam.calls().map(signalOf));
    expect(iam.calls()).toHaveLength(4);
    expect(signals.size).toBe(1);
    expect([...signals][0]?.aborted).toBe(true);
  });

  it('rejects with the credential report error, not the abort, and stops paging ListUsers', async () => {
    // Prepare
    mockBulk([], []);
    iam.on(GetCredentialReportCommand).rejects(awsError('ServiceFailure', 'report unavailable'));
    iam.on(ListUsersCommand).callsFake(async () => {
      await nextTurn();
      return { Users: [listedUser('alice')], IsTruncated: true, Marker: 'm1' };
    });

    // Act
    const error = await gatherUsers(gatherContext(), ALL).catch((caught: unknown) => caught);
    for (let turn = 0; turn < 5; turn += 1) await nextTurn();

    // Assess
    expect(error).toBeInstanceOf(DataLoadError);
    expect(error).toHaveProperty(
      'message',
      'cannot load the IAM credential report: ServiceFailure: report unavailable',
    );
    expect(iam).toHaveReceivedCommandTimes(ListUsersCommand, 1);
  });

  it('cuts the wait between report polls short (default sleep)', async () => {
    // Prepare
    mockBulk([], []);
    iam.on(GenerateCredentialReportCommand).resolves({ State: 'STARTED' });
    iam.on(ListUsersCommand).callsFake(async () => {
      await nextTurn();
      throw awsError('ServiceFailure', 'IAM is down');
    });
    const ctx = { ...gatherContext(), tuning: { pollIntervalMs: 60_000 } };
    const started = Date.now();

    // Act
    const error = await gatherUsers(ctx, ALL).catch((caught: unknown) => caught);

    // Assess
    expect(error).toHaveProperty('message', 'cannot list IAM users: ServiceFailure: IAM is down');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(iam).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, 1);
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

describe('the deadline', () => {
  const signalOf = (call: { args: unknown[] }) =>
    (call.args[1] as { abortSignal?: AbortSignal } | undefined)?.abortSignal;

  it('gives every IAM call an abort signal', async () => {
    // Prepare
    mockBulk([listedUser('alice'), listedUser('bob')], [reportRow('alice', true, false)]);
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'x', CreateDate: new Date() } });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });

    // Act
    await gatherUsers(gatherContext(), ALL);

    // Assess
    expect(iam.calls().length).toBeGreaterThan(5);
    for (const call of iam.calls()) expect(signalOf(call)).toBeInstanceOf(AbortSignal);
  });

  it('stops paging ListUsers once the deadline has passed', async () => {
    // Prepare
    let remaining = 60_000;
    mockBulk([], []);
    iam.on(ListUsersCommand).callsFake(() => {
      remaining = 1_000; // after the first page, the reserve is reached
      return { Users: [listedUser('alice')], IsTruncated: true, Marker: 'm1' };
    });
    const ctx = { ...gatherContext(), remainingMs: () => remaining };

    // Act
    const result = gatherUsers(ctx, ALL);

    // Assess
    await expect(result).rejects.toBeInstanceOf(DeadlineError);
    expect(iam).toHaveReceivedCommandTimes(ListUsersCommand, 1);
  });

  it('stops the per-user confirmations once the deadline has passed', async () => {
    // Prepare
    let remaining = 60_000;
    const users = Array.from({ length: 40 }, (_, i) => listedUser(`u${String(i)}`));
    mockBulk(
      users,
      users.map((u) => reportRow(u.UserName, true, false)),
    );
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'x', CreateDate: new Date() } });
    iam.on(ListMFADevicesCommand).callsFake(() => {
      remaining = 1_000;
      return { MFADevices: [] };
    });
    const ctx = { ...gatherContext(), remainingMs: () => remaining, tuning: { concurrency: 2 } };

    // Act
    const result = gatherUsers(ctx, ALL);

    // Assess
    await expect(result).rejects.toBeInstanceOf(DeadlineError);
    expect(iam.commandCalls(ListMFADevicesCommand).length).toBeLessThanOrEqual(2);
  });

  it('turns a call the deadline aborted into a DeadlineError', async () => {
    // Prepare
    mockBulk([listedUser('alice')], [reportRow('alice', true, false)]);
    const deadline = new Deadline(() => 60_000);
    iam.on(GetLoginProfileCommand).callsFake(() => {
      (deadline as unknown as { expire: () => void }).expire();
      throw awsError('AbortError', 'Request aborted');
    });

    // Act
    const result = gatherUsers({ ...gatherContext(), deadline }, ALL);

    // Assess
    await expect(result).rejects.toBeInstanceOf(DeadlineError);
    deadline.dispose();
  });
});

describe('users are named by id in errors', () => {
  it.each([
    [
      'GetLoginProfile',
      () => iam.on(GetLoginProfileCommand).rejects(awsError('ServiceFailure', 'IAM is down')),
    ],
    [
      'ListMFADevices',
      () => iam.on(ListMFADevicesCommand).rejects(awsError('ServiceFailure', 'IAM is down')),
    ],
  ] as const)('%s failing names the user id, not the name', async (_label, fail) => {
    // Prepare
    mockBulk([listedUser('alice.secret-name', 'AIDAALICEID')], []);
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'x', CreateDate: new Date() } });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    fail();

    // Act
    const error = await gatherUsers(gatherContext(), ALL).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(DataLoadError);
    expect((error as Error).message).toContain('AIDAALICEID');
    expect((error as Error).message).not.toContain('alice.secret-name');
  });

  it('GetUser failing on a change notification names the user id', async () => {
    // Prepare
    iam.on(GetUserCommand).rejects(awsError('ServiceFailure', 'IAM is down'));

    // Act
    const error = await gatherUsers(gatherContext(), {
      kind: 'user',
      userId: 'AIDAALICEID',
      userName: 'alice.secret-name',
    }).catch((caught: unknown) => caught);

    // Assess
    expect((error as Error).message).toContain('AIDAALICEID');
    expect((error as Error).message).not.toContain('alice.secret-name');
  });
});
