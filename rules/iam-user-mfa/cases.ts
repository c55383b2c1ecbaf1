/** What iam-user-mfa must conclude (rules/runtime/cases.ts). */
import { casesOf } from '../runtime/cases';
import { rule } from './rule';

export const cases = casesOf(rule, {
  scope: 'user',
  // Security Hub IAM.19 is MEDIUM; no CIS version has an "every IAM user" MFA recommendation.
  published: { cis: 'none', securityHub: ['IAM.19'], severity: 'MEDIUM' },
  user: (user) => (user.mfa === 'none' ? 'NON_COMPLIANT' : 'COMPLIANT'),
});
