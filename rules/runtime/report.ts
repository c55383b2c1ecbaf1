/**
 * Sending evaluations to AWS Config, and clearing those recorded earlier for resources that no
 * longer exist.
 */
import {
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
  type ConfigServiceClient,
  type Evaluation as ConfigEvaluation,
} from '@aws-sdk/client-config-service';
import { clampAnnotation } from './annotation';
import { DataLoadError, DeadlineError, describeError, errorName } from './errors';
import { pages } from './pages';
import { mapPool } from './pool';
import type { Evaluation } from './types';

/** PutEvaluations accepts at most 100 evaluations per call. */
export const BATCH_SIZE = 100;
/** Rounds of re-sending evaluations Config handed back in FailedEvaluations. */
export const FAILED_EVALUATION_ROUNDS = 5;
/** PutEvaluations calls in flight at once (each with the SDK's adaptive retry on throttling). */
export const SEND_CONCURRENCY = 4;

export interface SendOptions {
  resultToken: string;
  orderingTimestamp: Date;
  remainingMs: () => number;
  /** Stop sending when fewer than this many milliseconds remain (default 5 s). */
  reserveMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SendResult {
  calls: number;
  /** Evaluations sent again after Config returned them in FailedEvaluations. */
  resent: number;
}

const key = (resourceType: string | undefined, resourceId: string | undefined) =>
  `${resourceType ?? ''}\u0000${resourceId ?? ''}`;
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function toConfigEvaluation(
  evaluation: Evaluation,
  orderingTimestamp: Date,
): ConfigEvaluation {
  return {
    ComplianceResourceType: evaluation.resourceType,
    ComplianceResourceId: evaluation.resourceId,
    ComplianceType: evaluation.compliance,
    Annotation: clampAnnotation(evaluation.annotation),
    OrderingTimestamp: orderingTimestamp,
  };
}

/** Refuses two verdicts for one resource: Config would keep whichever arrived last. */
export function assertUnique(evaluations: readonly Evaluation[]): void {
  const seen = new Set<string>();
  for (const evaluation of evaluations) {
    const k = key(evaluation.resourceType, evaluation.resourceId);
    if (seen.has(k)) {
      throw new Error(`two evaluations for ${evaluation.resourceType} ${evaluation.resourceId}`);
    }
    seen.add(k);
  }
}

/**
 * PutEvaluations in batches of 100, up to `SEND_CONCURRENCY` batches in flight. Evaluations returned
 * in FailedEvaluations are sent again (with backoff) up to five rounds; any still failing then fail
 * the invocation. Before each call the remaining time is checked, so the function stops between
 * whole batches with a message instead of being killed mid-batch; on any failure no new batch
 * starts, and the error is raised once the batches in flight have been answered.
 */
export async function sendEvaluations(
  config: ConfigServiceClient,
  evaluations: readonly Evaluation[],
  options: SendOptions,
): Promise<SendResult> {
  const reserveMs = options.reserveMs ?? 5_000;
  const sleep = options.sleep ?? defaultSleep;
  const testMode = options.resultToken === 'TESTMODE';
  const pending = evaluations.map((evaluation) =>
    toConfigEvaluation(evaluation, options.orderingTimestamp),
  );
  const batches: ConfigEvaluation[][] = [];
  for (let start = 0; start < pending.length; start += BATCH_SIZE) {
    batches.push(pending.slice(start, start + BATCH_SIZE));
  }
  let calls = 0;
  let resent = 0;
  let sent = 0;

  const sendBatch = async (first: ConfigEvaluation[]): Promise<void> => {
    let batch = first;
    for (let round = 0; batch.length > 0; round++) {
      if (round > FAILED_EVALUATION_ROUNDS) {
        const refused = `${batch.length} evaluation(s) after ${FAILED_EVALUATION_ROUNDS} retries (${describeBatch(batch)})`;
        throw new Stop(
          DataLoadError,
          (recorded) => `AWS Config refused ${refused}; ${recorded} were recorded`,
        );
      }
      if (options.remainingMs() < reserveMs) {
        throw new Stop(
          DeadlineError,
          (recorded) =>
            `stopped before the Lambda timeout: ${recorded} evaluations sent; the next run sends them all again`,
        );
      }
      if (round > 0) {
        resent += batch.length;
        await sleep(Math.min(200 * 2 ** round, 5_000) * (0.5 + Math.random() / 2));
      }
      let failed: ConfigEvaluation[];
      try {
        const out = await config.send(
          new PutEvaluationsCommand({
            Evaluations: batch,
            ResultToken: options.resultToken,
            TestMode: testMode,
          }),
        );
        failed = out.FailedEvaluations ?? [];
      } catch (error) {
        const why = describeError(error);
        throw new Stop(
          DataLoadError,
          (recorded) => `PutEvaluations failed: ${why}; ${recorded} were recorded`,
        );
      } finally {
        calls += 1;
      }
      const failedKeys = new Set(
        failed.map((e) => key(e.ComplianceResourceType, e.ComplianceResourceId)),
      );
      const next = batch.filter((e) =>
        failedKeys.has(key(e.ComplianceResourceType, e.ComplianceResourceId)),
      );
      sent += batch.length - next.length;
      batch = next;
    }
  };

  try {
    await mapPool(batches, SEND_CONCURRENCY, sendBatch);
  } catch (error) {
    // Raised once the batches in flight were answered, so the count is what Config holds.
    if (error instanceof Stop) {
      throw new error.type(error.describe(`${sent} of ${pending.length}`));
    }
    throw error;
  }
  return { calls, resent };
}

/** Why sending stopped; becomes `type` with the final count once the batches in flight end. */
class Stop extends Error {
  constructor(
    readonly type: new (message: string) => Error,
    readonly describe: (recorded: string) => string,
  ) {
    super(describe('some'));
  }
}

function describeBatch(batch: ConfigEvaluation[]): string {
  const ids = batch.slice(0, 3).map((e) => e.ComplianceResourceId ?? '?');
  return ids.join(', ') + (batch.length > 3 ? ', …' : '');
}

/** A verdict this rule recorded earlier, as Config keeps it. */
export interface RecordedEvaluation {
  resourceType: string;
  resourceId: string;
  compliance: string;
}

/**
 * The COMPLIANT and NON_COMPLIANT verdicts this rule has on record. Read while the facts are being
 * gathered: the two are independent, and comparing them afterwards finds the vanished resources.
 */
export async function recordedEvaluations(
  config: ConfigServiceClient,
  ruleName: string,
  options: { testMode: boolean; signal?: AbortSignal },
): Promise<RecordedEvaluation[]> {
  const recorded: RecordedEvaluation[] = [];
  const { signal } = options;
  try {
    const listing = pages(
      (nextToken) =>
        config.send(
          new GetComplianceDetailsByConfigRuleCommand({
            ConfigRuleName: ruleName,
            ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'],
            Limit: 100,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
          { abortSignal: signal },
        ),
      (out) => out.NextToken ?? undefined,
      signal,
    );
    for await (const out of listing) {
      for (const result of out.EvaluationResults ?? []) {
        const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
        const { ResourceType: resourceType, ResourceId: resourceId } = qualifier ?? {};
        if (!resourceType || !resourceId) continue;
        recorded.push({
          resourceType,
          resourceId,
          compliance: result.ComplianceType ?? 'a verdict',
        });
      }
    }
  } catch (error) {
    // A test-mode event may name a rule that does not exist: then nothing was recorded before.
    if (options.testMode && errorName(error) === 'NoSuchConfigRuleException') return [];
    throw new DataLoadError(`cannot read the rule's recorded evaluations: ${describeError(error)}`);
  }
  return recorded;
}

/**
 * Recorded verdicts for resources absent from `current`: they no longer exist, so they are reported
 * NOT_APPLICABLE with the resource type Config recorded, and leave the rule's results.
 */
export function staleEvaluations(
  recorded: readonly RecordedEvaluation[],
  current: readonly Evaluation[],
): Evaluation[] {
  const present = new Set(current.map((e) => key(e.resourceType, e.resourceId)));
  const stale: Evaluation[] = [];
  for (const { resourceType, resourceId, compliance } of recorded) {
    const k = key(resourceType, resourceId);
    if (present.has(k)) continue;
    present.add(k);
    stale.push({
      resourceType,
      resourceId,
      resourceName: resourceId,
      compliance: 'NOT_APPLICABLE',
      annotation: `No longer exists in the account (last recorded ${compliance}): cleared from the rule's results.`,
    });
  }
  return stale;
}
