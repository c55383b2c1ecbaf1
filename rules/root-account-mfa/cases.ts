/** What root-account-mfa must conclude (rules/runtime/cases.ts). */
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
  // Security Hub IAM.9 is CRITICAL (AWS Security Hub user guide, IAM controls).
  published: {
    cis: 'v1.4.0–v4.0.1 1.5, v5.0.0 1.4, v6.0.0 2.4, v7.0.0 2.5',
    securityHub: ['IAM.9'],
    severity: 'CRITICAL',
  },
  root: (root) =>
    !rootHasCredentials(root)
      ? 'NOT_APPLICABLE'
      : root.mfa === 'none'
        ? 'NON_COMPLIANT'
        : 'COMPLIANT',
  decisions: [
    { name: 'MFA enabled', facts: ROOT, compliance: 'COMPLIANT', annotation: /has MFA enabled/ },
    {
      name: 'a password and no MFA',
      facts: { ...ROOT, mfaEnabled: false },
      compliance: 'NON_COMPLIANT',
      annotation: /has no MFA and holds a password\. Fix: /,
    },
    {
      name: 'access keys and no MFA',
      facts: { ...ROOT, mfaEnabled: false, credentialsPresent: ['AccountAccessKeysPresent'] },
      compliance: 'NON_COMPLIANT',
      annotation: /holds access keys/,
    },
    {
      name: 'no credentials (centralized root access)',
      facts: { ...ROOT, hasCredentials: false, credentialsPresent: [], mfaEnabled: false },
      compliance: 'NOT_APPLICABLE',
      annotation: /cannot sign in or call AWS: MFA does not apply/,
    },
  ],
});
