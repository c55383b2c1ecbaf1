/** gatherUsers (with the console rule's verdict) against a mocked IAM: flagged users, ListUsers, read errors, the deadline (the report: credential-report.test.ts; live checks: users-facts-live.test.ts). */
import {
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  ListMFADevicesCommand,
  ListUsersCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { Deadline } from '../../rules/runtime/deadline';
import { DataLoadError, DeadlineError } from '../../rules/runtime/errors';
import { awsError, gatherContext, listedUser, reportRow } from './helpers';
import { ALL, byName, expectOnly, gatherUsers, iam, mockBulk } from './users-facts-fixtures';

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
