/** The two deployable stacks: the pack in one account, and the pack across an organization. */
import { CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { MfaConfigRulesAccountPack, type MfaConfigRulesAccountPackProps } from './account-pack';
import {
  MfaConfigRulesOrganizationPack,
  type MfaConfigRulesOrganizationPackProps,
} from './organization-pack';
import { ACCOUNT_STACK_SPEC, ORGANIZATION_STACK_SPEC, packKeysOf, validateProps } from './validate';

export type MfaConfigRulesAccountStackProps = StackProps & MfaConfigRulesAccountPackProps;

export class MfaConfigRulesAccountStack extends Stack {
  readonly pack: MfaConfigRulesAccountPack;

  constructor(scope: Construct, id: string, props: MfaConfigRulesAccountStackProps = {}) {
    super(scope, id, {
      description:
        'mfa-config-rules: CIS AWS Foundations MFA controls as AWS Config custom rules, in this account.',
      ...props,
    });
    validateProps(this, props, ACCOUNT_STACK_SPEC);
    this.pack = new MfaConfigRulesAccountPack(this, 'Pack', packKeysOf(props));
  }
}

/** Name of the stack parameter asked for when no target OUs are given at synthesis. */
export const TARGET_OUS_PARAMETER = 'TargetOrganizationalUnitIds';

export type MfaConfigRulesOrganizationStackProps = StackProps &
  Omit<MfaConfigRulesOrganizationPackProps, 'targetOrganizationalUnitIds'> & {
    /**
     * OUs (or the root) that get the execution role. Absent: a stack parameter
     * (`TargetOrganizationalUnitIds`) to give at deploy time.
     */
    readonly targetOrganizationalUnitIds?: readonly string[];
  };

export class MfaConfigRulesOrganizationStack extends Stack {
  readonly pack: MfaConfigRulesOrganizationPack;

  constructor(scope: Construct, id: string, props: MfaConfigRulesOrganizationStackProps) {
    super(scope, id, {
      description:
        'mfa-config-rules: CIS AWS Foundations MFA controls as AWS Config custom rules, across an AWS Organization.',
      ...props,
    });
    validateProps(this, props, ORGANIZATION_STACK_SPEC);
    const targets =
      props.targetOrganizationalUnitIds ??
      new CfnParameter(this, TARGET_OUS_PARAMETER, {
        type: 'CommaDelimitedList',
        description:
          'OUs whose accounts get the execution role (comma-separated ou-… ids), or the root id (r-…) for the whole organization.',
      }).valueAsList;
    this.pack = new MfaConfigRulesOrganizationPack(this, 'Pack', {
      ...packKeysOf(props),
      targetOrganizationalUnitIds: targets,
    });
  }
}
