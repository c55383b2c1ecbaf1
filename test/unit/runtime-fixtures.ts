/**
 * What the runtime's unit suites share (runtime*.test.ts): the mocked clients' default answers
 * (aws-mocks.ts), the handler under the name 'the-rule', the events and the account's users.
 */
import {
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
  type Evaluation as ConfigEvaluation,
} from '@aws-sdk/client-config-service';
import {
  GetAccountSummaryCommand,
  GetLoginProfileCommand,
  ListUserTagsCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { config, iam, mockUserReads, sts } from './aws-mocks';
import { ClientProvider } from '../../rules/runtime/clients';
import {
  createHandler as createRuntimeHandler,
  type HandlerOptions,
} from '../../rules/runtime/handler';
import { logger } from '../../rules/runtime/logger';
import type { AnyRule } from '../../rules/runtime/types';
import {
  changeEvent,
  scheduledEvent,
  type ConfigEvent,
  type EventOptions,
} from '../support/events';
import { ACCOUNT, accountSummary, type TestUser } from './helpers';

/** The events below name the rule 'the-rule': each rule under test is served under that name. */
export function createHandler(rule: AnyRule, options?: HandlerOptions) {
  return createRuntimeHandler(
    { ...rule, metadata: { ...rule.metadata, name: 'the-rule' } },
    options,
  );
}

export { config, iam, sts };

export const OTHER = '210987654321';
export const TOKEN = 'secret-token-123';
export const SCHEDULED_AT = '2026-03-01T10:00:00.000Z';
export const CAPTURED_AT = '2026-03-02T11:22:33.000Z';

export const ENVELOPE: EventOptions = { accountId: ACCOUNT, resultToken: TOKEN, parameters: {} };

/** A scheduled event; `overrides` replace envelope fields as they are, malformed ones included. */
export function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...scheduledEvent('the-rule', { ...ENVELOPE, notificationCreationTime: SCHEDULED_AT }),
    ...overrides,
  };
}

/** A change of the user alice with this configurationItemStatus. */
export function aliceChange(status = 'OK', options: { oversized?: boolean } = {}): ConfigEvent {
  const item = { resourceId: 'AIDAALICE', resourceName: 'alice', status, captureTime: CAPTURED_AT };
  return changeEvent('the-rule', item, { ...ENVELOPE, ...options });
}

export function mockRoot(mfa: boolean): void {
  iam.on(GetAccountSummaryCommand).resolves(accountSummary({ AccountMFAEnabled: mfa ? 1 : 0 }));
}

export function mockUsers(users: TestUser[], rows: string[]): void {
  mockUserReads(users, rows, { generated: new Date('2026-03-01T09:00:00Z') });
}

export function sentBatches(): ConfigEvaluation[][] {
  return config
    .commandCalls(PutEvaluationsCommand)
    .map((call) => call.args[0].input.Evaluations ?? []);
}

export let provider: ClientProvider;

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

/** The logs' level in tests (test/build-once.js: silent unless POWERTOOLS_LOG_LEVEL says otherwise). */
const TEST_LOG_LEVEL = (process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT') as Parameters<
  typeof logger.setLogLevel
>[0];

/** For a test that asserts on the logs: the level a Lambda function logs at (INFO). */
export function logAsInLambda(): void {
  logger.setLogLevel('INFO');
}

afterEach(() => {
  jest.restoreAllMocks();
  logger.setLogLevel(TEST_LOG_LEVEL);
});
