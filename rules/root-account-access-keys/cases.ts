/** What root-account-access-keys must conclude (rules/runtime/cases.ts). */
import type { RootFacts } from '../runtime/facts/account';
import { casesOf, rootHasCredentials } from '../runtime/cases';
import { rule } from './rule';

const ROOT: RootFacts = {
  accountId: '123456789012',
  rootArn: 'arn:aws:iam::123456789012:root',
  hasCredentials: true,
  credentialsPresent: ['AccountPasswordPresent'],
  mfaEnabled: true,
};

export const cases = casesOf(rule, {
  scope: 'account',
  // Security Hub IAM.4 is CRITICAL (AWS Security Hub user guide, IAM controls).
  published: {
    cis: 'v1.4.0–v4.0.1 1.4, v5.0.0 1.3, v6.0.0 2.3, v7.0.0 2.4',
    securityHub: ['IAM.4'],
    severity: 'CRITICAL',
  },
  root: (root) =>
    !rootHasCredentials(root) ? 'NOT_APPLICABLE' : root.accessKeys ? 'NON_COMPLIANT' : 'COMPLIANT',
  decisions: [
    {
      name: 'a password and no access key',
      facts: ROOT,
      compliance: 'COMPLIANT',
      annotation: /has no access keys \(AccountAccessKeysPresent = 0/,
    },
    {
      name: 'access keys, even with MFA',
      facts: {
        ...ROOT,
        credentialsPresent: ['AccountPasswordPresent', 'AccountAccessKeysPresent'],
      },
      compliance: 'NON_COMPLIANT',
      annotation: /has access keys.*Fix: /,
    },
    {
      name: 'access keys only',
      facts: { ...ROOT, credentialsPresent: ['AccountAccessKeysPresent'], mfaEnabled: false },
      compliance: 'NON_COMPLIANT',
    },
    {
      name: 'no credentials at all (centralized root access)',
      facts: { ...ROOT, hasCredentials: false, credentialsPresent: [] },
      compliance: 'NOT_APPLICABLE',
      annotation: /cannot sign in or call AWS: it has no access key to remove/,
    },
  ],
});
