/**
 * The execution role the central rule functions assume in each account of an organization:
 *
 *   - permissions: exactly what the rules read (the union of their `iamActions`, each on its
 *     narrowest resource) plus config:PutEvaluations and config:GetComplianceDetailsByConfigRule;
 *   - trust: the central account, restricted by `aws:PrincipalArn` to the central functions' roles
 *     (fixed names, so a role CDK replaces keeps the same ARN and every member trust keeps
 *     matching) and by `aws:PrincipalOrgID` to the organization.
 *
 * Rendered twice from one description: a plain CloudFormation template (the StackSet's body for
 * member accounts) and a CDK role (the management account, where service-managed StackSets never
 * deploy).
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { RuleMetadata } from '../rules/runtime/types';
import {
  packPermissions,
  toPolicyDocumentJson,
  toPolicyStatements,
  wildcardAcknowledgments,
} from './permissions';
import { EXECUTION_ROLE_SPEC, validateProps } from './validate';

export const CENTRAL_ACCOUNT_PARAMETER = 'CentralAccountId';
export const ORGANIZATION_PARAMETER = 'OrganizationId';
export const EXECUTION_ROLE_POLICY_NAME = 'EvaluateMfaRules';

export interface ExecutionRoleSpec {
  /** The role's name in every account (the rules' ExecutionRoleName parameter). */
  readonly roleName: string;
  /** Names of the central functions' roles, in the central account. */
  readonly centralRoleNames: readonly string[];
  /** The rules whose reads the role allows. */
  readonly rules: readonly RuleMetadata[];
  /**
   * The event path (issue 22): the role also allows config:DescribeConfigRules and
   * config:StartConfigRulesEvaluation (the freshness function's session is limited to those).
   */
  readonly reevaluation?: boolean;
}

export function executionRoleDescription(spec: ExecutionRoleSpec): string {
  return `Assumed by the central mfa-config-rules functions to read IAM MFA facts and report to AWS Config (${spec.rules.map((rule) => rule.name).join(', ')})`;
}

/** The StackSet template: the execution role alone, parameterized by central account and org. */
export function executionRoleTemplate(spec: ExecutionRoleSpec): Record<string, unknown> {
  const central = (name: string) => ({
    'Fn::Sub': `arn:\${AWS::Partition}:iam::\${${CENTRAL_ACCOUNT_PARAMETER}}:role/${name}`,
  });
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      'Execution role of the mfa-config-rules AWS Config rules (deployed by a service-managed StackSet).',
    Parameters: {
      [CENTRAL_ACCOUNT_PARAMETER]: {
        Type: 'String',
        Description: 'Account that holds the rule functions.',
        AllowedPattern: '^\\d{12}$',
      },
      [ORGANIZATION_PARAMETER]: {
        Type: 'String',
        Description: 'AWS Organizations id the central account and this account belong to.',
        AllowedPattern: '^o-[a-z0-9]{10,32}$',
      },
    },
    Resources: {
      ExecutionRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: spec.roleName,
          Description: executionRoleDescription(spec),
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'CentralRuleFunctions',
                Effect: 'Allow',
                Principal: {
                  AWS: {
                    'Fn::Sub': `arn:\${AWS::Partition}:iam::\${${CENTRAL_ACCOUNT_PARAMETER}}:root`,
                  },
                },
                Action: 'sts:AssumeRole',
                Condition: {
                  ArnEquals: { 'aws:PrincipalArn': spec.centralRoleNames.map(central) },
                  StringEquals: { 'aws:PrincipalOrgID': { Ref: ORGANIZATION_PARAMETER } },
                },
              },
            ],
          },
          Policies: [
            {
              PolicyName: EXECUTION_ROLE_POLICY_NAME,
              PolicyDocument: toPolicyDocumentJson(
                packPermissions(spec.rules, { reevaluation: spec.reevaluation === true }),
              ),
            },
          ],
        },
      },
    },
    Outputs: {
      ExecutionRoleArn: { Value: { 'Fn::GetAtt': ['ExecutionRole', 'Arn'] } },
    },
  };
}

export interface ExecutionRoleProps extends ExecutionRoleSpec {
  readonly organizationId: string;
}

/**
 * The same role as a CDK construct, trusting this stack's account as the central account (used in
 * the management account, which the StackSet cannot reach).
 */
export class ExecutionRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ExecutionRoleProps) {
    super(scope, id);
    validateProps(this, props, EXECUTION_ROLE_SPEC);
    const stack = Stack.of(this);
    const centralRoleArns = props.centralRoleNames.map((name) =>
      stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: name }),
    );
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: executionRoleDescription(props),
      assumedBy: new iam.AccountPrincipal(stack.account).withConditions({
        ArnEquals: { 'aws:PrincipalArn': centralRoleArns },
        StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
      }),
      inlinePolicies: {
        [EXECUTION_ROLE_POLICY_NAME]: new iam.PolicyDocument({
          statements: toPolicyStatements(
            this,
            packPermissions(props.rules, { reevaluation: props.reevaluation === true }),
          ),
        }),
      },
    });
    Validations.of(this.role).acknowledge(
      ...wildcardAcknowledgments(
        this,
        packPermissions(props.rules, { reevaluation: props.reevaluation === true }),
      ),
    );
  }
}

/**
 * A service control policy for the organization: no one in a member account may change or delete
 * the execution role, except the service-managed StackSet that owns it (its `stacksets-exec-…`
 * role). Without it, an account administrator can freeze their own account's results by breaking
 * the role (every evaluation of that account then fails as a refused account, and the last
 * verdicts stay on record). SCPs never apply to the management account, whose role this stack
 * creates itself. Attach it to the OUs the pack covers (docs/security-model.md).
 */
export function executionRoleProtectionScp(roleName: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ProtectMfaConfigRulesExecutionRole',
        Effect: 'Deny',
        Action: [
          'iam:AttachRolePolicy',
          'iam:DeleteRole',
          'iam:DeleteRolePermissionsBoundary',
          'iam:DeleteRolePolicy',
          'iam:DetachRolePolicy',
          'iam:PutRolePermissionsBoundary',
          'iam:PutRolePolicy',
          'iam:UpdateAssumeRolePolicy',
          'iam:UpdateRole',
          'iam:UpdateRoleDescription',
        ],
        Resource: `arn:*:iam::*:role/${roleName}`,
        Condition: {
          ArnNotLike: { 'aws:PrincipalArn': 'arn:*:iam::*:role/stacksets-exec-*' },
        },
      },
    ],
  };
}

/**
 * A service control policy for organizations deploying `ruleDeployment: 'configRules'`: the plain
 * rules in member accounts are ordinary Config rules (organization conformance-pack rules are
 * service-linked and members cannot change them), so a member administrator could delete or edit
 * them to silence their own account. Config rule ARNs carry a generated id, not the name
 * (`config-rule/config-rule-ab12cd`), so the policy cannot target these rules alone: it denies
 * changing or deleting any Config rule, and deleting evaluation results, to every principal but the
 * service-managed StackSet's `stacksets-exec-…` role. Attach it to OUs whose accounts need no
 * Config rules of their own (docs/security-model.md).
 */
export function configRulesProtectionScp(): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ProtectMfaConfigRulesPlainRules',
        Effect: 'Deny',
        Action: [
          'config:DeleteConfigRule',
          'config:DeleteEvaluationResults',
          'config:PutConfigRule',
        ],
        Resource: '*',
        Condition: {
          ArnNotLike: { 'aws:PrincipalArn': 'arn:*:iam::*:role/stacksets-exec-*' },
        },
      },
    ],
  };
}
