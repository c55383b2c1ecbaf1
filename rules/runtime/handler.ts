/**
 * The Lambda runtime every rule shares:
 *   event → (validate) request → (assume role, verify account) clients → gather facts →
 *   rule.evaluate → (+ clean-up of vanished resources) → PutEvaluations.
 * Any failure throws before anything is sent from partial data. Every AWS call is aborted at the
 * deadline ("time left minus reserve"); verdicts are sent NON_COMPLIANT first, then the clean-up,
 * then the rest, so a run cut short has sent the findings.
 */
import { ClientProvider, type AccountAccess } from './clients';
import { Deadline } from './deadline';
import { describeError, InvalidInputError } from './errors';
import { parseConfigEvent, scopeFor, type ConfigRequest } from './event';
import { logger } from './logger';
import { parseParameters } from './parameters';
import {
  assertUnique,
  recordedEvaluations,
  sendEvaluations,
  sendPhases,
  shortfallOf,
  staleEvaluations,
  type RecordedEvaluation,
} from './report';
import type {
  AnyRule,
  ComplianceType,
  Evaluation,
  GatherContext,
  GatherTuning,
  Scope,
} from './types';

export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
  /** The function's ARN: names the account its own credentials belong to, without asking STS. */
  invokedFunctionArn?: string;
}

export interface HandlerOptions {
  /** Clients to use; default: one provider per container, from the environment. */
  clients?: ClientProvider;
  tuning?: GatherTuning;
  /** Stop sending when fewer than this many milliseconds remain (default 5 s). */
  reserveMs?: number;
}

export interface InvocationSummary {
  rule: string;
  accountId: string;
  messageType: string;
  testMode: boolean;
  orderingTimestamp: string;
  evaluations: number;
  counts: Record<ComplianceType, number>;
  /** Earlier verdicts on vanished resources, now reported NOT_APPLICABLE. */
  cleared: number;
  putEvaluationsCalls: number;
  resent: number;
  durationMs: number;
  results: Evaluation[];
}

export type ConfigRuleHandler = (
  event: unknown,
  context?: LambdaContextLike,
) => Promise<InvocationSummary>;

export function createHandler(rule: AnyRule, options: HandlerOptions = {}): ConfigRuleHandler {
  const provider = options.clients ?? new ClientProvider();
  return async (event, context) => {
    const started = Date.now();
    const remainingMs = context
      ? () => context.getRemainingTimeInMillis()
      : () => Number.POSITIVE_INFINITY;
    const name = rule.metadata.name;
    let request: ConfigRequest | undefined;
    const deadline = new Deadline(remainingMs, options.reserveMs);
    try {
      request = parseConfigEvent(event);
      const params = parseParameters(rule, request.ruleParameters);
      const target = request.target;
      if (
        target.kind === 'resource' &&
        !(rule.metadata.changeTriggerTypes as readonly string[]).includes(target.resourceType)
      ) {
        throw new InvalidInputError(
          `${name} does not evaluate ${target.resourceType} changes (it evaluates ${rule.metadata.changeTriggerTypes.join(', ') || 'on a schedule only'})`,
        );
      }
      const access = await provider.forAccount(request.accountId, params.ExecutionRoleName, {
        ...(context?.invokedFunctionArn ? { functionArn: context.invokedFunctionArn } : {}),
      });
      // A periodic run also clears verdicts on resources that vanished: what the rule has on
      // record is read alongside the facts, and compared with the new verdicts below.
      const stopRecordedRead = new AbortController();
      let recorded: Promise<RecordedEvaluation[]> | undefined;
      if (target.kind === 'all') {
        recorded = recordedEvaluations(access.clients.config, request.ruleName, {
          testMode: request.testMode,
          signal: stopRecordedRead.signal,
          deadline,
        });
        // Awaited below; if gathering fails first, this outcome no longer matters.
        recorded.catch(() => undefined);
      }

      // A change notification is answered from IAM as it is now, whatever the item's status
      // (ResourceDeleted, ResourceNotRecorded, …) or eventLeftScope: a user who still exists gets
      // the verdict the next periodic run gives, a user who does not is NOT_APPLICABLE on both.
      const scope = scopeFor(request);
      // Verdicts recorded from here on may come from a concurrent run: never cleared by this one.
      const listedFrom = new Date();
      let evaluations: Evaluation[];
      try {
        evaluations = await evaluateRule(rule, access, params, scope, {
          remainingMs,
          deadline,
          ...(recorded ? { recorded } : {}),
          ...(options.tuning ? { tuning: options.tuning } : {}),
        });
      } catch (error) {
        // Nothing is left running when the invocation ends: stop the read and let it settle.
        stopRecordedRead.abort();
        await recorded?.catch(() => undefined);
        throw error;
      }
      const stale = recorded ? staleEvaluations(await recorded, evaluations, listedFrom) : [];
      const all = [...evaluations, ...stale];
      assertUnique(all);
      const sent = await sendEvaluations(access.clients.config, sendPhases(evaluations, stale), {
        resultToken: request.resultToken,
        orderingTimestamp: request.orderingTimestamp,
        remainingMs,
        deadline,
      });

      const counts: Record<ComplianceType, number> = {
        COMPLIANT: 0,
        NON_COMPLIANT: 0,
        NOT_APPLICABLE: 0,
      };
      for (const evaluation of all) counts[evaluation.compliance] += 1;
      const summary: InvocationSummary = {
        rule: name,
        accountId: request.accountId,
        messageType: request.messageType,
        testMode: request.testMode,
        orderingTimestamp: request.orderingTimestamp.toISOString(),
        evaluations: all.length,
        counts,
        cleared: stale.length,
        putEvaluationsCalls: sent.calls,
        resent: sent.resent,
        durationMs: Date.now() - started,
        results: all,
      };
      logger.info('evaluated', {
        rule: name,
        accountId: summary.accountId,
        messageType: summary.messageType,
        testMode: summary.testMode,
        counts,
        cleared: summary.cleared,
        putEvaluationsCalls: sent.calls,
        resent: sent.resent,
        durationMs: summary.durationMs,
        roleAssumed: access.roleArn !== undefined,
      });
      return summary;
    } catch (error) {
      const shortfall = shortfallOf(error);
      logger.error('evaluation failed; nothing more was reported', {
        rule: name,
        accountId: request?.accountId,
        messageType: request?.messageType,
        error: describeError(error),
        ...(shortfall
          ? {
              sent: shortfall.sent,
              notSent: shortfall.notSent,
              nonCompliantNotSent: shortfall.nonCompliantNotSent,
            }
          : {}),
      });
      throw error;
    } finally {
      deadline.dispose();
    }
  };
}

/**
 * Gathers a rule's facts in the account `access` reaches and evaluates them: the step the Lambda
 * handler and the CLI's `evaluate` share.
 */
export async function evaluateRule(
  rule: AnyRule,
  access: AccountAccess,
  params: Record<string, unknown>,
  scope: Scope,
  options: Pick<GatherContext, 'remainingMs' | 'deadline' | 'recorded' | 'tuning'>,
): Promise<Evaluation[]> {
  const facts: unknown = await rule.gather(
    {
      clients: access.clients,
      accountId: access.identity.accountId,
      partition: access.identity.partition,
      ...options,
    },
    scope,
  );
  return rule.evaluate(facts, params);
}
