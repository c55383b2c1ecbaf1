/** Root user facts from one bulk read: IAM GetAccountSummary. */
import { GetAccountSummaryCommand } from '@aws-sdk/client-iam';
import { DataLoadError, describeError } from '../errors';
import type { GatherContext } from '../types';

const CREDENTIAL_KEYS = [
  'AccountPasswordPresent',
  'AccountAccessKeysPresent',
  'AccountSigningCertificatesPresent',
] as const;

export interface RootFacts {
  accountId: string;
  rootArn: string;
  /** The root user holds a password, an access key or a signing certificate. */
  hasCredentials: boolean;
  /** Which credential keys were present (value ≥ 1) or missing from the summary (counted as present). */
  credentialsPresent: string[];
  mfaEnabled: boolean;
}

export function rootArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

/** Reads `AccountMFAEnabled` and the root credential flags; always live, never from the report. */
export async function gatherRoot(ctx: GatherContext): Promise<RootFacts> {
  let summary: Record<string, number>;
  try {
    const out = await ctx.clients.iam.send(new GetAccountSummaryCommand({}), {
      abortSignal: ctx.deadline?.signal,
    });
    if (!out.SummaryMap) {
      throw new Error('GetAccountSummary returned no SummaryMap');
    }
    summary = out.SummaryMap;
  } catch (error) {
    if (ctx.deadline?.expired()) throw ctx.deadline.explain(error);
    throw new DataLoadError(`cannot read the IAM account summary: ${describeError(error)}`);
  }
  // A key missing from the summary counts as a credential present: never NOT_APPLICABLE by accident.
  const credentialsPresent = CREDENTIAL_KEYS.filter((key) => (summary[key] ?? 1) !== 0);
  return {
    accountId: ctx.accountId,
    rootArn: rootArn(ctx.partition, ctx.accountId),
    hasCredentials: credentialsPresent.length > 0,
    credentialsPresent,
    mfaEnabled: summary.AccountMFAEnabled === 1,
  };
}

/** What {@link gatherRoot} calls: a rule using it declares `iamActions: ACCOUNT_SUMMARY_READS`. */
export const ACCOUNT_SUMMARY_READS = ['iam:GetAccountSummary'] as const;
