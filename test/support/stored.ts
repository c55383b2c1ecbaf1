/** The verdicts the extended moto stored for a rule (GetComplianceDetailsByConfigRule). */
import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
} from '@aws-sdk/client-config-service';
import type { ComplianceType } from '../../rules/runtime/types';
import { motoClientConfig, TEST_ACCOUNT_ID } from './moto';

/** One verdict moto holds for a rule. */
export interface StoredEvaluation {
  resourceType: string;
  resourceId: string;
  compliance: ComplianceType;
  annotation: string | undefined;
}

export interface StoredOptions {
  /** The account whose verdicts to read. Defaults to TEST_ACCOUNT_ID. */
  accountId?: string;
}

const ALL_COMPLIANCE_TYPES: ComplianceType[] = ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'];

/**
 * Every verdict moto stored for a rule, as GetComplianceDetailsByConfigRule pages them (sorted by
 * resource type and id). Give it moto's own endpoint: through a fault proxy the read could fail.
 */
export async function storedEvaluations(
  endpoint: string,
  rule: string,
  options: StoredOptions = {},
): Promise<StoredEvaluation[]> {
  const config = new ConfigServiceClient(motoClientConfig(endpoint));
  // moto serves the account a request names in x-moto-account-id (default: TEST_ACCOUNT_ID).
  const accountId = options.accountId ?? TEST_ACCOUNT_ID;
  config.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['x-moto-account-id'] = accountId;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
  const evaluations: StoredEvaluation[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await config.send(
        new GetComplianceDetailsByConfigRuleCommand({
          ConfigRuleName: rule,
          ComplianceTypes: ALL_COMPLIANCE_TYPES,
          Limit: 100,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      for (const result of page.EvaluationResults ?? []) {
        const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
        const compliance = result.ComplianceType as ComplianceType | undefined;
        if (!qualifier?.ResourceType || !qualifier.ResourceId || !compliance) {
          throw new Error(`GetComplianceDetailsByConfigRule returned an incomplete result`);
        }
        evaluations.push({
          resourceType: qualifier.ResourceType,
          resourceId: qualifier.ResourceId,
          compliance,
          annotation: result.Annotation,
        });
      }
      nextToken = page.NextToken;
    } while (nextToken);
  } finally {
    config.destroy();
  }
  return evaluations;
}

/** Every verdict moto stored for a rule, by resource id (user id, or account id for root). */
export async function storedVerdicts(
  endpoint: string,
  rule: string,
  options: StoredOptions = {},
): Promise<Record<string, ComplianceType>> {
  const evaluations = await storedEvaluations(endpoint, rule, options);
  return Object.fromEntries(evaluations.map((e) => [e.resourceId, e.compliance]));
}
