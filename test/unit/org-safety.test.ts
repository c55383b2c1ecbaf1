/**
 * Safe to deploy org-wide (issue 11), runtime side: a function serves only its own rule, returns
 * counts only, narrows the shared execution role to its rule, logs a foreign account as refused,
 * names users by id in its logs, and validates events as the README says.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetLoginProfileCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import 'aws-sdk-client-mock-jest';
import { RULES } from '../../rules/catalog';
import { main } from '../../cli/main';
import { ClientProvider } from '../../rules/runtime/clients';
import { parseConfigEvent } from '../../rules/runtime/event';
import { grantedActions, rulePermissions } from '../../rules/runtime/grants';
import { createHandler } from '../../rules/runtime/handler';
import { logger } from '../../rules/runtime/logger';
import { isRuleName } from '../../rules/runtime/rule-name';
import type { AnyRule } from '../../rules/runtime/types';
import { ACCOUNT_ID, mockAws } from '../reliability/mock-aws';
import { changeEvent, scheduledEvent } from '../support/events';
import { awsError } from './helpers';
import { captureOutput } from '../support/capture';

const USER_NAME = 'jane.doe@example.com';
const USER_ID = 'AIDAJANEDOE000000001';
const OTHER_ACCOUNT = '999999999999';
const TIME = '2026-03-01T10:00:00.000Z';

function ruleNamed(name: string): AnyRule {
  const rule = RULES.find((r) => r.metadata.name === name);
  if (!rule) throw new Error(name);
  return rule;
}

const consoleMfa = ruleNamed('iam-user-console-mfa');
const rootMfa = ruleNamed('root-account-mfa');

let mocks: ReturnType<typeof mockAws>;

/** Every call any mocked client received. */
function awsCalls(): number {
  return mocks.iam.calls().length + mocks.config.calls().length + mocks.sts.calls().length;
}

function handlerFor(rule: AnyRule) {
  return createHandler(rule, { clients: new ClientProvider({ region: 'us-east-1' }) });
}

beforeEach(() => {
  logger.setLogLevel('SILENT');
  mocks = mockAws([{ name: USER_NAME, id: USER_ID, consolePassword: true, mfa: false }]);
});

afterEach(() => {
  mocks.iam.restore();
  mocks.config.restore();
  mocks.sts.restore();
  jest.restoreAllMocks();
});

describe('a function serves only its own rule', () => {
  it.each([
    ['root-account-mfa', true],
    ['root-account-mfa-conformance-pack-szsm1uv0w', true],
    ['OrgConfigRule-root-account-mfa-dbgzf8ba', true],
    ['root-account-hardware-mfa', false],
    ['root-account-hardware-mfa-conformance-pack-szsm1uv0w', false],
    ['root-account-mfa-conformance-pack-', false],
    ['root-account-mfa-conformance-pack-ABC', false],
    ['x-root-account-mfa', false],
    ['root-account-mfa-extra', false],
    ['securityhub-root-account-mfa-enabled-12345', false],
  ])('%s → %s', (name, accepted) => {
    expect(isRuleName(name, 'root-account-mfa')).toBe(accepted);
  });

  it('refuses an event for another rule on one line, before any AWS call', async () => {
    // Prepare
    const event = scheduledEvent('iam-user-console-mfa', { accountId: ACCOUNT_ID });

    // Act
    const run = handlerFor(rootMfa)(event);

    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringMatching(
        /^this function serves the rule root-account-mfa only/,
      ) as unknown,
    });
    expect(awsCalls()).toBe(0);
  });

  it("serves the conformance pack's copy of its rule", async () => {
    // Prepare
    const event = scheduledEvent('root-account-mfa-conformance-pack-hbmlt5imw', {
      accountId: ACCOUNT_ID,
      notificationCreationTime: TIME,
    });

    // Act
    const summary = await handlerFor(rootMfa)(event, {
      getRemainingTimeInMillis: () => 60_000,
      invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT_ID}:function:f`,
    });

    // Assess
    expect(summary.counts.COMPLIANT).toBe(1);
  });

  describe('CLI invoke', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'mfa-org-safety-'));
    });
    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('an event for another rule: exit 2, one stderr line, zero AWS calls', async () => {
      // Prepare
      const file = join(dir, 'other-rule.json');
      writeFileSync(file, JSON.stringify(scheduledEvent('iam-user-console-mfa')));
      const out = { stdout: '', stderr: '' };
      const io = {
        stdout: (t: string) => void (out.stdout += t),
        stderr: (t: string) => void (out.stderr += t),
        readStdin: () => Promise.resolve(''),
      };

      // Act
      const code = await main(
        ['invoke', '--rule', 'root-account-mfa', '--event', file, '--region', 'us-east-1'],
        io,
      );

      // Assess
      expect(code).toBe(2);
      expect(out.stdout).toBe('');
      expect(out.stderr).toMatch(/^mfa-config-rules: .*serves the rule root-account-mfa only/);
      expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(awsCalls()).toBe(0);
    });

    it('prints the verdicts it computed itself, beside the counts', async () => {
      // Prepare
      const file = join(dir, 'users.json');
      writeFileSync(
        file,
        JSON.stringify(scheduledEvent('iam-user-console-mfa', { resultToken: 'TESTMODE' })),
      );
      let stdout = '';
      const io = {
        stdout: (t: string) => void (stdout += t),
        stderr: () => undefined,
        readStdin: () => Promise.resolve(''),
      };

      // Act
      const code = await main(
        ['invoke', '--rule', 'iam-user-console-mfa', '--event', file, '--region', 'us-east-1'],
        io,
      );

      // Assess
      expect(code).toBe(0);
      const printed = JSON.parse(stdout) as { verdicts: { resourceName: string }[] };
      expect(printed.verdicts.map((v) => v.resourceName)).toEqual([USER_NAME]);
    });
  });
});

describe('nothing to read back', () => {
  it('the handler returns counts only: no evaluation, user name, id or annotation', async () => {
    // Prepare
    const event = scheduledEvent('iam-user-console-mfa', {
      accountId: ACCOUNT_ID,
      resultToken: 'TESTMODE',
      parameters: { ExecutionRoleName: 'MfaConfigRulesExecution' },
      notificationCreationTime: TIME,
    });
    let seen: readonly unknown[] = [];
    const handler = createHandler(consoleMfa, {
      clients: new ClientProvider({ region: 'us-east-1' }),
      onEvaluations: (all) => (seen = all),
    });

    // Act
    const summary = await handler(event);

    // Assess
    const text = JSON.stringify(summary);
    expect(text).not.toContain(USER_NAME);
    expect(text).not.toContain(USER_ID);
    expect(text).not.toContain('MFA device');
    expect(Object.keys(summary).sort()).toEqual(
      [
        'accountId',
        'cleared',
        'counts',
        'durationMs',
        'evaluations',
        'messageType',
        'orderingTimestamp',
        'putEvaluationsCalls',
        'resent',
        'rule',
        'testMode',
      ].sort(),
    );
    expect(summary.counts).toEqual({ COMPLIANT: 0, NON_COMPLIANT: 1, NOT_APPLICABLE: 0 });
    // The verdicts exist in-process only.
    expect(JSON.stringify(seen)).toContain(USER_NAME);
  });
});

describe('least privilege per rule across accounts', () => {
  const assumedPolicies = () =>
    mocks.sts.commandCalls(AssumeRoleCommand).map((call) => {
      const policy = call.args[0].input.Policy;
      if (!policy) throw new Error('AssumeRole without a session policy');
      return JSON.parse(policy) as {
        Statement: { Action: string[]; Resource: string; Effect: string }[];
      };
    });

  it.each(RULES.map((rule) => [rule.metadata.name, rule] as const))(
    '%s: AssumeRole narrows the execution role to exactly the rule’s actions',
    async (name, rule) => {
      // Prepare
      const event = scheduledEvent(name, {
        accountId: ACCOUNT_ID,
        resultToken: 'TESTMODE',
        parameters: { ExecutionRoleName: 'MfaConfigRulesExecution' },
        notificationCreationTime: TIME,
      });

      // Act
      await handlerFor(rule)(event);

      // Assess
      const [policy, ...more] = assumedPolicies();
      expect(more).toEqual([]);
      const actions = (policy?.Statement ?? []).flatMap((s) => s.Action).sort();
      expect(actions).toEqual(grantedActions(rulePermissions(rule.metadata)));
      expect(policy?.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
      expect(policy?.Statement.map((s) => s.Resource)).toEqual(
        expect.arrayContaining(['*', `arn:aws:config:*:${ACCOUNT_ID}:config-rule/*`]),
      );
      // An account rule's session reads nothing about users.
      if (!rule.metadata.resourceTypes.includes('AWS::IAM::User')) {
        expect(actions).not.toContain('iam:GetCredentialReport');
        expect(actions).not.toContain('iam:ListUsers');
        expect(actions).not.toContain('iam:ListMFADevices');
      }
    },
  );

  it('root rules: exactly GetAccountSummary (+ ListVirtualMFADevices for hardware) and Config', () => {
    expect(grantedActions(rulePermissions(rootMfa.metadata))).toEqual([
      'config:GetComplianceDetailsByConfigRule',
      'config:PutEvaluations',
      'iam:GetAccountSummary',
    ]);
  });

  it('caches a session per rule: one rule twice assumes once, another rule assumes again', async () => {
    // Prepare
    const clients = new ClientProvider({ region: 'us-east-1' });
    const event = (rule: string) =>
      scheduledEvent(rule, {
        accountId: ACCOUNT_ID,
        resultToken: 'TESTMODE',
        parameters: { ExecutionRoleName: 'MfaConfigRulesExecution' },
        notificationCreationTime: TIME,
      });
    const root = createHandler(rootMfa, { clients });
    const users = createHandler(consoleMfa, { clients });

    // Act
    await root(event('root-account-mfa'));
    await root(event('root-account-mfa'));
    await users(event('iam-user-console-mfa'));

    // Assess
    const policies = assumedPolicies();
    expect(policies).toHaveLength(2);
    expect(policies[0]?.Statement.flatMap((s) => s.Action)).not.toContain('iam:ListUsers');
    expect(policies[1]?.Statement.flatMap((s) => s.Action)).toContain('iam:ListUsers');
  });
});

describe('a foreign account', () => {
  it('fails on the first call and is logged as a refused account, not as our error', async () => {
    // Prepare
    logger.setLogLevel('INFO');
    mocks.sts
      .on(AssumeRoleCommand)
      .rejects(awsError('AccessDenied', 'not authorized to perform: sts:AssumeRole'));
    const event = scheduledEvent('root-account-mfa', {
      accountId: OTHER_ACCOUNT,
      parameters: { ExecutionRoleName: 'MfaConfigRulesExecution' },
      notificationCreationTime: TIME,
    });
    let outcome: unknown;

    // Act (in Lambda the function's own account comes from its ARN: AssumeRole is the first call)
    const logs = await captureOutput(async () => {
      outcome = await handlerFor(rootMfa)(event, {
        getRemainingTimeInMillis: () => 60_000,
        invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT_ID}:function:f`,
      }).catch((error: unknown) => error);
    });

    // Assess
    expect((outcome as Error).name).toBe('AccountRefusedError');
    expect(mocks.sts.calls()).toHaveLength(1);
    expect(mocks.iam.calls()).toHaveLength(0);
    expect(mocks.config.calls()).toHaveLength(0);
    const lines = logs.split('\n').filter((line) => line.includes(OTHER_ACCOUNT));
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'WARN', refusedAccount: OTHER_ACCOUNT });
    expect(line.message).toMatch(/^refused account/);
    expect(logs).not.toContain('evaluation failed');
  });
});

describe('logs carry ids, not names', () => {
  it('a failed read of one user logs the user id, never the user name', async () => {
    // Prepare
    logger.setLogLevel('INFO');
    mocks.iam.on(GetUserCommand).resolves({
      User: {
        UserName: USER_NAME,
        UserId: USER_ID,
        Arn: `arn:aws:iam::${ACCOUNT_ID}:user/${USER_NAME}`,
        Path: '/',
        CreateDate: new Date('2024-01-02T03:04:05Z'),
      },
    });
    mocks.iam
      .on(GetLoginProfileCommand)
      .rejects(awsError('ServiceFailure', `internal error reading user ${USER_NAME}`));
    const event = changeEvent(
      'iam-user-console-mfa',
      { resourceId: USER_ID, resourceName: USER_NAME, status: 'OK', captureTime: TIME },
      { accountId: ACCOUNT_ID },
    );

    // Act
    const logs = await captureOutput(() => handlerFor(consoleMfa)(event));

    // Assess
    expect(logs).toContain('evaluation failed');
    expect(logs).toContain(USER_ID);
    expect(logs).not.toContain(USER_NAME);
    expect(logs).not.toContain('jane.doe');
  });
});

describe('events validated as the README says', () => {
  const base = () => scheduledEvent('root-account-mfa', { notificationCreationTime: TIME });

  it('ignores unknown keys AWS adds, in the event and in invokingEvent', () => {
    // Prepare
    const event = {
      ...base(),
      configRuleId: 'config-rule-0123456',
      configRuleArn: 'arn:aws:config:us-east-1:123456789012:config-rule/config-rule-0123456',
      version: '1.0',
      evaluationMode: 'DETECTIVE',
      somethingNew: { nested: true },
      invokingEvent: JSON.stringify({
        messageType: 'ScheduledNotification',
        notificationCreationTime: TIME,
        recordVersion: '1.0',
        awsAccountId: '123456789012',
      }),
    };

    // Act
    const request = parseConfigEvent(event);

    // Assess
    expect(request.messageType).toBe('ScheduledNotification');
    expect(request).not.toHaveProperty('somethingNew');
    expect(request.orderingTimestamp.toISOString()).toBe(TIME);
  });

  it.each(['0', '2026-03-01T10:00:00', '2026-03-01', '2026-02-30T10:00:00Z', 'yesterday'])(
    'refuses the time %j (ISO 8601 with a time zone only)',
    (time) => {
      const event = scheduledEvent('root-account-mfa', { notificationCreationTime: time });
      expect(() => parseConfigEvent(event)).toThrow(/ISO 8601 date and time with a time zone/);
    },
  );

  it('accepts a time with an offset', () => {
    const event = scheduledEvent('root-account-mfa', {
      notificationCreationTime: '2026-03-01T12:00:00+02:00',
    });
    expect(parseConfigEvent(event).orderingTimestamp.toISOString()).toBe(TIME);
  });

  it.each([
    [123456789012, 'accountId must be a 12-digit string'],
    ['12345', 'accountId must be a 12-digit string'],
    [undefined, 'accountId is required'],
  ])('accountId %j → "%s"', (accountId, message) => {
    const event: Record<string, unknown> = { ...base(), accountId };
    if (accountId === undefined) delete event.accountId;
    expect(() => parseConfigEvent(event)).toThrow(`invalid event: ${message}`);
  });
});
