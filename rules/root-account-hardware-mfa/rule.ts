/**
 * root-account-hardware-mfa — CIS AWS Foundations 1.6, Security Hub IAM.6.
 *
 * | root user                                                   | verdict        |
 * | ----------------------------------------------------------- | -------------- |
 * | no password, access key or signing cert                     | NOT_APPLICABLE |
 * | no MFA (AccountMFAEnabled ≠ 1)                              | NON_COMPLIANT  |
 * | an assigned virtual device whose User.Arn is root's ARN     | NON_COMPLIANT  |
 * | otherwise (MFA on, and it is a hardware TOTP or FIDO key)   | COMPLIANT      |
 *
 * A device is virtual because ListVirtualMFADevices lists it and it is assigned to root's exact
 * ARN — never because of its name. A virtual device beside a hardware key still fails: it can
 * still sign in.
 */
import { cis, cloudawareV7Source, securityHub } from '../frameworks';
import { ACCOUNT_SUMMARY_READS, gatherRoot, type RootFacts } from '../runtime/facts/account';
import { listAssignedVirtualMfa, VIRTUAL_MFA_READS } from '../runtime/facts/virtual-mfa';
import { noRootCredentials } from '../runtime/root-annotations';
import type { Evaluation, RuleDefinition } from '../runtime/types';

export interface RootDeviceFacts extends RootFacts {
  /** Serial numbers of virtual MFA devices assigned to the root user. */
  rootVirtualDevices: string[];
}

export const rule: RuleDefinition<RootDeviceFacts> = {
  metadata: {
    name: 'root-account-hardware-mfa',
    title: "The root user's MFA is a hardware device, not a virtual one",
    description:
      'Checks that the root user has MFA and that no virtual MFA device is assigned to it (ListVirtualMFADevices, matched on the exact root ARN, never on a device name), so root signs in only with a hardware TOTP token or FIDO security key. NOT_APPLICABLE when the root user holds no credentials.',
    severity: 'CRITICAL',
    frameworks: [
      ...cis(['v1.4.0', 'v1.5.0'], '1.6', 'Automated'),
      // Manual from v2.0.0 on (Steampipe cis_type; Prowler's cis_2.0/cis_3.0 files say Automated).
      ...cis(['v2.0.0', 'v3.0.0', 'v4.0.1'], '1.6', 'Manual'),
      ...cis(['v5.0.0'], '1.5', 'Manual'),
      ...cis(['v6.0.0'], '2.5', 'Manual'),
      ...cis(['v7.0.0'], '2.6', 'Manual', [cloudawareV7Source('2.6')]),
      securityHub('IAM.6'),
    ],
    // Three calls (GetAccountSummary, ListVirtualMFADevices, PutEvaluations).
    sizing: { timeoutSeconds: 60, memoryMiB: 256 },
    parameters: [],
    replacesManagedRule: 'root-account-hardware-mfa-enabled',
    resourceTypes: ['AWS::::Account'],
    changeTriggerTypes: [],
    remediation:
      'Sign in as the root user, register a hardware TOTP token or FIDO security key under Security credentials, then deactivate and delete every virtual MFA device assigned to root.',
    iamActions: [...ACCOUNT_SUMMARY_READS, ...VIRTUAL_MFA_READS],
  },
  parameters: {},
  async gather(ctx) {
    const [root, virtual] = await Promise.all([
      gatherRoot(ctx),
      listAssignedVirtualMfa(ctx.clients, ctx.deadline?.signal),
    ]);
    return { ...root, rootVirtualDevices: virtual.get(root.rootArn) ?? [] };
  },
  evaluate(root): Evaluation[] {
    const base = {
      resourceType: 'AWS::::Account',
      resourceId: root.accountId,
      resourceName: root.accountId,
    };
    const id = `Root user of account ${root.accountId}`;
    if (!root.hasCredentials) {
      return [
        {
          ...base,
          compliance: 'NOT_APPLICABLE',
          annotation: noRootCredentials(root, 'MFA does not apply'),
        },
      ];
    }
    if (!root.mfaEnabled) {
      return [
        {
          ...base,
          compliance: 'NON_COMPLIANT',
          annotation: `${id} has no MFA at all. Fix: sign in as root > Security credentials > Assign MFA device and register a hardware TOTP token or FIDO security key.`,
        },
      ];
    }
    if (root.rootVirtualDevices.length > 0) {
      const count = root.rootVirtualDevices.length;
      return [
        {
          ...base,
          compliance: 'NON_COMPLIANT',
          annotation: `${id} has ${count} virtual MFA device${count > 1 ? 's' : ''} assigned (${root.rootVirtualDevices.join(', ')}). Fix: register a hardware TOTP or FIDO key, then deactivate and delete the virtual device.`,
        },
      ];
    }
    return [
      {
        ...base,
        compliance: 'COMPLIANT',
        annotation: `${id} has MFA and no virtual MFA device assigned, so it uses a hardware TOTP token or FIDO key (its non-virtual devices cannot be listed from the account's own roles).`,
      },
    ];
  },
};
