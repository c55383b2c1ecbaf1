/** What the benchmark's workers send the rule, and what they print. */

export const REGION = 'us-east-1';
export const ACCOUNT_ID = '123456789012';
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
export function scheduledEvent() {
  return {
    invokingEvent: JSON.stringify({
      messageType: 'ScheduledNotification',
      notificationCreationTime: new Date().toISOString(),
    }),
    resultToken: 'TESTMODE',
    configRuleName: RULE,
    accountId: ACCOUNT_ID,
  };
}

/** The parts of the Lambda context the handler reads, for a function with this timeout. */
export function lambdaContext(timeoutSeconds: number) {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    getRemainingTimeInMillis: () => deadline - Date.now(),
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${RULE}`,
  };
}
