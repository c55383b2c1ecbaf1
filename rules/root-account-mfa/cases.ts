/** What root-account-mfa must conclude (rules/runtime/cases.ts). */
import { casesOf, rootHasCredentials } from '../runtime/cases';
import { rule } from './rule';

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
});
