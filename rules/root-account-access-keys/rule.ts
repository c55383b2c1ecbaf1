/**
 * root-account-access-keys — CIS AWS Foundations 1.4 (v1.4.0–v4.0.1), 1.3 (v5.0.0), 2.3 (v6.0.0),
 * 2.4 (v7.0.0), "Ensure no 'root' user account access key exists" (Automated); Security Hub IAM.4
 * (CRITICAL); replaces AWS Config's managed rule `iam-root-access-key-check`.
 *
 * | root user                                   | verdict        |
 * | ------------------------------------------- | -------------- |
 * | no password, access key or signing cert     | NOT_APPLICABLE |
 * | AccountAccessKeysPresent = 0                | COMPLIANT      |
 * | otherwise (≥ 1, or missing from the summary) | NON_COMPLIANT  |
 *
 * Read live from GetAccountSummary on every run (never from the credential report).
 *
 * Sources for the CIS numbers and status (checked 2026-12-05): Prowler's cis_<version>_aws.json
 * (requirement with Checks ["iam_no_root_access_key"]: Id and AssessmentStatus) for every version;
 * Steampipe's cis_v140…cis_v600 (`cis_item_id`, `cis_type` automated) for v1.4.0–v6.0.0; the
 * Security Hub user guide's IAM.4 "Related requirements" (v1.4.0/1.4, v3.0.0/1.4, v5.0.0/1.3); for
 * v7.0.0, Tenable's CIS v7.0.0 L1 audit item "2.4 Ensure no 'root' user account access key exists".
 */
import { cis, securityHub } from '../frameworks';
import { ACCOUNT_SUMMARY_READS, gatherRoot, type RootFacts } from '../runtime/facts/account';
import { noRootCredentials } from '../runtime/root-annotations';
import type { Evaluation, RuleDefinition } from '../runtime/types';

const TENABLE_V7 =
  'https://www.tenable.com/audits/items/CIS_Amazon_Web_Services_Foundations_v7.0.0_L1.audit:befdf1920000678a2a620ce196e09af4';

export const rule: RuleDefinition<RootFacts> = {
  metadata: {
    name: 'root-account-access-keys',
    title: 'The root user has no access keys',
    description:
      'Checks that the root user of the account has no access keys (IAM account summary, AccountAccessKeysPresent, read live on every run). NOT_APPLICABLE when the root user holds no password, access key or signing certificate, as AWS Organizations centralized root access leaves member accounts.',
    severity: 'CRITICAL',
    frameworks: [
      ...cis(['v1.4.0', 'v1.5.0', 'v2.0.0', 'v3.0.0', 'v4.0.1'], '1.4', 'Automated'),
      ...cis(['v5.0.0'], '1.3', 'Automated'),
      ...cis(['v6.0.0'], '2.3', 'Automated'),
      ...cis(['v7.0.0'], '2.4', 'Automated', [TENABLE_V7]),
      securityHub('IAM.4'),
    ],
    // Two calls (GetAccountSummary, PutEvaluations): the smallest function is plenty.
    sizing: { timeoutSeconds: 60, memoryMiB: 256 },
    parameters: [],
    replacesManagedRule: 'iam-root-access-key-check',
    resourceTypes: ['AWS::::Account'],
    changeTriggerTypes: [],
    remediation:
      'Move whatever uses the root access keys to an IAM role, then sign in as the root user, open Security credentials and delete every access key. Or remove the root credentials with AWS Organizations centralized root access.',
    iamActions: [...ACCOUNT_SUMMARY_READS],
  },
  parameters: {},
  gather: (ctx) => gatherRoot(ctx),
  evaluate(root): Evaluation[] {
    const base = {
      resourceType: 'AWS::::Account',
      resourceId: root.accountId,
      resourceName: root.accountId,
    };
    if (!root.hasCredentials) {
      return [
        {
          ...base,
          compliance: 'NOT_APPLICABLE',
          annotation: noRootCredentials(root, 'it has no access key to remove'),
        },
      ];
    }
    // A summary without the key counts as keys present (facts/account.ts): never COMPLIANT unread.
    if (root.credentialsPresent.includes('AccountAccessKeysPresent')) {
      return [
        {
          ...base,
          compliance: 'NON_COMPLIANT',
          annotation: `Root user of account ${root.accountId} has access keys: the IAM account summary (read live) does not report AccountAccessKeysPresent = 0. Fix: move their users to an IAM role, then sign in as root > Security credentials > delete each access key.`,
        },
      ];
    }
    return [
      {
        ...base,
        compliance: 'COMPLIANT',
        annotation: `Root user of account ${root.accountId} has no access keys (AccountAccessKeysPresent = 0 in the IAM account summary, read live).`,
      },
    ];
  },
};
