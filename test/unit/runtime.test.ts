/** The shared Lambda runtime's handler (handler.ts, event.ts): events, scope, clean-up, bad input, logs. */
import {
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import {
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  ListMFADevicesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { rule as consoleMfa } from '../../rules/iam-user-console-mfa/rule';
import { rule as rootMfa } from '../../rules/root-account-mfa/rule';
import { DataLoadError, DeadlineError, InvalidInputError } from '../../rules/runtime/errors';
import { ACCOUNT, listedUser, reportRow } from './helpers';
import {
  aliceChange,
  CAPTURED_AT,
  config,
  createHandler,
  event,
  iam,
  logAsInLambda,
  mockRoot,
  mockUsers,
  provider,
  SCHEDULED_AT,
  sentBatches,
  TOKEN,
} from './runtime-fixtures';

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
    logAsInLambda();
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
