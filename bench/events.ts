/** What the benchmark's workers send the rule, and what they print. */
import { scheduledEvent, type ConfigEvent } from '../test/support/events';
import { TEST_ACCOUNT_ID } from '../test/support/moto';

export const REGION = 'us-east-1';
export const RULE = 'iam-user-console-mfa';

export interface WorkerResult {
  ms: number;
  /** Calls by operation as the SDK sent them (empty when counted by moto only). */
  calls: Record<string, number>;
  peakRssMb: number;
  /** Users found non-compliant (sanity check that every approach sees the same account). */
  nonCompliant: number;
}

/** What Config sends for a periodic run; TESTMODE, so PutEvaluations validates and stores nothing. */
export function periodicTestEvent(rule: string = RULE): ConfigEvent {
  return scheduledEvent(rule, { resultToken: 'TESTMODE' });
}

/** The parts of the Lambda context the handler reads, for a function with this timeout. */
export function lambdaContext(timeoutSeconds: number, rule: string = RULE) {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    getRemainingTimeInMillis: () => deadline - Date.now(),
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${TEST_ACCOUNT_ID}:function:${rule}`,
  };
}
