/** What iam-user-hardware-mfa must conclude (rules/runtime/cases.ts). */
import { casesOf } from '../runtime/cases';
import { rule } from './rule';

export const cases = casesOf(rule, {
  scope: 'user',
  // No framework control; HIGH is ours (privileged users: docs/rules.md).
  published: { cis: 'none', securityHub: [], severity: 'HIGH' },
  // The scenario accounts hold no privileged user (test/integration/privilege.test.ts has them).
  user: () => 'NOT_APPLICABLE',
});
