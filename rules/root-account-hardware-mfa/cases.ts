/** What root-account-hardware-mfa must conclude (rules/runtime/cases.ts). */
import { casesOf, rootHasCredentials } from '../runtime/cases';
import { rule } from './rule';

export const cases = casesOf(rule, {
  scope: 'account',
  // Security Hub IAM.6 is CRITICAL (AWS Security Hub user guide, IAM controls).
  published: {
    cis: 'v1.4.0–v1.5.0 1.6, v2.0.0–v4.0.1 1.6 (manual), v5.0.0 1.5 (manual), v6.0.0 2.5 (manual), v7.0.0 2.6 (manual)',
    securityHub: ['IAM.6'],
    severity: 'CRITICAL',
  },
  root: (root) =>
    !rootHasCredentials(root)
      ? 'NOT_APPLICABLE'
      : root.mfa === 'hardware'
        ? 'COMPLIANT'
        : 'NON_COMPLIANT',
});
