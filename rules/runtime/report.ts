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
import { Deadline } from './deadline';
import { DataLoadError, DeadlineError, describeError, errorName } from './errors';
import { pages } from './pages';
import { allOrAbort, mapPool } from './pool';
import { EVIDENCE_AT, type Evaluation, type RecordedEvaluation } from './types';

/** PutEvaluations accepts at most 100 evaluations per call. */
export const BATCH_SIZE = 100;
/** Rounds of re-sending evaluations Config handed back in FailedEvaluations. */
export const FAILED_EVALUATION_ROUNDS = 5;
/** PutEvaluations calls in flight at once (each with the SDK's adaptive retry on throttling). */
export const SEND_CONCURRENCY = 4;

export interface SendOptions {
  resultToken: string;
  /** OrderingTimestamp of an evaluation that carries no `evidenceAt` of its own. */
  orderingTimestamp: Date;
  remainingMs: () => number;
  /** Stop sending when fewer than this many milliseconds remain (default 5 s). */
  reserveMs?: number;
  /** Aborts a PutEvaluations in flight at the deadline; default: one from remainingMs/reserveMs. */
  deadline?: Deadline;
  sleep?: (ms: number) => Promise<void>;
}

export interface SendResult {
  calls: number;
  /** Evaluations sent again after Config returned them in FailedEvaluations. */
  resent: number;
}

/** Sending stopped before every evaluation was recorded; the counts say how far it got. */
export interface SendShortfall {
  sent: number;
  notSent: number;
  nonCompliantNotSent: number;
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
    OrderingTimestamp: evaluation[EVIDENCE_AT] ?? orderingTimestamp,
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
 * The order evaluations are sent in, so that a run the deadline cuts short has sent what matters
 * most: every NON_COMPLIANT verdict, then the clean-up of vanished resources (`cleanUp`), then the
 * rest (COMPLIANT, NOT_APPLICABLE). Each phase ends before the next one starts.
 */
export function sendPhases(
  evaluations: readonly Evaluation[],
  cleanUp: readonly Evaluation[],
): Evaluation[][] {
  return [
    evaluations.filter((e) => e.compliance === 'NON_COMPLIANT'),
    [...cleanUp],
    evaluations.filter((e) => e.compliance !== 'NON_COMPLIANT'),
  ];
}

/**
 * PutEvaluations in batches of 100, phase after phase (see `sendPhases`), up to `SEND_CONCURRENCY`
 * batches of a phase in flight. Evaluations returned in FailedEvaluations are sent again (with
 * backoff) up to five rounds; any still failing then fail the invocation. A call starts only if
 * the time left before the deadline exceeds the slowest call so far, and each call is aborted when
 * the deadline passes, so the function stops with a message instead of being killed mid-batch; on any failure no new batch starts, and the error
 * (with the counts of what was and was not recorded) is raised once the batches in flight have
 * been answered.
 */
export async function sendEvaluations(
  config: ConfigServiceClient,
  phases: readonly (readonly Evaluation[])[],
  options: SendOptions,
): Promise<SendResult> {
  const deadline = options.deadline ?? new Deadline(options.remainingMs, options.reserveMs);
  const sleep = options.sleep ?? defaultSleep;
  const testMode = options.resultToken === 'TESTMODE';
  const total = phases.reduce((sum, phase) => sum + phase.length, 0);
  const nonCompliant = phases.flat().filter((e) => e.compliance === 'NON_COMPLIANT').length;
  let calls = 0;
  let resent = 0;
  let sent = 0;
  let nonCompliantSent = 0;
  let slowestCallMs = 0;

  const sendBatch = async (first: ConfigEvaluation[]): Promise<void> => {
    let batch = first;
    for (let round = 0; batch.length > 0; round++) {
      if (round > FAILED_EVALUATION_ROUNDS) {
        const refused = `${batch.length} evaluation(s) after ${FAILED_EVALUATION_ROUNDS} retries (${describeBatch(batch)})`;
        throw new Stop(
          DataLoadError,
          (c) => `AWS Config refused ${refused}; ${c.recorded} were recorded, ${c.notSent}`,
        );
      }
      const stopped = () =>
        new Stop(
          DeadlineError,
          (c) =>
            `stopped before the Lambda timeout: ${c.recorded} evaluations sent, ${c.notSent}; the next run sends them all again`,
        );
      // A batch is started only if it can end before the deadline, judged by the slowest so far:
      // one cut off in flight might still be recorded, and its verdicts could not be counted.
      if (deadline.expired() || deadline.leftMs() <= slowestCallMs) throw stopped();
      if (round > 0) {
        resent += batch.length;
        await sleep(Math.min(200 * 2 ** round, 5_000) * (0.5 + Math.random() / 2));
      }
      let failed: ConfigEvaluation[];
      const started = Date.now();
      try {
        const out = await config.send(
          new PutEvaluationsCommand({
            Evaluations: batch,
            ResultToken: options.resultToken,
            TestMode: testMode,
          }),
          { abortSignal: deadline.signal },
        );
        failed = out.FailedEvaluations ?? [];
      } catch (error) {
        if (deadline.expired()) throw stopped();
        const why = describeError(error);
        throw new Stop(
          DataLoadError,
          (c) => `PutEvaluations failed: ${why}; ${c.recorded} were recorded, ${c.notSent}`,
        );
      } finally {
        calls += 1;
        slowestCallMs = Math.max(slowestCallMs, Date.now() - started);
      }
      const failedKeys = new Set(
        failed.map((e) => key(e.ComplianceResourceType, e.ComplianceResourceId)),
      );
      const next: ConfigEvaluation[] = [];
      for (const e of batch) {
        if (failedKeys.has(key(e.ComplianceResourceType, e.ComplianceResourceId))) {
          next.push(e);
        } else {
          sent += 1;
          if (e.ComplianceType === 'NON_COMPLIANT') nonCompliantSent += 1;
        }
      }
      batch = next;
    }
  };

  try {
    for (const phase of phases) {
      const pending = phase.map((evaluation) =>
        toConfigEvaluation(evaluation, options.orderingTimestamp),
      );
      const batches: ConfigEvaluation[][] = [];
      for (let start = 0; start < pending.length; start += BATCH_SIZE) {
        batches.push(pending.slice(start, start + BATCH_SIZE));
      }
      await mapPool(batches, SEND_CONCURRENCY, sendBatch);
    }
  } catch (error) {
    // Raised once the batches in flight were answered, so the count is what Config holds.
    if (error instanceof Stop) {
      const shortfall: SendShortfall = {
        sent,
        notSent: total - sent,
        nonCompliantNotSent: nonCompliant - nonCompliantSent,
      };
      const message = error.describe({
        recorded: `${sent} of ${total}`,
        notSent: `${shortfall.notSent} not sent (${shortfall.nonCompliantNotSent} of them NON_COMPLIANT)`,
      });
      throw Object.assign(new error.type(message), { shortfall });
    }
    throw error;
  } finally {
    if (!options.deadline) deadline.dispose();
  }
  return { calls, resent };
}

/** The counts a failed send attached to its error, if any. */
export function shortfallOf(error: unknown): SendShortfall | undefined {
  if (typeof error !== 'object' || error === null || !('shortfall' in error)) return undefined;
  return (error as { shortfall: SendShortfall }).shortfall;
}

/** Why sending stopped; becomes `type` with the final count once the batches in flight end. */
class Stop extends Error {
  constructor(
    readonly type: new (message: string) => Error,
    readonly describe: (counts: { recorded: string; notSent: string }) => string,
  ) {
    super(describe({ recorded: 'some', notSent: 'some not sent' }));
  }
}

function describeBatch(batch: ConfigEvaluation[]): string {
  const ids = batch.slice(0, 3).map((e) => e.ComplianceResourceId ?? '?');
  return ids.join(', ') + (batch.length > 3 ? ', …' : '');
}

export type { RecordedEvaluation };

/**
 * Every verdict this rule has on record (NOT_APPLICABLE included: a newer "no console password"
 * must not be undone by an older report either). Read while the facts are being gathered: the
 * user rule compares it with what the credential report says, and comparing it with the new
 * verdicts afterwards finds the vanished resources.
 */
export async function recordedEvaluations(
  config: ConfigServiceClient,
  ruleName: string,
  options: { testMode: boolean; signal?: AbortSignal; deadline?: Deadline },
): Promise<RecordedEvaluation[]> {
  const { signal, deadline } = options;
  const outer = signal && deadline ? deadline.with(signal) : (signal ?? deadline?.signal);
  // One listing per verdict, side by side: Config pages at 100 and each page needs the previous
  // page's token, so one listing of 5,000 verdicts is 50 calls in a row; three shorten the chain
  // to the longest of them. The first failure stops the other two.
  let lists: RecordedEvaluation[][];
  try {
    lists = await allOrAbort<RecordedEvaluation[][]>(
      outer,
      RECORDED_TYPES.map(
        (type) => (abortSignal: AbortSignal) => listRecorded(config, ruleName, type, abortSignal),
      ),
    );
  } catch (error) {
    if (deadline?.expired()) throw deadline.explain(error);
    // A test-mode event may name a rule that does not exist: then nothing was recorded before.
    if (options.testMode && errorName(error) === 'NoSuchConfigRuleException') return [];
    throw new DataLoadError(`cannot read the rule's recorded evaluations: ${describeError(error)}`);
  }
  // Config holds one verdict per resource; should a listing ever repeat one, the first is kept.
  const seen = new Set<string>();
  const recorded: RecordedEvaluation[] = [];
  for (const item of lists.flat()) {
    const k = key(item.resourceType, item.resourceId);
    if (seen.has(k)) continue;
    seen.add(k);
    recorded.push(item);
  }
  return recorded;
}

const RECORDED_TYPES = ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'] as const;

async function listRecorded(
  config: ConfigServiceClient,
  ruleName: string,
  type: (typeof RECORDED_TYPES)[number],
  abortSignal: AbortSignal,
): Promise<RecordedEvaluation[]> {
  const recorded: RecordedEvaluation[] = [];
  const listing = pages(
    (nextToken) =>
      config.send(
        new GetComplianceDetailsByConfigRuleCommand({
          ConfigRuleName: ruleName,
          ComplianceTypes: [type],
          Limit: 100,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
        { abortSignal },
      ),
    (out) => out.NextToken ?? undefined,
    abortSignal,
  );
  for await (const out of listing) {
    for (const result of out.EvaluationResults ?? []) {
      const identifier = result.EvaluationResultIdentifier;
      const qualifier = identifier?.EvaluationResultQualifier;
      const { ResourceType: resourceType, ResourceId: resourceId } = qualifier ?? {};
      if (!resourceType || !resourceId) continue;
      recorded.push({
        resourceType,
        resourceId,
        compliance: result.ComplianceType ?? type,
        ...(identifier?.OrderingTimestamp ? { orderingAt: identifier.OrderingTimestamp } : {}),
        ...(result.ResultRecordedTime ? { recordedAt: result.ResultRecordedTime } : {}),
      });
    }
  }
  return recorded;
}

/**
 * Recorded COMPLIANT / NON_COMPLIANT verdicts for resources absent from `current`: they no longer
 * exist, so they are reported NOT_APPLICABLE with the resource type Config recorded, and leave the
 * rule's results. Only verdicts recorded before `listedFrom` (when this run began listing) are
 * cleared: a resource a concurrent change-triggered run evaluated since may be newer than the
 * listing. `listedFrom` is also the clean-up's evidence time (the listing that did not find them).
 */
export function staleEvaluations(
  recorded: readonly RecordedEvaluation[],
  current: readonly Evaluation[],
  listedFrom?: Date,
): Evaluation[] {
  const present = new Set(current.map((e) => key(e.resourceType, e.resourceId)));
  const stale: Evaluation[] = [];
  for (const { resourceType, resourceId, compliance, recordedAt } of recorded) {
    if (compliance !== 'COMPLIANT' && compliance !== 'NON_COMPLIANT') continue;
    if (listedFrom && recordedAt && recordedAt.getTime() >= listedFrom.getTime()) continue;
    const k = key(resourceType, resourceId);
    if (present.has(k)) continue;
    present.add(k);
    stale.push({
      resourceType,
      resourceId,
      resourceName: resourceId,
      compliance: 'NOT_APPLICABLE',
      annotation: `No longer exists in the account (last recorded ${compliance}): cleared from the rule's results.`,
      ...(listedFrom ? { [EVIDENCE_AT]: listedFrom } : {}),
    });
  }
  return stale;
}
