/**
 * Property tests over AWS Config events and rule parameters: whatever the event looks like, the
 * handler either reports valid evaluations or refuses with an InvalidInputError /
 * AccountMismatchError on one line, sending nothing. The CLI turns garbage events into exit code 2
 * and one stderr line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import fc from 'fast-check';
import { RULE_NAMES, RULES } from '../../rules/catalog';
import { main } from '../../cli/main';
import { ClientProvider } from '../../rules/runtime/clients';
import { createHandler } from '../../rules/runtime/handler';
import { logger } from '../../rules/runtime/logger';
import { ACCOUNT_ID, mockAws } from './mock-aws';

const NUM_RUNS = 200;
const COMPLIANCE = ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'];
const ALLOWED_ERRORS = ['InvalidInputError', 'AccountMismatchError'];
const TIME = '2026-01-02T03:04:05.000Z';

type Json = Record<string, unknown>;

function item(status: string): Json {
  return {
    resourceType: 'AWS::IAM::User',
    resourceId: 'AIDAEXAMPLE000000001',
    resourceName: 'alice',
    configurationItemStatus: status,
    configurationItemCaptureTime: TIME,
  };
}

const INVOKING: Record<string, Json> = {
  scheduled: { messageType: 'ScheduledNotification', notificationCreationTime: TIME },
  change: { messageType: 'ConfigurationItemChangeNotification', configurationItem: item('OK') },
  oversized: {
    messageType: 'OversizedConfigurationItemChangeNotification',
    configurationItemSummary: item('ResourceDiscovered'),
  },
  deleted: {
    messageType: 'ConfigurationItemChangeNotification',
    configurationItem: item('ResourceDeleted'),
  },
};

function envelope(invoking: Json, rule: string): Json {
  return {
    invokingEvent: JSON.stringify(invoking),
    ruleParameters: '{}',
    resultToken: 'token-123',
    eventLeftScope: false,
    configRuleName: rule,
    accountId: ACCOUNT_ID,
  };
}

const ENVELOPE_KEYS = [
  'invokingEvent',
  'ruleParameters',
  'resultToken',
  'eventLeftScope',
  'configRuleName',
  'accountId',
];
const INVOKING_KEYS = [
  'messageType',
  'notificationCreationTime',
  'configurationItem',
  'configurationItemSummary',
];

type Mutation = (event: Json, invoking: Json) => void;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...ENVELOPE_KEYS).map<Mutation>((key) => (event) => {
    Reflect.deleteProperty(event, key);
  }),
  fc
    .tuple(fc.constantFrom(...ENVELOPE_KEYS), fc.anything())
    .map<Mutation>(([key, value]) => (event) => {
      event[key] = value;
    }),
  fc.constantFrom(...INVOKING_KEYS).map<Mutation>((key) => (_event, invoking) => {
    Reflect.deleteProperty(invoking, key);
  }),
  fc
    .tuple(
      fc.constantFrom(...INVOKING_KEYS, 'configurationItem.configurationItemStatus'),
      fc.anything(),
    )
    .map<Mutation>(([key, value]) => (_event, invoking) => {
      const [head = '', tail] = key.split('.');
      const inner = invoking[head];
      if (tail && typeof inner === 'object' && inner !== null) (inner as Json)[tail] = value;
      else invoking[head] = value;
    }),
  fc
    .oneof(
      fc.string(),
      fc.constantFrom(...Object.values(INVOKING).map((i) => String(i.messageType))),
    )
    .map<Mutation>((type) => (_event, invoking) => {
      invoking.messageType = type;
    }),
  fc.oneof(fc.string(), fc.json()).map<Mutation>((text) => (event) => {
    event.invokingEvent = text;
  }),
  fc
    .oneof(
      fc.json(),
      fc.string(),
      fc.dictionary(fc.string(), fc.jsonValue()).map((o) => JSON.stringify(o)),
      fc
        .oneof(fc.string(), fc.constantFrom('', 'Auditor', 'a'.repeat(65), 'bad role'))
        .map((name) => JSON.stringify({ ExecutionRoleName: name })),
    )
    .map<Mutation>((text) => (event) => {
      event.ruleParameters = text;
    }),
  fc
    .oneof(fc.stringMatching(/^\d{12}$/), fc.string(), fc.integer(), fc.constant(ACCOUNT_ID))
    .map<Mutation>((id) => (event) => {
      event.accountId = id;
    }),
  fc.boolean().map<Mutation>((left) => (event) => {
    event.eventLeftScope = left;
  }),
);

/** A valid event of each kind, then up to four arbitrary mutations (or none). */
const eventArb = fc
  .tuple(
    fc.constantFrom(...Object.keys(INVOKING)),
    fc.constantFrom(...RULE_NAMES),
    fc.array(mutation, { minLength: 0, maxLength: 4 }),
    fc.boolean(),
  )
  .map(([kind, rule, mutations, invokingFirst]) => {
    const invoking = structuredClone(INVOKING[kind] ?? {});
    const event = envelope(invoking, rule);
    for (const mutate of mutations) {
      mutate(event, invoking);
      // Invoking-event mutations take effect unless invokingEvent was replaced afterwards.
      if (invokingFirst && typeof event.invokingEvent === 'string') {
        event.invokingEvent = JSON.stringify(invoking);
      }
    }
    return { rule, event };
  });

let mocks: ReturnType<typeof mockAws>;

beforeAll(() => {
  logger.setLogLevel('SILENT');
});

beforeEach(() => {
  mocks = mockAws();
});

afterEach(() => {
  mocks.iam.restore();
  mocks.config.restore();
  mocks.sts.restore();
});

describe('handler over arbitrary events', () => {
  test('resolves with valid evaluations, or refuses on one line and sends nothing', async () => {
    let resolved = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(eventArb, async ({ rule, event }) => {
        // Prepare
        mocks.iam.resetHistory();
        mocks.config.resetHistory();
        mocks.sts.resetHistory();
        const definition = RULES.find((r) => r.metadata.name === rule);
        if (!definition) throw new Error(rule);
        const handler = createHandler(definition, {
          clients: new ClientProvider({ region: 'us-east-1' }),
        });

        // Act
        const outcome = await handler(event).then(
          () => undefined,
          (error: unknown) => error,
        );

        // Assess
        const puts = mocks.config.commandCalls(PutEvaluationsCommand);
        if (outcome === undefined) {
          // No users is a valid account: then nothing at all is sent.
          resolved += 1;
          for (const call of puts) {
            const { Evaluations = [], ResultToken } = call.args[0].input;
            expect(Evaluations.length).toBeGreaterThanOrEqual(1);
            expect(Evaluations.length).toBeLessThanOrEqual(100);
            expect(ResultToken).toBeTruthy();
            for (const evaluation of Evaluations) {
              expect(COMPLIANCE).toContain(evaluation.ComplianceType);
              expect(evaluation.Annotation?.length).toBeGreaterThanOrEqual(1);
              expect(evaluation.Annotation?.length).toBeLessThanOrEqual(256);
              expect(evaluation.OrderingTimestamp).toBeInstanceOf(Date);
              expect(Number.isNaN(evaluation.OrderingTimestamp?.getTime())).toBe(false);
            }
          }
        } else {
          refused += 1;
          expect(outcome).toBeInstanceOf(Error);
          const error = outcome as Error;
          expect(ALLOWED_ERRORS).toContain(error.name);
          expect(error.message.length).toBeGreaterThan(0);
          expect(error.message).not.toMatch(/[\r\n]/);
          expect(puts).toHaveLength(0);
        }
      }),
      { numRuns: NUM_RUNS, seed: 20261123 },
    );
    // Both branches were exercised.
    expect(resolved).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  test('arbitrary values as the whole event are refused with InvalidInputError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.constantFrom(...RULES), async (event, rule) => {
        // Prepare
        mocks.config.resetHistory();
        const handler = createHandler(rule, {
          clients: new ClientProvider({ region: 'us-east-1' }),
        });

        // Act
        const outcome = await handler(event).then(
          () => undefined,
          (error: unknown) => error,
        );

        // Assess
        expect((outcome as Error | undefined)?.name).toBe('InvalidInputError');
        expect(mocks.config.calls()).toHaveLength(0);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('CLI invoke over garbage event files', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mfa-rel-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Event file contents that can never be a valid Config event. */
  const garbage = fc.oneof(
    fc.string(),
    fc.json(),
    fc
      .jsonValue()
      .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
      .map((v) => JSON.stringify(v)),
    fc
      .tuple(
        fc.constantFrom('invokingEvent', 'resultToken', 'configRuleName', 'accountId'),
        eventArb,
      )
      .map(([dropped, { event }]) => {
        const copy: Json = { ...event };
        Reflect.deleteProperty(copy, dropped);
        return JSON.stringify(copy);
      }),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  );

  test('exit code 2 and exactly one stderr line without stack frames', async () => {
    let file = 0;
    await fc.assert(
      fc.asyncProperty(
        garbage,
        fc.oneof(fc.constantFrom(...RULE_NAMES), fc.string()),
        async (text, rule) => {
          // Prepare
          const path = join(dir, `event-${String(file++)}.json`);
          writeFileSync(path, text);
          const stderr: string[] = [];
          const stdout: string[] = [];
          const io = {
            stdout: (t: string) => void stdout.push(t),
            stderr: (t: string) => void stderr.push(t),
            readStdin: () => Promise.resolve(''),
          };

          // Act
          const code = await main(['invoke', '--rule', rule, '--event', path], io);

          // Assess
          const err = stderr.join('');
          expect(code).toBe(2);
          expect(err.endsWith('\n')).toBe(true);
          expect(err.slice(0, -1)).not.toContain('\n');
          expect(err).not.toMatch(/^\s+at |\n\s+at /);
          expect(err).not.toMatch(/\bat .*\.(ts|js):\d+/);
          expect(mocks.config.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
