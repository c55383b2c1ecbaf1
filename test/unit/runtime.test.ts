/** The shared Lambda runtime: events, scope, PutEvaluations batching, clean-up, cross-account, logs. */
import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
  type Evaluation as ConfigEvaluation,
} from '@aws-sdk/client-config-service';
import {
  GenerateCredentialReportCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  IAMClient,
  ListMFADevicesCommand,
  ListUserTagsCommand,
  ListUsersCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { rule as consoleMfa } from '../../rules/iam-user-console-mfa/rule';
import { rule as rootMfa } from '../../rules/root-account-mfa/rule';
import { clampAnnotation } from '../../rules/runtime/annotation';
import { ClientProvider, parseFunctionArn } from '../../rules/runtime/clients';
import {
  AccountMismatchError,
  DataLoadError,
  DeadlineError,
  InvalidInputError,
} from '../../rules/runtime/errors';
import {
  createHandler as createRuntimeHandler,
  type HandlerOptions,
} from '../../rules/runtime/handler';
import { mapPool } from '../../rules/runtime/pool';
import { SEND_CONCURRENCY } from '../../rules/runtime/report';
import type { AnyRule } from '../../rules/runtime/types';
import {
  changeEvent,
  scheduledEvent,
  type ConfigEvent,
  type EventOptions,
} from '../support/events';
import {
  ACCOUNT,
  accountSummary,
  listedUser,
  reportCsv,
  reportRow,
  type TestUser,
  virtualMfaListing,
} from './helpers';

/** The events below name the rule 'the-rule': each rule under test is served under that name. */
function createHandler(rule: AnyRule, options?: HandlerOptions) {
  return createRuntimeHandler(
    { ...rule, metadata: { ...rule.metadata, name: 'the-rule' } },
    options,
  );
}

const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
const config = mockClient(ConfigServiceClient);

const OTHER = '210987654321';
const TOKEN = 'secret-token-123';
const SCHEDULED_AT = '2026-03-01T10:00:00.000Z';
const CAPTURED_AT = '2026-03-02T11:22:33.000Z';

const ENVELOPE: EventOptions = { accountId: ACCOUNT, resultToken: TOKEN, parameters: {} };

/** A scheduled event; `overrides` replace envelope fields as they are, malformed ones included. */
function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...scheduledEvent('the-rule', { ...ENVELOPE, notificationCreationTime: SCHEDULED_AT }),
    ...overrides,
  };
}

/** A change of the user alice with this configurationItemStatus. */
function aliceChange(status = 'OK', options: { oversized?: boolean } = {}): ConfigEvent {
  const item = { resourceId: 'AIDAALICE', resourceName: 'alice', status, captureTime: CAPTURED_AT };
  return changeEvent('the-rule', item, { ...ENVELOPE, ...options });
}

function mockRoot(mfa: boolean): void {
  iam.on(GetAccountSummaryCommand).resolves(accountSummary({ AccountMFAEnabled: mfa ? 1 : 0 }));
}

function mockUsers(users: TestUser[], rows: string[]): void {
  iam.on(ListUsersCommand).resolves({ Users: users, IsTruncated: false });
  iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
  iam
    .on(GetCredentialReportCommand)
    .resolves({ Content: reportCsv(rows), GeneratedTime: new Date('2026-03-01T09:00:00Z') });
  iam.on(ListVirtualMFADevicesCommand).resolves(virtualMfaListing(rows));
}

function sentBatches(): ConfigEvaluation[][] {
  return config
    .commandCalls(PutEvaluationsCommand)
    .map((call) => call.args[0].input.Evaluations ?? []);
}

let provider: ClientProvider;

beforeEach(() => {
  sts.reset();
  iam.reset();
  config.reset();
  // No exemption tags unless a test sets some.
  iam.on(ListUserTagsCommand).resolves({ Tags: [] });
  // A console password, created long ago, unless a test says otherwise.
  iam.on(GetLoginProfileCommand).resolves({
    LoginProfile: { UserName: 'x', CreateDate: new Date('2025-01-01T00:00:00Z') },
  });
  sts.on(GetCallerIdentityCommand).resolves({ Arn: `arn:aws:iam::${ACCOUNT}:user/x` });
  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => {
    const account = /::(\d{12}):/.exec(input.RoleArn)?.[1] ?? ACCOUNT;
    return {
      Credentials: {
        AccessKeyId: 'AKIA',
        SecretAccessKey: 'secret',
        SessionToken: 'session',
        Expiration: new Date(Date.now() + 3_600_000),
      },
      AssumedRoleUser: {
        Arn: `arn:aws:sts::${account}:assumed-role/Role/s`,
        AssumedRoleId: 'AROA:s',
      },
    };
  });
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  provider = new ClientProvider({ region: 'us-east-1' });
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('scheduled notifications', () => {
  it('evaluates the account with OrderingTimestamp = notificationCreationTime', async () => {
    // Prepare
    mockRoot(false);
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const summary = await handler(event());

    // Assess
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
    const input = config.commandCalls(PutEvaluationsCommand)[0]?.args[0].input;
    expect(input?.ResultToken).toBe(TOKEN);
    expect(input?.TestMode).toBe(false);
    expect(input?.Evaluations).toEqual([
      {
        ComplianceResourceType: 'AWS::::Account',
        ComplianceResourceId: ACCOUNT,
        ComplianceType: 'NON_COMPLIANT',
        Annotation: expect.stringContaining(ACCOUNT) as unknown,
        OrderingTimestamp: new Date(SCHEDULED_AT),
      },
    ]);
    expect(summary.counts).toEqual({ COMPLIANT: 0, NON_COMPLIANT: 1, NOT_APPLICABLE: 0 });
    // One listing per verdict, side by side (a shorter chain of pages than one listing).
    expect(
      config
        .commandCalls(GetComplianceDetailsByConfigRuleCommand)
        .map((call) => call.args[0].input)
        .sort((a, b) => String(a.ComplianceTypes).localeCompare(String(b.ComplianceTypes))),
    ).toEqual(
      ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'].map((type) => ({
        ConfigRuleName: 'the-rule',
        ComplianceTypes: [type],
        Limit: 100,
      })),
    );
  });

  it('sends TestMode true for the TESTMODE result token', async () => {
    // Prepare
    mockRoot(true);
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const summary = await handler(event({ resultToken: 'TESTMODE' }));

    // Assess
    expect(summary.testMode).toBe(true);
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: 'TESTMODE',
      TestMode: true,
    });
  });

  it('sends in batches of 100 (250 users → 100/100/50)', async () => {
    // Prepare
    const users = Array.from({ length: 250 }, (_, i) =>
      listedUser(`u${String(i)}`, `AIDA${String(i)}`),
    );
    mockUsers(
      users,
      users.map((u) => reportRow(u.UserName, false, false)),
    );
    const handler = createHandler(consoleMfa, { clients: provider });

    // Act
    const summary = await handler(event());

    // Assess
    expect(sentBatches().map((batch) => batch.length)).toEqual([100, 100, 50]);
    expect(summary.putEvaluationsCalls).toBe(3);
    expect(summary.counts.NOT_APPLICABLE).toBe(250);
    expect(
      new Set(
        sentBatches()
          .flat()
          .map((e) => e.ComplianceResourceId),
      ).size,
    ).toBe(250);
  });

  it('re-sends exactly the evaluations returned in FailedEvaluations', async () => {
    // Prepare
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const users = Array.from({ length: 5 }, (_, i) =>
      listedUser(`u${String(i)}`, `AIDA${String(i)}`),
    );
    mockUsers(
      users,
      users.map((u) => reportRow(u.UserName, true, true)),
    );
    config
      .on(PutEvaluationsCommand)
      .resolvesOnce({
        FailedEvaluations: [
          {
            ComplianceResourceType: 'AWS::IAM::User',
            ComplianceResourceId: 'AIDA1',
            ComplianceType: 'COMPLIANT',
            OrderingTimestamp: new Date(SCHEDULED_AT),
          },
          {
            ComplianceResourceType: 'AWS::IAM::User',
            ComplianceResourceId: 'AIDA3',
            ComplianceType: 'COMPLIANT',
            OrderingTimestamp: new Date(SCHEDULED_AT),
          },
        ],
      })
      .resolves({ FailedEvaluations: [] });
    const handler = createHandler(consoleMfa, { clients: provider });

    // Act
    const summary = await handler(event());

    // Assess
    const batches = sentBatches();
    expect(batches).toHaveLength(2);
    expect(batches[0]).toHaveLength(5);
    expect(batches[1]?.map((e) => e.ComplianceResourceId)).toEqual(['AIDA1', 'AIDA3']);
    expect(summary.resent).toBe(2);
  });

  it('rejects when Config keeps refusing an evaluation', async () => {
    // Prepare
    jest.spyOn(Math, 'random').mockReturnValue(0);
    jest.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: () => void) => {
      callback();
      return 0;
    }) as unknown as typeof setTimeout);
    mockRoot(true);
    config.on(PutEvaluationsCommand).resolves({
      FailedEvaluations: [
        {
          ComplianceResourceType: 'AWS::::Account',
          ComplianceResourceId: ACCOUNT,
          ComplianceType: 'COMPLIANT',
          OrderingTimestamp: new Date(SCHEDULED_AT),
        },
      ],
    });
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const result = handler(event());

    // Assess
    await expect(result).rejects.toBeInstanceOf(DataLoadError);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 6);
  });

  it('clears a vanished user (paged GetComplianceDetailsByConfigRule) as NOT_APPLICABLE', async () => {
    // Prepare
    mockUsers([listedUser('alice')], [reportRow('alice', true, true)]);
    config
      .on(GetComplianceDetailsByConfigRuleCommand, { ComplianceTypes: ['COMPLIANT'] })
      .resolvesOnce({
        EvaluationResults: [
          {
            ComplianceType: 'COMPLIANT',
            EvaluationResultIdentifier: {
              EvaluationResultQualifier: {
                ResourceType: 'AWS::IAM::User',
                ResourceId: 'AIDAALICE',
              },
            },
          },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        EvaluationResults: [
          {
            ComplianceType: 'COMPLIANT',
            EvaluationResultIdentifier: {
              EvaluationResultQualifier: { ResourceType: 'AWS::IAM::User', ResourceId: 'AIDAGONE' },
            },
          },
        ],
      });
    const handler = createHandler(consoleMfa, { clients: provider });

    // Act
    const summary = await handler(event());

    // Assess
    const details = config
      .commandCalls(GetComplianceDetailsByConfigRuleCommand)
      .map((call) => call.args[0].input);
    expect(details).toHaveLength(4); // COMPLIANT: two pages; NON_COMPLIANT, NOT_APPLICABLE: one
    expect(details).toContainEqual(
      expect.objectContaining({ ComplianceTypes: ['COMPLIANT'], NextToken: 'page-2' }),
    );
    const sent = sentBatches().flat();
    expect(sent).toHaveLength(2);
    expect(sent).toContainEqual(
      expect.objectContaining({
        ComplianceResourceType: 'AWS::IAM::User',
        ComplianceResourceId: 'AIDAGONE',
        ComplianceType: 'NOT_APPLICABLE',
      }),
    );
    expect(sent).toContainEqual(
      expect.objectContaining({ ComplianceResourceId: 'AIDAALICE', ComplianceType: 'COMPLIANT' }),
    );
    expect(summary.cleared).toBe(1);
  });

  it('stops with DeadlineError and sends nothing when too little time remains', async () => {
    // Prepare
    mockRoot(true);
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const result = handler(event(), { getRemainingTimeInMillis: () => 1000 });

    // Assess
    await expect(result).rejects.toBeInstanceOf(DeadlineError);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
  });
});

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

describe('mapPool', () => {
  it('returns results in input order with at most the given number in flight', async () => {
    // Prepare
    let inFlight = 0;
    let peak = 0;
    const work = async (n: number) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, (n % 3) * 2));
      inFlight -= 1;
      return n * 10;
    };

    // Act
    const results = await mapPool([1, 2, 3, 4, 5, 6, 7], 3, work);

    // Assess
    expect(results).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(peak).toBe(3);
  });

  it('rejects with the first error only after the work in flight has settled', async () => {
    // Prepare
    const started: number[] = [];
    const finished: number[] = [];
    const work = async (n: number) => {
      started.push(n);
      if (n === 1) throw new Error('first');
      await new Promise((resolve) => setTimeout(resolve, 10));
      finished.push(n);
      if (n === 2) throw new Error('second');
      return n;
    };

    // Act
    const result = mapPool([1, 2, 3, 4, 5], 3, work);

    // Assess
    await expect(result).rejects.toThrow('first');
    expect(started).toEqual([1, 2, 3]);
    expect(finished).toEqual([2, 3]);
  });
});

describe('change notifications', () => {
  it('evaluates the one user with OrderingTimestamp = the moment of the live read', async () => {
    // Prepare
    iam.on(GetUserCommand).resolves({ User: listedUser('alice') });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'alice', CreateDate: new Date() } });
    const handler = createHandler(consoleMfa, { clients: provider });
    const before = new Date();

    // Act
    const summary = await handler(aliceChange());
    const after = new Date();

    // Assess
    expect(sentBatches()).toEqual([
      [
        {
          ComplianceResourceType: 'AWS::IAM::User',
          ComplianceResourceId: 'AIDAALICE',
          ComplianceType: 'NON_COMPLIANT',
          Annotation: expect.stringContaining('alice') as unknown,
          OrderingTimestamp: expect.any(Date) as unknown,
        },
      ],
    ]);
    const ordering = sentBatches()[0]?.[0]?.OrderingTimestamp?.getTime() ?? 0;
    expect(ordering).toBeGreaterThanOrEqual(before.getTime());
    expect(ordering).toBeLessThanOrEqual(after.getTime());
    expect(iam).toHaveReceivedCommandWith(GetUserCommand, { UserName: 'alice' });
    expect(iam).toHaveReceivedCommandTimes(ListUsersCommand, 0);
    expect(iam).toHaveReceivedCommandTimes(GetCredentialReportCommand, 0);
    // clean-up does not run on change notifications
    expect(config).toHaveReceivedCommandTimes(GetComplianceDetailsByConfigRuleCommand, 0);
    expect(summary.cleared).toBe(0);
  });

  it('uses configurationItemSummary of an oversized notification', async () => {
    // Prepare
    iam.on(GetUserCommand).resolves({ User: listedUser('alice') });
    iam.on(ListMFADevicesCommand).resolves({
      MFADevices: [{ UserName: 'alice', SerialNumber: 'GAHT1', EnableDate: new Date() }],
    });
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'alice', CreateDate: new Date() } });
    const handler = createHandler(consoleMfa, { clients: provider });

    // Act
    const summary = await handler(aliceChange('OK', { oversized: true }));

    // Assess
    expect(summary.messageType).toBe('OversizedConfigurationItemChangeNotification');
    expect(summary.orderingTimestamp).toBe(CAPTURED_AT);
    expect(sentBatches().flat()).toEqual([
      expect.objectContaining({ ComplianceResourceId: 'AIDAALICE', ComplianceType: 'COMPLIANT' }),
    ]);
  });

  const statuses = [
    ['ResourceDeleted', aliceChange('ResourceDeleted')],
    ['ResourceNotRecorded', aliceChange('ResourceNotRecorded')],
    ['ResourceDeletedNotRecorded', aliceChange('ResourceDeletedNotRecorded')],
    ['eventLeftScope', { ...aliceChange(), eventLeftScope: true }],
  ] as const;

  it.each(statuses)(
    '%s for a user IAM still has → the live verdict, as a periodic run gives it',
    async (_label, input) => {
      // Prepare
      iam.on(GetUserCommand).resolves({ User: listedUser('alice') });
      iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
      iam
        .on(GetLoginProfileCommand)
        .resolves({ LoginProfile: { UserName: 'alice', CreateDate: new Date() } });
      const handler = createHandler(consoleMfa, { clients: provider });

      // Act
      await handler(input);

      // Assess
      expect(iam).toHaveReceivedCommandWith(GetUserCommand, { UserName: 'alice' });
      expect(sentBatches()).toEqual([
        [
          expect.objectContaining({
            ComplianceResourceId: 'AIDAALICE',
            ComplianceType: 'NON_COMPLIANT',
            Annotation: expect.stringContaining('checked live') as unknown,
          }),
        ],
      ]);
    },
  );

  it.each(statuses)(
    '%s for a user IAM no longer has → NOT_APPLICABLE, as the clean-up gives it',
    async (_label, input) => {
      // Prepare
      const gone = new Error('The user with name alice cannot be found.');
      gone.name = 'NoSuchEntityException';
      iam.on(GetUserCommand).rejects(gone);
      iam.on(ListUsersCommand).resolves({ Users: [], IsTruncated: false });
      const handler = createHandler(consoleMfa, { clients: provider });

      // Act
      await handler(input);

      // Assess: GetUser by the item's name, then ListUsers for the id (it may have been renamed).
      expect(iam.calls()).toHaveLength(2);
      expect(iam).toHaveReceivedCommandTimes(ListUsersCommand, 1);
      expect(sentBatches()).toEqual([
        [
          expect.objectContaining({
            ComplianceResourceType: 'AWS::IAM::User',
            ComplianceResourceId: 'AIDAALICE',
            ComplianceType: 'NOT_APPLICABLE',
          }),
        ],
      ]);
    },
  );

  it('refuses a change notification to a root rule', async () => {
    // Prepare
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const result = handler(aliceChange());

    // Assess
    await expect(result).rejects.toBeInstanceOf(InvalidInputError);
    await expect(result).rejects.toThrow(/does not evaluate AWS::IAM::User changes/);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
    expect(iam.calls()).toHaveLength(0);
  });
});

describe('bad events and parameters', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'non-JSON invokingEvent',
      event({ invokingEvent: '{nope' }),
      /invokingEvent is not valid JSON/,
    ],
    [
      'ruleParameters an array',
      event({ ruleParameters: '[1]' }),
      /ruleParameters must be a JSON object/,
    ],
    [
      'ruleParameters a string',
      event({ ruleParameters: '"x"' }),
      /ruleParameters must be a JSON object/,
    ],
    ['ruleParameters not JSON', event({ ruleParameters: '{' }), /ruleParameters is not valid JSON/],
    [
      'unknown messageType',
      event({ invokingEvent: JSON.stringify({ messageType: 'Nope' }) }),
      /invalid invokingEvent/,
    ],
    ['missing resultToken', event({ resultToken: undefined }), /resultToken/],
    ['bad accountId', event({ accountId: '12345' }), /accountId must be a 12-digit string/],
    ['unknown parameter', event({ ruleParameters: '{"Foo":"x"}' }), /invalid rule parameters.*Foo/],
    [
      'invalid role name',
      event({ ruleParameters: '{"ExecutionRoleName":"bad name!"}' }),
      /ExecutionRoleName: not a valid IAM role name/,
    ],
  ])('%s → InvalidInputError, nothing sent', async (_label, input, message) => {
    // Prepare
    mockRoot(true);
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const result = handler(input);

    // Assess
    await expect(result).rejects.toBeInstanceOf(InvalidInputError);
    await expect(result).rejects.toThrow(message);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
    expect(iam.calls()).toHaveLength(0);
  });
});

describe('accounts and roles', () => {
  it('assumes ExecutionRoleName in the event account', async () => {
    // Prepare
    mockRoot(true);
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const summary = await handler(
      event({ accountId: OTHER, ruleParameters: '{"ExecutionRoleName":"Auditor"}' }),
    );

    // Assess
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${OTHER}:role/Auditor`,
    });
    expect(summary.accountId).toBe(OTHER);
    expect(sentBatches().flat()).toEqual([
      expect.objectContaining({ ComplianceResourceId: OTHER, ComplianceType: 'COMPLIANT' }),
    ]);
  });

  it('refuses another account without a role (AccountMismatchError)', async () => {
    // Prepare
    mockRoot(true);
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const result = handler(event({ accountId: OTHER }));

    // Assess
    await expect(result).rejects.toBeInstanceOf(AccountMismatchError);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
    expect(iam.calls()).toHaveLength(0);
  });

  it('refuses an assumed role that belongs to another account', async () => {
    // Prepare
    mockRoot(true);
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'AKIA',
        SecretAccessKey: 'secret',
        SessionToken: 'session',
        Expiration: new Date(Date.now() + 3_600_000),
      },
      AssumedRoleUser: { Arn: 'arn:aws:sts::999999999999:assumed-role/Role/s', AssumedRoleId: 'x' },
    });
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const result = handler(
      event({ accountId: OTHER, ruleParameters: '{"ExecutionRoleName":"Auditor"}' }),
    );

    // Assess
    await expect(result).rejects.toBeInstanceOf(AccountMismatchError);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
    expect(iam.calls()).toHaveLength(0);
  });
});

describe('identity from the Lambda context', () => {
  const functionArn = (account: string) =>
    `arn:aws:lambda:us-east-1:${account}:function:mfa-config-rules-root:live`;

  it('takes the account from the function ARN and never calls STS', async () => {
    // Prepare
    mockRoot(true);
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const summary = await handler(event(), {
      getRemainingTimeInMillis: () => 60_000,
      invokedFunctionArn: functionArn(ACCOUNT),
    });

    // Assess
    expect(summary.counts.COMPLIANT).toBe(1);
    expect(sts.calls()).toHaveLength(0);
  });

  it('still refuses an event for another account without a role', async () => {
    // Prepare
    mockRoot(true);
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const result = handler(event({ accountId: OTHER }), {
      getRemainingTimeInMillis: () => 60_000,
      invokedFunctionArn: functionArn(ACCOUNT),
    });

    // Assess
    await expect(result).rejects.toBeInstanceOf(AccountMismatchError);
    expect(sts.calls()).toHaveLength(0);
    expect(iam.calls()).toHaveLength(0);
  });

  it('assumes the role with the partition of the function ARN, without GetCallerIdentity', async () => {
    // Prepare
    mockRoot(true);
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    await handler(event({ accountId: OTHER, ruleParameters: '{"ExecutionRoleName":"Auditor"}' }), {
      getRemainingTimeInMillis: () => 60_000,
      invokedFunctionArn: functionArn(ACCOUNT),
    });

    // Assess
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 0);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${OTHER}:role/Auditor`,
    });
  });

  it('parses function ARNs of every partition and refuses anything else', () => {
    expect(parseFunctionArn('arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:f')).toEqual(
      {
        partition: 'aws-us-gov',
        accountId: '111122223333',
        arn: 'arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:f',
      },
    );
    expect(
      parseFunctionArn(`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:f:$LATEST`).accountId,
    ).toBe(ACCOUNT);
    expect(() => parseFunctionArn(`arn:aws:iam::${ACCOUNT}:role/f`)).toThrow(DataLoadError);
  });
});

describe('role cache and test mode', () => {
  it('assumes the role once across two invocations of one container', async () => {
    // Prepare
    mockRoot(true);
    const handler = createHandler(rootMfa, { clients: provider });
    const input = event({ accountId: OTHER, ruleParameters: '{"ExecutionRoleName":"Auditor"}' });

    // Act
    await handler(input);
    await handler(input);

    // Assess
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
  });

  it('skips clean-up in test mode when the rule does not exist', async () => {
    // Prepare
    mockRoot(true);
    const missing = new Error('no rule');
    missing.name = 'NoSuchConfigRuleException';
    config.on(GetComplianceDetailsByConfigRuleCommand).rejects(missing);
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const summary = await handler(event({ resultToken: 'TESTMODE' }));

    // Assess
    expect(summary.cleared).toBe(0);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
  });

  it('fails outside test mode when the recorded evaluations cannot be read', async () => {
    // Prepare
    mockRoot(true);
    config.on(GetComplianceDetailsByConfigRuleCommand).rejects(new Error('denied'));
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const result = handler(event());

    // Assess
    await expect(result).rejects.toBeInstanceOf(DataLoadError);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
  });
});

describe('clampAnnotation', () => {
  it('keeps a short annotation, folding white space', () => {
    expect(clampAnnotation('  a\n\tb  ')).toBe('a b');
  });

  it('refuses an empty annotation', () => {
    expect(() => clampAnnotation(' \n ')).toThrow(/empty/);
  });

  it('keeps exactly 256 characters as is', () => {
    const text = 'x'.repeat(256);
    expect(clampAnnotation(text)).toBe(text);
  });

  it('cuts a long annotation to at most 256 characters with an ellipsis', () => {
    // Prepare
    const text = 'word '.repeat(100);

    // Act
    const clamped = clampAnnotation(text);

    // Assess
    expect(Array.from(clamped).length).toBeLessThanOrEqual(256);
    expect(clamped.endsWith('…')).toBe(true);
    expect(clamped).not.toMatch(/\s…$/);
  });

  it('never splits a surrogate pair', () => {
    // Act
    const clamped = clampAnnotation('😀'.repeat(300));

    // Assess
    const chars = Array.from(clamped);
    expect(chars.length).toBeLessThanOrEqual(256);
    expect(chars.slice(0, -1).every((c) => c === '😀')).toBe(true);
    expect(clamped.endsWith('…')).toBe(true);
  });
});

describe('logging', () => {
  it('never logs the result token or report content', async () => {
    // Prepare
    mockUsers([listedUser('alice')], [reportRow('alice', true, false)]);
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    const output: string[] = [];
    const capture = (...args: unknown[]) => {
      output.push(args.map((a) => String(a)).join(' '));
      return true;
    };
    jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      jest.spyOn(console, method).mockImplementation(capture);
    }
    const handler = createHandler(consoleMfa, { clients: provider });

    // Act
    await handler(event());

    // Assess
    const text = output.join('\n');
    expect(text).toContain('evaluated');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('user_creation_time');
    expect(text).not.toContain('arn:aws:iam::123456789012:user/alice');
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
