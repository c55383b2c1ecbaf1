/**
 * What the runtime writes to its logs: never the result token, never credential report content.
 * An event for another account is refused before anything is read or sent.
 */
import { PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { RULES } from '../../rules/catalog';
import { ClientProvider } from '../../rules/runtime/clients';
import { createHandler } from '../../rules/runtime/handler';
import { logger } from '../../rules/runtime/logger';
import { scheduledEvent, type ScheduledEventOptions } from '../support/events';
import { ACCOUNT_ID, mockAws } from './mock-aws';
import { captureOutput } from '../support/capture';

const TOKEN = 'tok-SECRET-42';
const CANARY = 'report-canary';

/** Every event carries the token whose absence from the logs the tests check. */
const EVENT: ScheduledEventOptions = {
  accountId: ACCOUNT_ID,
  resultToken: TOKEN,
  parameters: {},
  notificationCreationTime: '2026-01-01T00:00:00.000Z',
};

let mocks: ReturnType<typeof mockAws>;

beforeEach(() => {
  logger.setLogLevel('DEBUG');
  mocks = mockAws([
    { name: CANARY, id: 'AIDACANARY0000000001', consolePassword: true, mfa: false },
    { name: 'alice', id: 'AIDAALICE00000000001', consolePassword: true, mfa: true },
  ]);
});

afterEach(() => {
  mocks.iam.restore();
  mocks.config.restore();
  mocks.sts.restore();
});

describe('logs', () => {
  test.each(RULES.map((rule) => rule.metadata.name))(
    '%s: neither the result token nor report content is logged',
    async (name) => {
      // Prepare
      const rule = RULES.find((r) => r.metadata.name === name);
      if (!rule) throw new Error(name);
      const handler = createHandler(rule, { clients: new ClientProvider({ region: 'us-east-1' }) });
      let summary: Awaited<ReturnType<typeof handler>> | undefined;

      // Act
      const output = await captureOutput(async () => {
        summary = await handler(scheduledEvent(name, EVENT));
      });

      // Assess
      expect(summary?.evaluations).toBeGreaterThan(0);
      expect(output).toContain('evaluated');
      expect(output).not.toContain(TOKEN);
      expect(output).not.toContain('SECRET');
      expect(output).not.toContain(CANARY);
      const sent = mocks.config.commandCalls(PutEvaluationsCommand);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.every((call) => call.args[0].input.ResultToken === TOKEN)).toBe(true);
    },
  );

  test('a failing run logs neither the token nor report content', async () => {
    // Prepare
    mocks.config.on(PutEvaluationsCommand).rejects(new Error(`boom`));
    const rule = RULES.find((r) => r.metadata.name === 'iam-user-console-mfa');
    if (!rule) throw new Error('rule');
    const handler = createHandler(rule, { clients: new ClientProvider({ region: 'us-east-1' }) });

    // Act
    const output = await captureOutput(() =>
      handler(scheduledEvent('iam-user-console-mfa', EVENT)),
    );

    // Assess
    expect(output).toContain('evaluation failed');
    expect(output).not.toContain(TOKEN);
    expect(output).not.toContain(CANARY);
  });
});

describe('another account', () => {
  test.each(RULES.map((rule) => rule.metadata.name))(
    '%s: an event for 999999999999 without ExecutionRoleName is refused, nothing read or sent',
    async (name) => {
      // Prepare
      const rule = RULES.find((r) => r.metadata.name === name);
      if (!rule) throw new Error(name);
      const handler = createHandler(rule, { clients: new ClientProvider({ region: 'us-east-1' }) });
      logger.setLogLevel('SILENT');

      // Act
      const run = handler(scheduledEvent(name, { ...EVENT, accountId: '999999999999' }));

      // Assess
      await expect(run).rejects.toMatchObject({
        name: 'AccountMismatchError',
        message: expect.stringContaining('999999999999') as unknown,
      });
      expect(mocks.config.calls()).toHaveLength(0);
      expect(mocks.iam.calls()).toHaveLength(0);
    },
  );
});
