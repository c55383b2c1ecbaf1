/**
 * root-account-mfa — CIS AWS Foundations 1.5, Security Hub IAM.9.
 *
 * | root user                                   | verdict        |
 * | ------------------------------------------- | -------------- |
 * | no password, access key or signing cert     | NOT_APPLICABLE |
 * | AccountMFAEnabled = 1                       | COMPLIANT      |
 * | otherwise                                   | NON_COMPLIANT  |
 *
 * Read live from GetAccountSummary on every run (never from the credential report).
 */
import { cis, cloudawareV7Source, securityHub } from '../frameworks';
import { ACCOUNT_SUMMARY_READS, gatherRoot, type RootFacts } from '../runtime/facts/account';
import { noRootCredentials } from '../runtime/root-annotations';
import type { Evaluation, RuleDefinition } from '../runtime/types';

export const rule: RuleDefinition<RootFacts> = {
  metadata: {
    name: 'root-account-mfa',
    title: 'The root user has MFA enabled',
    description:
      'Checks that the root user of the account has multi-factor authentication enabled (IAM account summary, read live on every run). NOT_APPLICABLE when the root user holds no password, access key or signing certificate, as AWS Organizations centralized root access leaves member accounts.',
    severity: 'CRITICAL',
    frameworks: [
      ...cis(['v1.4.0', 'v1.5.0', 'v2.0.0', 'v3.0.0', 'v4.0.1'], '1.5', 'Automated'),
      ...cis(['v5.0.0'], '1.4', 'Automated'),
      ...cis(['v6.0.0'], '2.4', 'Automated'),
      ...cis(['v7.0.0'], '2.5', 'Automated', [cloudawareV7Source('2.5')]),
      securityHub('IAM.9'),
    ],
    // Two calls (GetAccountSummary, PutEvaluations): the smallest function is plenty.
    sizing: { timeoutSeconds: 60, memoryMiB: 256 },
    parameters: [],
    replacesManagedRule: 'root-account-mfa-enabled',
    resourceTypes: ['AWS::::Account'],
    changeTriggerTypes: [],
    remediation:
      'Sign in as the root user, open Security credentials, choose Assign MFA device and register a hardware key (preferred) or an authenticator app. Or remove the root credentials with AWS Organizations centralized root access.',
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
          annotation: noRootCredentials(root, 'MFA does not apply'),
        },
      ];
    }
    if (root.mfaEnabled) {
      return [
        {
          ...base,
          compliance: 'COMPLIANT',
          annotation: `Root user of account ${root.accountId} has MFA enabled (IAM account summary, read live).`,
        },
      ];
    }
    return [
      {
        ...base,
        compliance: 'NON_COMPLIANT',
        annotation: `Root user of account ${root.accountId} has no MFA and holds ${describeCredentials(root)}. Fix: sign in as root > Security credentials > Assign MFA device (hardware key preferred).`,
      },
    ];
  },
};

export function describeCredentials(root: RootFacts): string {
  const names: Record<string, string> = {
    AccountPasswordPresent: 'a password',
    AccountAccessKeysPresent: 'access keys',
    AccountSigningCertificatesPresent: 'signing certificates',
  };
  return root.credentialsPresent.map((key) => names[key] ?? key).join(', ');
}
