/**
 * Changes to the central exemption registry (issue 18's table) as the freshness function receives
 * them: the table's stream (keys only), through an EventBridge pipe that writes one message per
 * record to the freshness queue in this shape (infra/freshness.ts `watchRegistry`):
 *
 *   {"source": "mfa-config-rules.exemption-registry", "eventName": "INSERT" | "MODIFY" | "REMOVE",
 *    "account": "<12 digits>", "entry": "<userId>#<rule or *>", "eventId": "…", "at": <epoch s>}
 *
 * An exemption granted, changed or revoked re-evaluates the rules its entry covers in that account
 * within the debounce window, instead of at the next periodic run: a revoked exemption's finding is
 * back in minutes. Like an IAM event, such a message can only cause an earlier run (the run reads
 * the registry itself, strongly consistent), never a verdict.
 */
import { InvalidInputError } from '../errors';
import { isRuleNameOfPack, type RuleName } from '../../rule-names';
import type { IamChange } from './iam-events';

export const REGISTRY_CHANGE_SOURCE = 'mfa-config-rules.exemption-registry';

const EVENT_NAMES = ['INSERT', 'MODIFY', 'REMOVE'];

export function isRegistryMessage(message: unknown): boolean {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { source?: unknown }).source === REGISTRY_CHANGE_SOURCE
  );
}

/**
 * The change a registry message records: the entry's account, its user id (read live at the next
 * run), and the rules it covers (`*`: every user rule deployed, `userRules`). Anything else is
 * refused with one line.
 */
export function registryChange(message: unknown, userRules: readonly RuleName[]): IamChange {
  const m = (message ?? {}) as Record<string, unknown>;
  const account = typeof m.account === 'string' ? m.account : '';
  const entry = typeof m.entry === 'string' ? m.entry : '';
  const eventName = typeof m.eventName === 'string' ? m.eventName : '';
  const eventId = typeof m.eventId === 'string' && m.eventId !== '' ? m.eventId : undefined;
  const at = new Date(typeof m.at === 'number' ? m.at * 1000 : Number.NaN);
  const hash = entry.lastIndexOf('#');
  const userId = hash > 0 ? entry.slice(0, hash) : '';
  const rule = hash > 0 ? entry.slice(hash + 1) : '';
  if (
    !/^\d{12}$/.test(account) ||
    !EVENT_NAMES.includes(eventName) ||
    !eventId ||
    Number.isNaN(at.getTime()) ||
    !/^[A-Z0-9]{16,128}$/.test(userId) ||
    (rule !== '*' && !isRuleNameOfPack(rule))
  ) {
    throw new InvalidInputError(
      'not an exemption registry change (account, entry <userId>#<rule or *>, eventName, eventId, at)',
    );
  }
  return {
    account,
    call: `ExemptionRegistry:${eventName}`,
    at,
    eventId,
    userNames: [],
    userId,
    rules: rule === '*' ? [...userRules] : [rule],
  };
}
