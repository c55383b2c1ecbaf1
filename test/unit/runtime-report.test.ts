/** The shared Lambda runtime's sending (report.ts) through the handler: PutEvaluations batching and concurrency, verdicts that stay true. */
import {
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
  type Evaluation as ConfigEvaluation,
} from '@aws-sdk/client-config-service';
import {
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  ListMFADevicesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { rule as consoleMfa } from '../../rules/iam-user-console-mfa/rule';
import { DataLoadError, DeadlineError } from '../../rules/runtime/errors';
import { SEND_CONCURRENCY } from '../../rules/runtime/report';
import { listedUser, reportCsv, reportRow } from './helpers';
import {
  config,
  createHandler,
  event,
  iam,
  logAsInLambda,
  mockUsers,
  provider,
  sentBatches,
} from './runtime-fixtures';

describe('concurrency', () => {
  const manyUsers = (n: number) =>
    Array.from({ length: n }, (_, i) => listedUser(`user${String(i).padStart(4, '0')}`));

  it(`keeps at most ${SEND_CONCURRENCY} PutEvaluations in flight and sends every batch once`, async () => {
    // Prepare
    const users = manyUsers(950);
    mockUsers(
      users,
      users.map((u) => reportRow(u.UserName, false, false)),
    );
    let inFlight = 0;
    let peak = 0;
    config.on(PutEvaluationsCommand).callsFake(async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return { FailedEvaluations: [] };
    });
    const handler = createHandler(consoleMfa, { clients: provider });

    // Act
    const summary = await handler(event());

    // Assess
    expect(peak).toBe(SEND_CONCURRENCY);
    const ids = sentBatches().flatMap((batch) => batch.map((e) => e.ComplianceResourceId));
    expect(ids).toHaveLength(950);
    expect(new Set(ids).size).toBe(950);
    expect(summary.putEvaluationsCalls).toBe(10);
  });

  it('on a failed batch starts no new one, and reports after the batches in flight end', async () => {
    // Prepare
    const users = manyUsers(950);
    mockUsers(
      users,
      users.map((u) => reportRow(u.UserName, false, false)),
    );
    let call = 0;
    let settled = 0;
    config.on(PutEvaluationsCommand).callsFake(async () => {
      call += 1;
      if (call === 1) throw new Error('boom');
      await new Promise((resolve) => setTimeout(resolve, 20));
      settled += 1;
      return { FailedEvaluations: [] };
    });
    const handler = createHandler(consoleMfa, { clients: provider });

    // Act
    const result = handler(event());

    // Assess: the three batches already in flight were answered, and the message counts them.
    await expect(result).rejects.toThrow(
      new DataLoadError(
        `PutEvaluations failed: boom; ${String((SEND_CONCURRENCY - 1) * 100)} of 950 were recorded, ${String(950 - (SEND_CONCURRENCY - 1) * 100)} not sent (0 of them NON_COMPLIANT)`,
      ),
    );
    expect(settled).toBe(SEND_CONCURRENCY - 1);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, SEND_CONCURRENCY);
  });

  it('reads the recorded evaluations while the facts are gathered', async () => {
    // Prepare: the credential report is answered only after the clean-up read has started.
    const order: string[] = [];
    mockUsers([listedUser('alice')], [reportRow('alice', true, true)]);
    config.on(GetComplianceDetailsByConfigRuleCommand).callsFake(() => {
      order.push('recorded');
      return { EvaluationResults: [] };
    });
    iam.on(GetCredentialReportCommand).callsFake(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('report');
      return { Content: reportCsv([reportRow('alice', true, true)]), GeneratedTime: new Date() };
    });
    const handler = createHandler(consoleMfa, { clients: provider });

    // Act
    const summary = await handler(event());

    // Assess
    expect(order).toEqual(['recorded', 'recorded', 'recorded', 'report']);
    expect(summary.counts.COMPLIANT).toBe(1);
  });

  it('sends nothing when gathering fails while the recorded evaluations are being read', async () => {
    // Prepare
    mockUsers([listedUser('alice')], [reportRow('alice', true, true)]);
    iam.on(ListUsersCommand).rejects(new Error('denied'));
    config.on(GetComplianceDetailsByConfigRuleCommand).rejects(new Error('also denied'));
    const handler = createHandler(consoleMfa, { clients: provider });

    // Act
    const result = handler(event());

    // Assess: the gathering error is the one raised; nothing was sent.
    await expect(result).rejects.toThrow(/cannot list IAM users: denied/);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
  });

  it('stops reading recorded evaluations when gathering fails, and returns once the read ended', async () => {
    // Prepare: the recorded verdicts come in 20 slow pages; ListUsers fails meanwhile.
    mockUsers([listedUser('alice')], [reportRow('alice', true, true)]);
    let inFlight = 0;
    let served = 0;
    config.on(GetComplianceDetailsByConfigRuleCommand).callsFake(async () => {
      inFlight += 1;
      served += 1;
      await new Promise((resolve) => setTimeout(resolve, 30));
      inFlight -= 1;
      return {
        EvaluationResults: [],
        ...(served < 20 ? { NextToken: `page-${String(served)}` } : {}),
      };
    });
    iam.on(ListUsersCommand).callsFake(async () => {
      await new Promise((resolve) => setTimeout(resolve, 40));
      throw new Error('denied');
    });
    const handler = createHandler(consoleMfa, { clients: provider });

    // Act
    const result = handler(event());

    // Assess: the gathering error is raised after the page in flight was answered; no page follows.
    await expect(result).rejects.toThrow(/cannot list IAM users: denied/);
    expect(inFlight).toBe(0);
    const pagesRead = config.commandCalls(GetComplianceDetailsByConfigRuleCommand).length;
    expect(pagesRead).toBeLessThanOrEqual(6); // three listings, at most two pages each
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(config.commandCalls(GetComplianceDetailsByConfigRuleCommand)).toHaveLength(pagesRead);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
  });
});

describe('verdicts that stay true (handler)', () => {
  const REPORT_TIME = new Date('2026-03-01T09:00:00Z');
  const recordedResult = (
    id: string,
    compliance: 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE',
    orderingAt: Date,
    recordedAt: Date,
  ) => ({
    ComplianceType: compliance,
    ResultRecordedTime: recordedAt,
    EvaluationResultIdentifier: {
      EvaluationResultQualifier: { ResourceType: 'AWS::IAM::User', ResourceId: id },
      OrderingTimestamp: orderingAt,
    },
  });

  it('sends NON_COMPLIANT first, then the clean-up, then COMPLIANT and NOT_APPLICABLE', async () => {
    // Prepare: 150 compliant, 150 not applicable, 120 non-compliant users, 30 vanished ones.
    const users = Array.from({ length: 420 }, (_, i) =>
      listedUser(`u${String(i).padStart(3, '0')}`, `AIDA${String(i)}`),
    );
    mockUsers(
      users,
      users.map((u, i) => reportRow(u.UserName, i % 3 !== 1, i % 3 === 0 || i >= 300)),
    );
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'x', CreateDate: new Date() } });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({
      EvaluationResults: Array.from({ length: 30 }, (_, i) =>
        recordedResult(`AIDAGONE${String(i)}`, 'COMPLIANT', REPORT_TIME, REPORT_TIME),
      ),
    });
    const handler = createHandler(consoleMfa, { clients: provider });

    // Act
    const summary = await handler(event());

    // Assess
    const phaseOf = (e: ConfigEvaluation) =>
      e.ComplianceResourceId?.startsWith('AIDAGONE')
        ? 1
        : e.ComplianceType === 'NON_COMPLIANT'
          ? 0
          : 2;
    const phases = sentBatches().map((batch) => [...new Set(batch.map(phaseOf))]);
    expect(phases).toEqual([[0], [1], [2], [2], [2], [2]]);
    expect(sentBatches().map((batch) => batch.length)).toEqual([100, 30, 100, 100, 100, 20]);
    expect(summary.counts).toEqual({ COMPLIANT: 180, NON_COMPLIANT: 100, NOT_APPLICABLE: 170 });
  });

  it('at the deadline has sent every NON_COMPLIANT before any other, fails, and logs how many were not sent', async () => {
    // Prepare: after the first PutEvaluations little time remains.
    const users = Array.from({ length: 1200 }, (_, i) =>
      listedUser(`u${String(i).padStart(4, '0')}`, `AIDA${String(i)}`),
    );
    mockUsers(
      users,
      users.map((u, i) => reportRow(u.UserName, true, i % 10 !== 0)),
    );
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'x', CreateDate: new Date() } });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    let remaining = 600_000;
    config.on(PutEvaluationsCommand).callsFake(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      remaining = 1_000;
      return { FailedEvaluations: [] };
    });
    const logged: string[] = [];
    const capture = (...args: unknown[]) => {
      logged.push(args.map((a) => String(a)).join(' '));
      return true;
    };
    jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    logAsInLambda();
    for (const method of ['log', 'info', 'warn', 'error'] as const) {
      jest.spyOn(console, method).mockImplementation(capture);
    }
    const handler = createHandler(consoleMfa, { clients: provider });

    // Act
    const error = await handler(event(), { getRemainingTimeInMillis: () => remaining }).catch(
      (caught: unknown) => caught,
    );

    // Assess
    expect(error).toBeInstanceOf(DeadlineError);
    expect((error as Error).message).toContain(
      'stopped before the Lambda timeout: 120 of 1200 evaluations sent, 1080 not sent (0 of them NON_COMPLIANT)',
    );
    const sent = sentBatches().flat();
    expect(sent).toHaveLength(120);
    expect(sent.every((e) => e.ComplianceType === 'NON_COMPLIANT')).toBe(true);
    const line = logged
      .flatMap((chunk) => chunk.split('\n'))
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.level === 'ERROR');
    expect(line).toMatchObject({ sent: 120, notSent: 1080, nonCompliantNotSent: 0 });
  });

  it('succeeds when everything was sent', async () => {
    // Prepare
    mockUsers([listedUser('alice')], [reportRow('alice', true, true)]);
    const handler = createHandler(consoleMfa, { clients: provider });

    // Act
    const summary = await handler(event(), { getRemainingTimeInMillis: () => 60_000 });

    // Assess
    expect(summary.evaluations).toBe(1);
  });

  it('gives every AWS call of a periodic run an abort signal', async () => {
    // Prepare
    mockUsers([listedUser('alice'), listedUser('bob')], [reportRow('alice', true, false)]);
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'x', CreateDate: new Date() } });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    const handler = createHandler(consoleMfa, { clients: provider });

    // Act
    await handler(event(), { getRemainingTimeInMillis: () => 60_000 });

    // Assess
    const calls = [...iam.calls(), ...config.calls()];
    expect(calls.length).toBeGreaterThan(6);
    for (const call of calls) {
      const options = (call.args as unknown[])[1] as { abortSignal?: unknown } | undefined;
      expect(options?.abortSignal).toBeInstanceOf(AbortSignal);
    }
  });

  it('sends a report verdict with the report time and a live one with the time of the read', async () => {
    // Prepare
    mockUsers(
      [listedUser('alice'), listedUser('bob')],
      [reportRow('alice', true, true), reportRow('bob', true, false)],
    );
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'bob', CreateDate: new Date() } });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    const handler = createHandler(consoleMfa, { clients: provider });
    const before = Date.now();

    // Act
    await handler(event());

    // Assess
    const sent = new Map(
      sentBatches()
        .flat()
        .map((e) => [e.ComplianceResourceId, e]),
    );
    expect(sent.get('AIDAALICE')?.OrderingTimestamp).toEqual(REPORT_TIME);
    expect(sent.get('AIDAALICE')?.Annotation).toContain(
      'credential report of 2026-03-01T09:00:00Z',
    );
    expect(sent.get('AIDABOB')?.OrderingTimestamp?.getTime()).toBeGreaterThanOrEqual(before);
    expect(sent.get('AIDABOB')?.Annotation).toContain('checked live');
  });

  it('checks live a user whose newer verdict on record disagrees with the report, and sends the live verdict', async () => {
    // Prepare: the report says COMPLIANT; a change notification since recorded NON_COMPLIANT.
    mockUsers([listedUser('alice')], [reportRow('alice', true, true)]);
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'alice', CreateDate: new Date() } });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    const later = new Date(REPORT_TIME.getTime() + 1_800_000);
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({
      EvaluationResults: [recordedResult('AIDAALICE', 'NON_COMPLIANT', later, later)],
    });
    const handler = createHandler(consoleMfa, { clients: provider });

    // Act
    await handler(event());

    // Assess
    expect(sentBatches().flat()).toEqual([
      expect.objectContaining({
        ComplianceResourceId: 'AIDAALICE',
        ComplianceType: 'NON_COMPLIANT',
        Annotation: expect.stringContaining('checked live') as unknown,
      }),
    ]);
    expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 1);
  });

  it('clears only verdicts recorded before the run began listing (a concurrent run may be newer)', async () => {
    // Prepare
    mockUsers([listedUser('alice')], [reportRow('alice', true, true)]);
    const old = new Date('2026-02-01T00:00:00Z');
    const future = new Date(Date.now() + 60_000);
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({
      EvaluationResults: [
        recordedResult('AIDAVANISHED', 'NON_COMPLIANT', old, old),
        recordedResult('AIDAJUSTCREATED', 'NON_COMPLIANT', future, future),
        recordedResult('AIDAWASNA', 'NOT_APPLICABLE', old, old),
      ],
    });
    const handler = createHandler(consoleMfa, { clients: provider });
    const before = Date.now();

    // Act
    const summary = await handler(event());

    // Assess
    const sent = sentBatches().flat();
    expect(sent.map((e) => e.ComplianceResourceId).sort()).toEqual(['AIDAALICE', 'AIDAVANISHED']);
    const cleared = sent.find((e) => e.ComplianceResourceId === 'AIDAVANISHED');
    expect(cleared?.ComplianceType).toBe('NOT_APPLICABLE');
    expect(cleared?.OrderingTimestamp?.getTime()).toBeGreaterThanOrEqual(before);
    expect(summary.cleared).toBe(1);
  });
});
