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
import { gatherRoot, type RootFacts } from '../runtime/facts/account';
import { listAssignedVirtualMfa } from '../runtime/facts/virtual-mfa';
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
    cis: { versions: 'v1.4.0–v3.0.0', control: '1.6' },
    securityHubControl: 'IAM.6',
    replacesManagedRule: 'root-account-hardware-mfa-enabled',
    resourceTypes: ['AWS::::Account'],
    changeTriggerTypes: [],
    remediation:
      'Sign in as the root user, register a hardware TOTP token or FIDO security key under Security credentials, then deactivate and delete every virtual MFA device assigned to root.',
    iamActions: ['iam:GetAccountSummary', 'iam:ListVirtualMFADevices'],
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
      return [{ ...base, compliance: 'NOT_APPLICABLE', annotation: noRootCredentials(root) }];
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
