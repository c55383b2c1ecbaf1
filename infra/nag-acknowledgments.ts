/**
 * cdk-nag Serverless findings the rule functions acknowledge on purpose, each with the reason an
 * auditor can check against the design (docs/security-model.md). AwsSolutions IAM5 wildcards are
 * acknowledged where the policies are built (infra/permissions.ts).
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { ASYNC_MAX_EVENT_AGE_SECONDS, ASYNC_MAX_RETRY_ATTEMPTS } from './settings';
import type { NagAcknowledgment } from './permissions';

/** Acknowledged on every rule function (the function construct, so its resources inherit them). */
export function asyncDesignAcknowledgments(): NagAcknowledgment[] {
  return [
    {
      id: 'Serverless-LambdaDLQ',
      reason: `Failed asynchronous invocations go to the function's on-failure destination (its own encrypted SQS queue, set on the EventInvokeConfig by infra/operations.ts, with an alarm), which records the event and the error; a DeadLetterConfig would be a second, less informative copy. A failed event is retried ${String(ASYNC_MAX_RETRY_ATTEMPTS)} time and dropped after ${String(ASYNC_MAX_EVENT_AGE_SECONDS / 60)} minutes, superseded by the next periodic run.`,
    },
    {
      id: 'Serverless-LambdaTracing',
      reason:
        'Each invocation logs one structured line with rule, account, message type, counts, API calls and duration; X-Ray tracing would add xray:PutTraceSegments on Resource "*" to every role and send call timings of every member account to another service without adding evidence an operator needs.',
    },
  ];
}

/**
 * Serverless-LambdaStarPermissions on a function's own role (single-account functions): the same
 * wildcard resources AwsSolutions-IAM5 reports, each acknowledged there with its own reason.
 */
export function starPermissionsAcknowledgment(
  iam5: readonly NagAcknowledgment[],
): NagAcknowledgment {
  return {
    id: 'Serverless-LambdaStarPermissions',
    reason: `No wildcard action; wildcard resources only where the action allows nothing narrower: ${iam5.map((a) => a.reason).join(' ')}`,
  };
}

export function acknowledge(scope: IConstruct, acknowledgments: NagAcknowledgment[]): void {
  Validations.of(scope).acknowledge(...acknowledgments);
}
