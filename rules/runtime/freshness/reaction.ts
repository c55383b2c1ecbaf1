/**
 * The freshness function's work on one batch of IAM events (EventBridge → SQS → this function,
 * with the event source mapping's batching window as the debounce), and of exemption registry
 * changes (the table's stream → an EventBridge pipe → the same queue; registry-events.ts):
 *
 *   1. each event → the change it records (iam-events.ts); failed calls and irrelevant tag keys
 *      change nothing and are done;
 *   2. every user named is recorded in the change log (change-log.ts), before anything is started,
 *      so the run that follows reads them live;
 *   3. per account and affected rule deployed here: one claim in the change log (a conditional
 *      write), then one StartConfigRulesEvaluation for the rule's deployed name(s) in that account
 *      (DescribeConfigRules: a conformance pack's and an organization rule's names carry a
 *      generated suffix). So a burst of changes costs one re-evaluation per rule and account per
 *      window, within Config's quota (LimitExceeded "if an evaluation is in progress or if you call
 *      the StartConfigRulesEvaluation API more than once per minute").
 *
 * Messages whose re-evaluation could not start yet (a claim pending, Config busy, a throttle) are
 * returned as batch item failures: SQS delivers them again after the visibility timeout, and after
 * the queue's maxReceiveCount to its dead-letter queue, which is alarmed. A message that is not an
 * IAM event of the list goes the same way (kept, not retried forever, never silently dropped).
 */
import {
  DescribeConfigRulesCommand,
  StartConfigRulesEvaluationCommand,
  type ConfigServiceClient,
} from '@aws-sdk/client-config-service';
import { AccountMismatchError, AccountRefusedError, describeError, errorName } from '../errors';
import { logger } from '../logger';
import { isRuleName } from '../rule-name';
import type { RuleName } from '../../rule-names';
import type { ChangeLog } from './change-log';
import { iamChange, USER_RULES, type IamChange, type TagKeys } from './iam-events';
import { isRegistryMessage, registryChange } from './registry-events';

export interface QueueRecord {
  messageId: string;
  body: string;
}

export interface ReactionSettings {
  /** The pack's rules deployed here: only these are re-evaluated. */
  rules: readonly RuleName[];
  /** The debounce window: one re-evaluation per rule and account per window. */
  windowSeconds: number;
  /** The tag keys whose change matters; undefined: every tag change counts. */
  tagKeys?: TagKeys;
}

export interface ReactionDeps {
  changeLog: Pick<ChangeLog, 'record' | 'claim'>;
  /** Config in the account (own credentials, or the execution role with the re-evaluation session). */
  configFor: (accountId: string) => Promise<ConfigServiceClient>;
}

export interface ReactionResult {
  batchItemFailures: { itemIdentifier: string }[];
  changes: number;
  usersRecorded: number;
  /** StartConfigRulesEvaluation requests made, by account and rule. */
  started: { accountId: string; rule: RuleName; configRuleNames: string[] }[];
  /** Re-evaluations not started: a claim was pending or Config refused for now (retried). */
  deferred: number;
  /** Messages that are not IAM events of the list (to the dead-letter queue). */
  unrecognised: number;
}

export async function react(
  records: readonly QueueRecord[],
  deps: ReactionDeps,
  settings: ReactionSettings,
): Promise<ReactionResult> {
  const failures = new Set<string>();
  const changes: { messageId: string; change: IamChange }[] = [];
  let unrecognised = 0;
  for (const record of records) {
    try {
      const message = JSON.parse(record.body) as unknown;
      const change = isRegistryMessage(message)
        ? registryChange(message, USER_RULES)
        : iamChange(message, settings.tagKeys);
      if (change) changes.push({ messageId: record.messageId, change });
    } catch (error) {
      unrecognised += 1;
      failures.add(record.messageId);
      logger.error(
        'not an IAM event or registry change this function reacts to; left to the dead-letter queue',
        {
          messageId: record.messageId,
          error: describeError(error),
        },
      );
    }
  }

  // 2. Who changed, before any re-evaluation can start.
  let usersRecorded = 0;
  try {
    usersRecorded = await deps.changeLog.record(
      changes.flatMap(({ change }) => {
        const names: (string | undefined)[] = change.userNames.length
          ? change.userNames
          : [undefined];
        return names.map((userName) => ({
          account: change.account,
          call: change.call,
          at: change.at,
          eventId: change.eventId,
          ...(userName ? { userName } : {}),
          ...(change.userId ? { userId: change.userId } : {}),
        }));
      }),
    );
  } catch (error) {
    logger.error('cannot record the changes; the batch is retried', {
      error: describeError(error),
    });
    return {
      batchItemFailures: records.map((record) => ({ itemIdentifier: record.messageId })),
      changes: changes.length,
      usersRecorded: 0,
      started: [],
      deferred: 0,
      unrecognised,
    };
  }

  // 3. One re-evaluation per account and rule.
  const deployed = new Set(settings.rules);
  const groups = new Map<string, { accountId: string; rule: RuleName; messages: string[] }>();
  for (const { messageId, change } of changes) {
    for (const rule of change.rules) {
      if (!deployed.has(rule)) continue;
      const key = `${change.account}|${rule}`;
      const group = groups.get(key) ?? { accountId: change.account, rule, messages: [] };
      group.messages.push(messageId);
      groups.set(key, group);
    }
  }
  const started: ReactionResult['started'] = [];
  let deferred = 0;
  for (const group of groups.values()) {
    const outcome = await reevaluate(group.accountId, group.rule, deps, settings.windowSeconds);
    if (outcome.kind === 'started') {
      started.push({
        accountId: group.accountId,
        rule: group.rule,
        configRuleNames: outcome.names,
      });
    } else if (outcome.kind === 'later') {
      deferred += 1;
      for (const message of group.messages) failures.add(message);
    }
  }
  const result: ReactionResult = {
    batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })),
    changes: changes.length,
    usersRecorded,
    started,
    deferred,
    unrecognised,
  };
  logger.info('reacted to IAM changes', {
    messages: records.length,
    changes: result.changes,
    usersRecorded,
    reevaluations: started.map((s) => `${s.accountId}/${s.rule}`),
    deferred,
    unrecognised,
  });
  return result;
}

type Outcome =
  | { kind: 'started'; names: string[] }
  | { kind: 'later'; why: string }
  | { kind: 'done'; why: string };

async function reevaluate(
  accountId: string,
  rule: RuleName,
  deps: ReactionDeps,
  windowSeconds: number,
): Promise<Outcome> {
  try {
    if (!(await deps.changeLog.claim(accountId, rule, windowSeconds * 1000))) {
      // A re-evaluation was started less than a window ago: it may have read IAM before this
      // change, so this one is retried once the window has passed (never dropped).
      return { kind: 'later', why: 'a re-evaluation was started within the window' };
    }
    const config = await deps.configFor(accountId);
    const names = await deployedNames(config, rule);
    if (names.length === 0) {
      logger.warn('rule not deployed in the account; nothing to re-evaluate', { accountId, rule });
      return { kind: 'done', why: 'not deployed' };
    }
    await config.send(new StartConfigRulesEvaluationCommand({ ConfigRuleNames: names }));
    return { kind: 'started', names };
  } catch (error) {
    if (error instanceof AccountRefusedError || error instanceof AccountMismatchError) {
      logger.warn('refused account; nothing was started', {
        accountId,
        rule,
        error: describeError(error),
      });
      return { kind: 'done', why: 'refused' };
    }
    // LimitExceeded (an evaluation in progress, or once a minute), throttling, a transient error:
    // retried by SQS after the visibility timeout.
    const fields = { accountId, rule, error: describeError(error) };
    if (errorName(error) === 'LimitExceededException') {
      logger.info('re-evaluation not started yet (Config busy or once a minute); retried', fields);
    } else {
      logger.warn('re-evaluation not started; retried', fields);
    }
    return { kind: 'later', why: describeError(error) };
  }
}

/** The Config rule names in the account that are this pack's `rule` (any deployment mode). */
async function deployedNames(config: ConfigServiceClient, rule: RuleName): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const out = await config.send(
      new DescribeConfigRulesCommand(token ? { NextToken: token } : {}),
    );
    for (const configRule of out.ConfigRules ?? []) {
      const name = configRule.ConfigRuleName;
      if (name && isRuleName(name, rule)) names.push(name);
    }
    token = out.NextToken;
  } while (token);
  return names;
}
