/**
 * Lambda entry point of the freshness function (issue 22): an SQS event whose messages are the IAM
 * "AWS API Call via CloudTrail" events EventBridge delivered to the queue (reaction.ts). Its
 * settings come from the environment the CDK construct sets (`FRESHNESS_ENV`). It returns the
 * batch item failures (ReportBatchItemFailures) and counts, nothing of any account.
 */
import { ClientProvider } from '../clients';
import { describeError, InvalidInputError } from '../errors';
import { reevaluationSessionPolicy } from '../grants';
import { logger } from '../logger';
import { isRuleNameOfPack, type RuleName } from '../../rule-names';
import { CHANGE_LOG_TABLE_ENV, changeLogFromEnvironment, type ChangeLog } from './change-log';
import { react, type QueueRecord, type ReactionResult, type ReactionSettings } from './reaction';

/** The environment variables the construct sets. */
export const FRESHNESS_ENV = {
  table: CHANGE_LOG_TABLE_ENV,
  /** Comma-separated names of the pack's rules deployed with this function. */
  rules: 'MFA_RULES',
  windowSeconds: 'MFA_REEVALUATION_WINDOW_SECONDS',
  /** Organization: the execution role to assume in each account; empty: own credentials. */
  executionRoleName: 'MFA_EXECUTION_ROLE_NAME',
  /** Comma-separated exemption tag keys (lower case) of the deployed user rules. */
  exemptionTagKeys: 'MFA_EXEMPTION_TAG_KEYS',
  /** Comma-separated privilege tag keys (lower case) of the hardware rule. */
  privilegeTagKeys: 'MFA_PRIVILEGE_TAG_KEYS',
} as const;

export interface FreshnessOptions {
  clients?: ClientProvider;
  changeLog?: ChangeLog;
  env?: Readonly<Record<string, string | undefined>>;
}

export type FreshnessHandler = (
  event: unknown,
  context?: { invokedFunctionArn?: string },
) => Promise<
  { batchItemFailures: { itemIdentifier: string }[] } & Omit<ReactionResult, 'batchItemFailures'>
>;

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** The settings the environment gives; a missing or malformed one is a one-line error. */
export function settingsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): ReactionSettings & { executionRoleName: string | undefined } {
  const rules = list(env[FRESHNESS_ENV.rules]);
  const unknown = rules.filter((rule) => !isRuleNameOfPack(rule));
  if (rules.length === 0 || unknown.length > 0) {
    throw new InvalidInputError(
      `${FRESHNESS_ENV.rules} must list the pack's deployed rules (got ${JSON.stringify(env[FRESHNESS_ENV.rules] ?? '')})`,
    );
  }
  const window = Number(env[FRESHNESS_ENV.windowSeconds]);
  if (!Number.isInteger(window) || window < 1 || window > 900) {
    throw new InvalidInputError(
      `${FRESHNESS_ENV.windowSeconds} must be a whole number of seconds, 1–900`,
    );
  }
  const exemption = env[FRESHNESS_ENV.exemptionTagKeys];
  const privilege = env[FRESHNESS_ENV.privilegeTagKeys];
  return {
    rules: rules as RuleName[],
    windowSeconds: window,
    // Both unset: every tag change counts (fail closed).
    ...(exemption !== undefined || privilege !== undefined
      ? {
          tagKeys: {
            exemption: list(exemption).map((key) => key.toLowerCase()),
            privilege: list(privilege).map((key) => key.toLowerCase()),
          },
        }
      : {}),
    executionRoleName: list(env[FRESHNESS_ENV.executionRoleName])[0],
  };
}

function queueRecords(event: unknown): QueueRecord[] {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) {
    throw new InvalidInputError(
      'expected an SQS event (Records), as the event source mapping delivers it',
    );
  }
  return records.map((record: unknown, index) => {
    const { messageId, body } = (record ?? {}) as { messageId?: unknown; body?: unknown };
    if (typeof messageId !== 'string' || typeof body !== 'string') {
      throw new InvalidInputError(`SQS record ${index} has no messageId or body`);
    }
    return { messageId, body };
  });
}

export function createFreshnessHandler(options: FreshnessOptions = {}): FreshnessHandler {
  const env = options.env ?? process.env;
  const provider = options.clients ?? new ClientProvider();
  return async (event, context) => {
    try {
      const settings = settingsFromEnvironment(env);
      const changeLog = options.changeLog ?? changeLogFromEnvironment(env);
      if (!changeLog) throw new InvalidInputError(`${FRESHNESS_ENV.table} names no table`);
      const records = queueRecords(event);
      const result = await react(
        records,
        {
          changeLog,
          configFor: async (accountId) =>
            (
              await provider.forAccount(accountId, settings.executionRoleName, {
                ...(context?.invokedFunctionArn ? { functionArn: context.invokedFunctionArn } : {}),
                sessionPolicy: { name: 'reevaluation', document: reevaluationSessionPolicy },
              })
            ).clients.config,
        },
        settings,
      );
      return result;
    } catch (error) {
      logger.error('freshness function failed; the batch is retried', {
        error: describeError(error),
      });
      throw error;
    }
  };
}

export const handler = createFreshnessHandler();
