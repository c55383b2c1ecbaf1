/** What iam-user-console-mfa must conclude (rules/runtime/cases.ts). */
import { casesOf } from '../runtime/cases';
import { rule } from './rule';

export const cases = casesOf(rule, {
  scope: 'user',
  // Security Hub IAM.5 is MEDIUM (AWS Security Hub user guide, IAM controls).
  published: {
    cis: 'v1.4.0–v4.0.1 1.10, v5.0.0 1.9, v6.0.0 2.9, v7.0.0 2.10',
    securityHub: ['IAM.5'],
    severity: 'MEDIUM',
  },
  user: (user) =>
    !user.consolePassword ? 'NOT_APPLICABLE' : user.mfa === 'none' ? 'NON_COMPLIANT' : 'COMPLIANT',
});
