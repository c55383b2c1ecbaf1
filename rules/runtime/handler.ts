/**
 * The Lambda runtime every rule shares:
 *   event → (validate, and check it is for this rule) request → (assume role narrowed to this
 *   rule, verify account) clients → gather facts → rule.evaluate → (+ clean-up of vanished
 *   resources) → PutEvaluations.
 * Any failure throws before anything is sent from partial data. Every AWS call is aborted at the
 * deadline ("time left minus reserve"); verdicts are sent NON_COMPLIANT first, then the clean-up,
 * then the rest, so a run cut short has sent the findings. The handler returns counts only:
 * whoever may invoke a function synchronously reads nothing of an account through it.
 */
import { ClientProvider, type AccountAccess } from './clients';
import { Deadline } from './deadline';
import {
  AccountMismatchError,
  AccountRefusedError,
  DataLoadError,
  describeError,
  InvalidInputError,
} from './errors';
import {
  checkSourceAgainstEnvironment,
  EXEMPTION_TABLE_ENV,
  tableReader,
  type AccountRegistry,
  type ExemptionSource,
  type RegistryReader,
} from './exemption-registry';
import { parseConfigEvent, scopeFor, type ConfigRequest } from './event';
import { logger } from './logger';
import { parseParameters } from './parameters';
import { isRuleName } from './rule-name';
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
  ChangeLogReader,
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
  /**
   * Called in-process with the evaluations once they were sent (the CLI's `invoke` prints them).
   * They never leave the process through the return value.
   */
  onEvaluations?: (evaluations: readonly Evaluation[]) => void;
  /**
   * Where the user rules read the exemption registry (`ExemptionSource` `registry` or `both`).
   * Default: the table named by the function's environment (`MFA_EXEMPTION_TABLE`), with the
   * function's own credentials.
   */
  registry?: RegistryReader;
  /**
   * The event path's change log (runtime/freshness/change-log.ts): periodic runs read live every
   * user it names since the credential report. Absent: the event path is off.
   */
  changeLog?: ChangeLogReader;
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
      if (!isRuleName(request.ruleName, name)) {
        throw new InvalidInputError(
          `this function serves the rule ${name} only (or its conformance pack copy, ${name}-conformance-pack-<id>), not ${JSON.stringify(request.ruleName.slice(0, 128))}`,
        );
      }
      const params = parseParameters(rule, request.ruleParameters);
      if (typeof params.ExemptionSource === 'string') {
        checkSourceAgainstEnvironment(params.ExemptionSource as ExemptionSource);
      }
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
        rules: [rule.metadata],
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
        const registry = options.registry ?? environmentRegistry(provider);
        evaluations = await evaluateRule(rule, access, params, scope, {
          remainingMs,
          deadline,
          ...(registry ? { registry } : {}),
          ...(recorded ? { recorded } : {}),
          ...(options.changeLog && target.kind === 'all' ? { changeLog: options.changeLog } : {}),
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
      };
      options.onEvaluations?.(all);
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
      const fields = {
        rule: name,
        accountId: request?.accountId,
        messageType: request?.messageType,
        error: withoutUserName(describeError(error), request),
        ...(shortfall
          ? {
              sent: shortfall.sent,
              notSent: shortfall.notSent,
              nonCompliantNotSent: shortfall.nonCompliantNotSent,
            }
          : {}),
      };
      if (error instanceof AccountRefusedError || error instanceof AccountMismatchError) {
        // Someone else's event (or a broken execution role), not a failure of the pack.
        logger.warn('refused account; nothing was read or reported', {
          ...fields,
          refusedAccount: request?.accountId,
        });
      } else {
        logger.error('evaluation failed; nothing more was reported', fields);
      }
      throw error;
    } finally {
      deadline.dispose();
    }
  };
}

/**
 * Logs name users by id (`AIDA…`), never by name: the user name a change event carries is replaced
 * by the user's id in anything logged (an AWS error message may quote it).
 */
function withoutUserName(message: string, request: ConfigRequest | undefined): string {
  const target = request?.target;
  if (target?.kind !== 'resource' || !target.resourceName) return message;
  return message.split(target.resourceName).join(target.resourceId);
}

/** The registry the function's environment names (`MFA_EXEMPTION_TABLE`), if any. */
function environmentRegistry(provider: ClientProvider): RegistryReader | undefined {
  const table = process.env[EXEMPTION_TABLE_ENV];
  return table ? tableReader(provider.ownDynamoDb, table) : undefined;
}

/**
 * Gathers a rule's facts in the account `access` reaches and evaluates them: the step the Lambda
 * handler and the CLI's `evaluate` share. A user rule whose `ExemptionSource` is `registry` or
 * `both` also reads the account's registry entries through `options.registry` (one Query), beside
 * the facts; without a registry it fails: nothing is evaluated without the exemptions it needs.
 */
export async function evaluateRule(
  rule: AnyRule,
  access: AccountAccess,
  params: Record<string, unknown>,
  scope: Scope,
  options: Pick<GatherContext, 'remainingMs' | 'deadline' | 'recorded' | 'changeLog' | 'tuning'> & {
    registry?: RegistryReader;
  },
): Promise<Evaluation[]> {
  const { registry: reader, ...gatherOptions } = options;
  const accountId = access.identity.accountId;
  const source = params.ExemptionSource;
  let registry: Promise<AccountRegistry> | undefined;
  if (source === 'registry' || source === 'both') {
    if (!reader) {
      throw new DataLoadError(
        `${rule.metadata.name}: ExemptionSource '${source}' but no exemption registry to read (the function's ${EXEMPTION_TABLE_ENV}, or evaluate --exemptions FILE)`,
      );
    }
    registry = reader.read(accountId, options.deadline);
    // Awaited below; if gathering fails first, this outcome no longer matters.
    registry.catch(() => undefined);
  }
  const facts: unknown = await rule.gather(
    {
      clients: access.clients,
      accountId,
      partition: access.identity.partition,
      ...gatherOptions,
    },
    scope,
    params,
  );
  return rule.evaluate(facts, params, registry ? { registry: await registry } : {});
}
