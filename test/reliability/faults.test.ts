/**
 * Reliability under injected AWS faults: every rule's periodic run goes through a fault proxy in
 * front of moto. Under moderate throttling, server errors and FailedEvaluations each run completes
 * with exactly the fault-free verdicts; under a storm or a failing read it rejects and what it
 * stored (if anything) is never wrong; near the deadline it stops between whole batches.
 */
import { RULE_NAMES, RULES } from '../../rules/catalog';
import { ClientProvider } from '../../rules/runtime/clients';
import { createHandler, type InvocationSummary } from '../../rules/runtime/handler';
import { logger } from '../../rules/runtime/logger';
import { BATCH_SIZE, SEND_CONCURRENCY } from '../../rules/runtime/report';
import type { AnyRule, Evaluation } from '../../rules/runtime/types';
import { scheduledEvent, type ConfigEvent } from '../support/events';
import { storedVerdicts } from '../support/stored';
import { on, startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import {
  seedUsers,
  setRootState,
  startMoto,
  TEST_ACCOUNT_ID,
  type MotoServer,
  type SeedMfa,
  type SeedUser,
} from '../support/moto';

// ClientProvider uses the default credential chain: moto accepts any keys.
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';

const REGION = 'us-east-1';
const TUNING = { pollIntervalMs: 20, concurrency: 8 };
const MFA: SeedMfa[] = ['none', 'virtual', 'hardware', 'none'];
const USERS: SeedUser[] = Array.from({ length: 150 }, (_, i) => ({
  name: `user-${String(i).padStart(3, '0')}`,
  consolePassword: i % 3 !== 0,
  mfa: MFA[i % MFA.length] ?? 'none',
}));

/** Verdicts by readable name (user name or account id), which survive a reseed. */
type Verdicts = Map<string, string>;

let moto: MotoServer;
let proxy: FaultProxy;
/** resource id → readable name for the current seed. */
let names = new Map<string, string>();
const baseline = new Map<string, Verdicts>();

/** A periodic run's event; moto stores its verdicts under the token's text before the '/'. */
function periodic(rule: string, parameters: Record<string, unknown> = {}): ConfigEvent {
  return scheduledEvent(rule, { resultToken: `${rule}/reliability`, parameters });
}

async function seed(users: SeedUser[] = USERS): Promise<void> {
  await moto.reset();
  const seeded = await seedUsers(moto.endpoint, TEST_ACCOUNT_ID, users);
  await setRootState(moto.endpoint, { mfaEnabled: true, passwordPresent: true });
  names = new Map(seeded.map((user) => [user.userId, user.name]));
  names.set(TEST_ACCOUNT_ID, TEST_ACCOUNT_ID);
}

/** What moto stored for a rule, read directly (not through the proxy), keyed by readable name. */
async function stored(rule: string): Promise<Verdicts> {
  const verdicts = await storedVerdicts(moto.endpoint, rule);
  return new Map(
    Object.entries(verdicts).map(([id, compliance]) => [
      names.get(id) ?? `unknown:${id}`,
      compliance,
    ]),
  );
}

/** What each rule's last run evaluated, seen in-process (the handler returns counts only). */
const lastEvaluations = new Map<string, readonly Evaluation[]>();

function summaryVerdicts(summary: InvocationSummary): Verdicts {
  const evaluations = lastEvaluations.get(summary.rule) ?? [];
  return new Map(evaluations.map((e) => [e.resourceName, e.compliance]));
}

function ruleNamed(name: string): AnyRule {
  const rule = RULES.find((r) => r.metadata.name === name);
  if (!rule) throw new Error(`no rule ${name}`);
  return rule;
}

function handlerFor(rule: AnyRule, maxAttempts?: number) {
  const clients = new ClientProvider({
    endpoint: proxy.endpoint,
    region: REGION,
    ...(maxAttempts !== undefined ? { maxAttempts } : {}),
  });
  return createHandler(rule, {
    clients,
    tuning: TUNING,
    onEvaluations: (all) => lastEvaluations.set(rule.metadata.name, all),
  });
}

/** Every stored verdict equals the fault-free one (a subset, never a different verdict). */
function expectSubsetOfBaseline(
  rule: string,
  verdicts: Verdicts,
  from: Map<string, Verdicts> = baseline,
): void {
  const expected = from.get(rule) ?? new Map<string, string>();
  for (const [name, compliance] of verdicts) {
    expect([name, compliance]).toEqual([name, expected.get(name)]);
  }
}

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  moto = await startMoto({
    // Short pages: ListUsers takes many pages, each of them exposed to faults.
    env: { MOTO_EXT_REPORT_DELAY_MS: '50', MOTO_EXT_SHORT_PAGES: '1' },
  });
  proxy = await startFaultProxy({ target: moto.endpoint, seed: 42 });

  // Fault-free baseline, through the proxy with every rate at 0.
  await seed();
  for (const rule of RULES) {
    const summary = await handlerFor(rule)(periodic(rule.metadata.name));
    const verdicts = await stored(rule.metadata.name);
    expect(verdicts).toEqual(summaryVerdicts(summary));
    baseline.set(rule.metadata.name, verdicts);
  }
  expect(proxy.counters().requests).toBeGreaterThan(0);
  expect(Object.keys(proxy.counters())).toEqual(['requests']);
});

afterAll(async () => {
  await proxy.stop();
  await moto.stop();
});

beforeEach(async () => {
  proxy.setRates({});
  proxy.setRules([]);
  proxy.reseed(7);
  await seed();
});

describe('fault-free baseline', () => {
  test('covers every user and the account with mixed verdicts', () => {
    // Prepare / Act: done in beforeAll.
    const users = baseline.get('iam-user-console-mfa');

    // Assess
    expect(users?.size).toBe(USERS.length);
    expect(new Set(users?.values())).toEqual(
      new Set(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']),
    );
    expect(baseline.get('root-account-mfa')?.get(TEST_ACCOUNT_ID)).toBe('COMPLIANT');
    expect(baseline.get('root-account-hardware-mfa')?.size).toBe(1);
  });
});

describe('moderate faults', () => {
  test('15 % throttling + 5 % server errors + 20 % FailedEvaluations: exact fault-free verdicts', async () => {
    // Prepare
    // At most 3 faults in a row per request or evaluation: fewer than the SDK's 8 attempts and the
    // runtime's 5 re-sends of FailedEvaluations, so every draw ends in the fault-free verdicts.
    proxy.setRates({
      throttle: 0.15,
      serverError: 0.05,
      failedEvaluations: 0.2,
      maxConsecutive: 3,
    });

    // Act: the rules run side by side, as their Lambda functions would.
    const summaries = await Promise.all(
      RULES.map((rule) => handlerFor(rule)(periodic(rule.metadata.name))),
    );

    // Assess
    for (const summary of summaries) {
      expect(summaryVerdicts(summary)).toEqual(baseline.get(summary.rule));
      expect(await stored(summary.rule)).toEqual(baseline.get(summary.rule));
    }
    const counters = proxy.counters();
    expect(counters.throttle ?? 0).toBeGreaterThan(0);
    expect((counters['http-500'] ?? 0) + (counters['http-503'] ?? 0)).toBeGreaterThan(0);
    expect(counters['failed-evaluations'] ?? 0).toBeGreaterThan(0);
  });

  test('dropped connections and slow responses: exact fault-free verdicts', async () => {
    // Prepare
    proxy.setRates({ drop: 0.1, slow: 0.1, slowMs: 50, maxConsecutive: 3 });

    // Act
    await Promise.all(RULES.map((rule) => handlerFor(rule)(periodic(rule.metadata.name))));

    // Assess
    for (const name of RULE_NAMES) {
      expect(await stored(name)).toEqual(baseline.get(name));
    }
    const counters = proxy.counters();
    expect(counters.drop ?? 0).toBeGreaterThan(0);
  });
});

describe('throttling storm', () => {
  test('70 % throttling: rejects with a clear error, nothing stored is wrong', async () => {
    // Prepare
    proxy.setRates({ throttle: 0.7 });
    const outcomes: string[] = [];

    // Act
    const results = await Promise.all(
      RULES.map((rule) =>
        handlerFor(
          rule,
          3,
        )(periodic(rule.metadata.name)).then(
          () => 'resolved',
          (error: unknown) => error,
        ),
      ),
    );

    // Assess
    for (const [index, outcome] of results.entries()) {
      const name = RULE_NAMES[index] ?? '';
      if (outcome !== 'resolved') {
        expect(outcome).toBeInstanceOf(Error);
        const error = outcome as Error;
        expect(error.name).toBe('DataLoadError');
        expect(error.message).toMatch(/Rate exceeded|Throttling/);
        expect(error.message).not.toContain('\n');
        outcomes.push(error.name);
      } else {
        outcomes.push('resolved');
        expect(await stored(name)).toEqual(baseline.get(name));
      }
      expectSubsetOfBaseline(name, await stored(name));
    }
    // The users rule makes the most calls: it cannot get through a 70 % storm with 3 attempts.
    expect(outcomes[RULES.findIndex((r) => r.metadata.name === 'iam-user-console-mfa')]).toBe(
      'DataLoadError',
    );
  });
});

describe('a read that fails midway', () => {
  const usersRule = ruleNamed('iam-user-console-mfa');

  test('GenerateCredentialReport always LimitExceeded: fails, nothing stored', async () => {
    // Prepare
    proxy.setRules([
      {
        match: on('iam', 'GenerateCredentialReport'),
        fault: {
          kind: 'error',
          error: { status: 409, code: 'LimitExceeded', message: 'Cannot exceed quota' },
        },
      },
    ]);

    // Act: one SDK attempt per call (the SDK counts LimitExceeded as throttling and would back
    // off for seconds); the runtime's own LimitExceeded retries remain.
    const run = handlerFor(usersRule, 1)(periodic('iam-user-console-mfa'));

    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'DataLoadError',
      message: expect.stringMatching(/credential report.*LimitExceeded/) as unknown,
    });
    expect((await stored('iam-user-console-mfa')).size).toBe(0);
    // Four GenerateCredentialReport calls at least (1 + 3 retries by the runtime).
    expect(proxy.counters()['error:LimitExceeded']).toBeGreaterThanOrEqual(4);
  });

  test('ListUsers second page failing after retries: fails, nothing stored', async () => {
    // Prepare
    proxy.setRules([
      {
        match: on('iam', 'ListUsers', (info) => info.form.has('Marker')),
        fault: { kind: 'server-error', status: 500 },
      },
    ]);

    // Act
    const run = handlerFor(usersRule, 3)(periodic('iam-user-console-mfa'));

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'DataLoadError' });
    expect((await stored('iam-user-console-mfa')).size).toBe(0);
    // Each attempt at a later page failed (also the single-user reads that list users).
    expect(proxy.counters()['iam.ListUsers:http-500']).toBeGreaterThanOrEqual(3);
  });

  test('STS refusing AssumeRole: every rule fails, nothing stored', async () => {
    // Prepare
    proxy.setRules([
      {
        match: on('sts', 'AssumeRole'),
        fault: {
          kind: 'error',
          error: { status: 403, code: 'AccessDenied', message: 'not authorized to assume' },
        },
      },
    ]);

    for (const rule of RULES) {
      const name = rule.metadata.name;

      // Act
      const run = handlerFor(rule, 3)(periodic(name, { ExecutionRoleName: 'Auditor' }));

      // Assess
      await expect(run).rejects.toMatchObject({
        name: 'AccountRefusedError',
        message: expect.stringMatching(/may not assume .*role\/Auditor.*AccessDenied/) as unknown,
      });
      expect((await stored(name)).size).toBe(0);
    }
  });
});

describe('remaining time', () => {
  const usersRule = ruleNamed('iam-user-console-mfa');
  // More batches than are sent at once, so a deadline can fall between two waves of batches.
  const MANY_USERS: SeedUser[] = Array.from(
    { length: BATCH_SIZE * SEND_CONCURRENCY + 50 },
    (_, i) => ({
      name: `many-${String(i).padStart(4, '0')}`,
      consolePassword: i % 3 !== 0,
      mfa: MFA[i % MFA.length] ?? 'none',
    }),
  );
  const manyBaseline = new Map<string, Verdicts>();

  beforeAll(async () => {
    proxy.setRates({});
    proxy.setRules([]);
    await seed(MANY_USERS);
    await handlerFor(usersRule)(periodic('iam-user-console-mfa'));
    manyBaseline.set('iam-user-console-mfa', await stored('iam-user-console-mfa'));
    expect(manyBaseline.get('iam-user-console-mfa')?.size).toBe(MANY_USERS.length);
  });

  beforeEach(async () => {
    await seed(MANY_USERS);
  });

  test('deadline reached after the first batches: DeadlineError, every NON_COMPLIANT sent first, whole batches only', async () => {
    // Prepare: PutEvaluations are slow; once one was answered, little time remains. The batches
    // already in flight (the NON_COMPLIANT ones, sent first) complete; no further batch starts.
    proxy.setRules([
      { match: on('config', 'PutEvaluations'), fault: { kind: 'slow', ms: 100 }, rate: 1 },
    ]);
    const context = {
      getRemainingTimeInMillis: () =>
        (proxy.counters()['config.PutEvaluations:slow'] ?? 0) > 0 ? 1_000 : 60_000,
    };
    const handler = createHandler(usersRule, {
      clients: new ClientProvider({ endpoint: proxy.endpoint, region: REGION }),
      tuning: TUNING,
      reserveMs: 5_000,
    });
    const expected = [...(manyBaseline.get('iam-user-console-mfa') ?? new Map<string, string>())];
    const nonCompliant = expected.filter(([, compliance]) => compliance === 'NON_COMPLIANT');

    // Act
    const run = handler(periodic('iam-user-console-mfa'), context);

    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'DeadlineError',
      message: expect.stringContaining(
        `stopped before the Lambda timeout: ${nonCompliant.length} of ${MANY_USERS.length} evaluations sent, ${MANY_USERS.length - nonCompliant.length} not sent (0 of them NON_COMPLIANT)`,
      ) as unknown,
    });
    const verdicts = await stored('iam-user-console-mfa');
    expect(nonCompliant.length).toBeGreaterThan(BATCH_SIZE);
    expect(verdicts).toEqual(new Map(nonCompliant));
  });

  test('1,200 users, slow PutEvaluations, a real deadline: every NON_COMPLIANT is sent before any other, the run fails and logs what was not sent', async () => {
    // Prepare: 1,200 users; each PutEvaluations takes 400 ms; the Lambda deadline falls 600 ms
    // (plus the 1 s reserve) after the first PutEvaluations reaches AWS: room for one wave.
    const users: SeedUser[] = Array.from({ length: 1_200 }, (_, i) => ({
      name: `big-${String(i).padStart(4, '0')}`,
      consolePassword: i % 3 !== 0,
      mfa: MFA[i % MFA.length] ?? 'none',
    }));
    await seed(users);
    let firstPut: number | undefined;
    const isPut = on('config', 'PutEvaluations');
    proxy.setRules([
      {
        match: (info) => {
          if (!isPut(info)) return false;
          firstPut ??= Date.now();
          return true;
        },
        fault: { kind: 'slow', ms: 400 },
      },
    ]);
    const reserveMs = 1_000;
    const context = {
      getRemainingTimeInMillis: () =>
        firstPut === undefined ? 120_000 : firstPut + 600 + reserveMs - Date.now(),
    };
    const handler = createHandler(usersRule, {
      clients: new ClientProvider({ endpoint: proxy.endpoint, region: REGION }),
      tuning: TUNING,
      reserveMs,
    });
    const logged: string[] = [];
    logger.setLogLevel('ERROR');
    const capture = (...args: unknown[]) => {
      logged.push(args.map((a) => String(a)).join(' '));
      return true;
    };
    const spies = [
      jest.spyOn(process.stdout, 'write').mockImplementation(capture),
      jest.spyOn(process.stderr, 'write').mockImplementation(capture),
      ...(['log', 'info', 'warn', 'error'] as const).map((method) =>
        jest.spyOn(console, method).mockImplementation(capture),
      ),
    ];

    // Act
    const error = await handler(periodic('iam-user-console-mfa'), context)
      .catch((caught: unknown) => caught)
      .finally(() => {
        for (const spy of spies) spy.mockRestore();
        logger.setLogLevel('SILENT');
      });

    // Assess
    const verdicts = await stored('iam-user-console-mfa');
    const nonCompliant = users.filter((u) => u.consolePassword && u.mfa === 'none').length;
    const line = logged
      .flatMap((chunk) => chunk.split('\n'))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.level === 'ERROR');
    expect(error).toMatchObject({ name: 'DeadlineError' });
    expect([...verdicts.values()].every((v) => v === 'NON_COMPLIANT')).toBe(true);
    expect(verdicts.size).toBe(nonCompliant);
    expect(line).toMatchObject({
      sent: nonCompliant,
      notSent: users.length - nonCompliant,
      nonCompliantNotSent: 0,
    });
  });

  test('short real deadline with slow responses: DeadlineError, whole batches or none', async () => {
    // Prepare
    proxy.setRates({ slow: 1, slowMs: 150 });
    const deadline = Date.now() + 3_000;
    const handler = createHandler(usersRule, {
      clients: new ClientProvider({ endpoint: proxy.endpoint, region: REGION }),
      tuning: TUNING,
      reserveMs: 2_000,
    });

    // Act
    const run = handler(periodic('iam-user-console-mfa'), {
      getRemainingTimeInMillis: () => deadline - Date.now(),
    });

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'DeadlineError' });
    const verdicts = await stored('iam-user-console-mfa');
    expect(verdicts.size % BATCH_SIZE).toBe(0);
    expectSubsetOfBaseline('iam-user-console-mfa', verdicts, manyBaseline);
  });
});
