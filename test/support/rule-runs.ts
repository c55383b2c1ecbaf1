/**
 * Running rules end to end against the moto harness: each rule's Lambda handler as Lambda runs it,
 * and event times that always move forward, so each event supersedes the previous one.
 */
import { findRule } from '../../rules/catalog';
import { ClientProvider } from '../../rules/runtime/clients';
import { createHandler, type ConfigRuleHandler } from '../../rules/runtime/handler';
import { scheduledEvent, type ConfigEvent, type EventOptions } from './events';

/** The rule's handler with clients pointed at moto (and a short credential-report poll). */
export function motoHandler(endpoint: string, ruleName: string): ConfigRuleHandler {
  const rule = findRule(ruleName);
  if (!rule) throw new Error(`no rule ${ruleName}`);
  return createHandler(rule, {
    clients: new ClientProvider({ endpoint, region: 'us-east-1' }),
    tuning: { pollIntervalMs: 50 },
  });
}

let clock = Date.parse('2026-01-01T00:00:00Z');

/** An ISO time a minute after the previous one this test file asked for. */
export function nextTime(): string {
  clock += 60_000;
  return new Date(clock).toISOString();
}

/** A periodic run's event, a minute after the previous event. */
export function periodicEvent(rule: string, options: EventOptions = {}): ConfigEvent {
  return scheduledEvent(rule, { ...options, notificationCreationTime: nextTime() });
}
