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
import {
  DEFAULT_EXECUTION_ROLE_NAME,
  FORWARDING_ROLE_NAME,
  FORWARDING_RULE_NAME,
  IAM_EVENTS_FORWARD_ROLE_NAME,
  IAM_EVENTS_FORWARD_RULE_NAME,
} from './settings';
import {
  DEFAULT_EXEMPTION_TAG_KEY,
  ORGANIZATION_EXEMPTION_SOURCE,
  trustsTags,
  type ExemptionSource,
} from '../rules/runtime/exemption-source';

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

/** What may change an IAM role, and so its trust and its powers (denied on protected roles). */
export const ROLE_CHANGE_ACTIONS = [
  'iam:AttachRolePolicy',
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
] as const;

/** What stops the forwarding of a member's compliance changes (EventBridge, the rule itself). */
export const FORWARDING_RULE_ACTIONS = [
  'events:DeleteRule',
  'events:DisableRule',
  'events:PutRule',
  'events:PutTargets',
  'events:RemoveTargets',
] as const;

/** What stops AWS Config from recording in a member account. */
export const CONFIG_RECORDER_ACTIONS = [
  'config:DeleteConfigurationRecorder',
  'config:DeleteDeliveryChannel',
  'config:StopConfigurationRecorder',
] as const;

/** What writes, removes or creates a user with an exemption tag. */
export const EXEMPTION_TAG_ACTIONS = ['iam:CreateUser', 'iam:TagUser', 'iam:UntagUser'] as const;

/**
 * The roles service-managed StackSets create in each member account, by AWS's name (created by the
 * StackSets service-linked role, which SCPs do not restrict). The other statements trust this
 * name, so the first statement denies everyone in a member account creating or changing a role of
 * that name under any path: a member can no longer make one and assume it.
 */
export const STACKSETS_EXECUTION_ROLE = 'arn:*:iam::*:role/stacksets-exec-*';
const STACKSETS_EXECUTION_ROLE_ANY_PATH = 'arn:*:iam::*:role/*stacksets-exec-*';

export interface ProtectionScpOptions {
  /** Default: DEFAULT_EXECUTION_ROLE_NAME. */
  readonly executionRoleName?: string;
  /**
   * The security team's roles (ARNs, `*` for the account is allowed) that may still stop a Config
   * recorder and write the exemption tag; their own roles are protected like the execution role.
   */
  readonly securityPrincipalArns?: readonly string[];
  /**
   * The stack's exemption source: with `tags` or `both`, the exemption tag is protected (with
   * `registry` a member's tag changes nothing). Default: `registry`.
   */
  readonly exemptionSource?: ExemptionSource;
  /** Default: `mfa-exemption` (the rules' ExemptionTagKey default). */
  readonly exemptionTagKey?: string;
  /** Whether the forwarding rule and its role are deployed (notifications). Default: true. */
  readonly forwarding?: boolean;
  /**
   * Whether the members forward their IAM events (the event path, `freshness: 'events'`): the
   * forwarding rule and its role are then protected too. Default: true.
   */
  readonly iamEventForwarding?: boolean;
}

const SECURITY_ROLE = /^arn:(aws|aws-cn|aws-us-gov|\*):iam::(\d{12}|\*):role\/[\w+=,.@/*-]+$/;

/** `role/Name` → `role/*` + `/Name` too: a name is unique per account whatever its path. */
function anyPath(roleArn: string): string[] {
  const at = roleArn.indexOf(':role/') + ':role/'.length;
  const name = roleArn.slice(at);
  return name.includes('/') ? [roleArn] : [roleArn, `${roleArn.slice(0, at)}*/${name}`];
}

function exceptFor(principals: readonly string[]): Record<string, unknown> {
  return {
    ArnNotLike: { 'aws:PrincipalArn': principals.length === 1 ? principals[0] : [...principals] },
  };
}

/**
 * The first statement of every protection SCP: nobody in a member account creates, changes,
 * assumes or passes a role named `stacksets-exec-*` (under any path). The StackSet's own role is
 * created by StackSets' service-linked role and assumed by the management account's
 * (`AWSServiceRoleForCloudFormationStackSetsOrgAdmin`, whose policy allows `sts:AssumeRole` on
 * `arn:aws:iam::*:role/stacksets-exec-*`), neither of which an SCP restricts.
 */
function stackSetsRoleStatement(): Record<string, unknown> {
  return {
    Sid: 'DenyStackSetsExecutionRoleChanges',
    Effect: 'Deny',
    Action: [...ROLE_CHANGE_ACTIONS, 'iam:PassRole', 'sts:AssumeRole'],
    Resource: STACKSETS_EXECUTION_ROLE_ANY_PATH,
  };
}

/**
 * The service control policy that protects the pack in member accounts, generated from the stack's
 * own names (docs/protection-scp.md explains each statement). No exception a member can satisfy by
 * choosing a name:
 *
 *   1. nobody in a member account creates, changes, assumes or passes a `stacksets-exec-*` role,
 *      under any path, so the StackSet's own role is the only principal of that name (a role of
 *      that name made before the SCP was attached can no longer be assumed or handed to a
 *      service; docs/protection-scp.md says how to look for one);
 *   2. the execution role: changed or deleted only by the StackSet's role;
 *   3. the forwarding rules and their roles (fixed names; compliance changes with notifications,
 *      IAM events with the event path), when deployed: the same;
 *   4. the AWS Config recorder and delivery channel: not stopped or deleted but by the StackSet's
 *      role and the named security roles;
 *   5. with `exemptionSource` `tags` or `both`: no exemption tag written, removed or created with a
 *      user (`aws:TagKeys`, compared case-insensitively as IAM compares keys) but by the named
 *      security roles;
 *   6. the named security roles themselves: created or changed only by the StackSet's role (a
 *      member could otherwise create a role of that name and act as the security team).
 *
 * SCPs never apply to the management account (the stack creates its execution role itself) nor to
 * service-linked roles.
 */
export function executionRoleProtectionScp(
  options: ProtectionScpOptions | string = {},
): Record<string, unknown> {
  const o: ProtectionScpOptions =
    typeof options === 'string' ? { executionRoleName: options } : options;
  const roleName = o.executionRoleName ?? DEFAULT_EXECUTION_ROLE_NAME;
  const security = [...(o.securityPrincipalArns ?? [])];
  for (const arn of security) {
    if (!SECURITY_ROLE.test(arn) || arn.includes('stacksets-exec')) {
      throw new Error(
        `security principal '${arn}' is not an IAM role ARN (arn:aws:iam::<account or *>:role/<name>): only roles, whose names the SCP then protects, may be trusted`,
      );
    }
  }
  const source = o.exemptionSource ?? ORGANIZATION_EXEMPTION_SOURCE;
  const tagKey = o.exemptionTagKey ?? DEFAULT_EXEMPTION_TAG_KEY;
  const stackSetsOnly = exceptFor([STACKSETS_EXECUTION_ROLE]);
  const statements: Record<string, unknown>[] = [
    stackSetsRoleStatement(),
    {
      Sid: 'ProtectMfaConfigRulesExecutionRole',
      Effect: 'Deny',
      Action: [...ROLE_CHANGE_ACTIONS],
      Resource: anyPath(`arn:*:iam::*:role/${roleName}`),
      Condition: stackSetsOnly,
    },
  ];
  const forwarding = forwardingStatement(o.forwarding ?? true, o.iamEventForwarding ?? true);
  if (forwarding) statements.push(forwarding);
  statements.push({
    Sid: 'ProtectConfigRecorder',
    Effect: 'Deny',
    Action: [...CONFIG_RECORDER_ACTIONS],
    Resource: '*',
    Condition: exceptFor([STACKSETS_EXECUTION_ROLE, ...security]),
  });
  if (trustsTags(source)) {
    statements.push({
      Sid: 'ProtectExemptionTag',
      Effect: 'Deny',
      Action: [...EXEMPTION_TAG_ACTIONS],
      Resource: '*',
      Condition: {
        'ForAnyValue:StringEqualsIgnoreCase': { 'aws:TagKeys': [tagKey] },
        ...(security.length > 0 ? exceptFor(security) : {}),
      },
    });
  }
  if (security.length > 0) {
    statements.push({
      Sid: 'ProtectSecurityRoles',
      Effect: 'Deny',
      Action: [...ROLE_CHANGE_ACTIONS],
      Resource: security.flatMap(anyPath),
      Condition: stackSetsOnly,
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * The members' forwarding rules and their roles (fixed names), changed only by the StackSet's role:
 * the compliance-change forwarding (notifications, infra/operations.ts) and the IAM event
 * forwarding (the event path, infra/freshness.ts: the rule on the default bus in us-east-1). One
 * statement for both keeps the policy under the SCP size limit. Without it, a member administrator
 * could silence their own account's alerts or its event path (their changes would then wait for
 * the periodic run, which still catches a removed virtual device live).
 */
function forwardingStatement(
  compliance: boolean,
  iamEvents: boolean,
): Record<string, unknown> | undefined {
  const names: [rule: string, role: string][] = [
    ...(compliance ? [[FORWARDING_RULE_NAME, FORWARDING_ROLE_NAME] as [string, string]] : []),
    ...(iamEvents
      ? [[IAM_EVENTS_FORWARD_RULE_NAME, IAM_EVENTS_FORWARD_ROLE_NAME] as [string, string]]
      : []),
  ];
  if (names.length === 0) return undefined;
  return {
    Sid: 'ProtectEventForwarding',
    Effect: 'Deny',
    Action: [...FORWARDING_RULE_ACTIONS, ...ROLE_CHANGE_ACTIONS],
    Resource: names.flatMap(([rule, role]) => [
      `arn:*:events:*:*:rule/${rule}`,
      ...anyPath(`arn:*:iam::*:role/${role}`),
    ]),
    Condition: exceptFor([STACKSETS_EXECUTION_ROLE]),
  };
}

/**
 * The IAM event forwarding alone (the `ProtectEventForwarding` statement for it), behind the same
 * first statement (no `stacksets-exec-*` role a member can make): for organizations that attach
 * their own SCP for the rest. `executionRoleProtectionScp()` already holds it.
 */
export function iamEventForwardingProtectionScp(): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [stackSetsRoleStatement(), forwardingStatement(false, true)],
  };
}

/**
 * A service control policy for organizations deploying `ruleDeployment: 'configRules'`: the plain
 * rules in member accounts are ordinary Config rules (organization conformance-pack rules are
 * service-linked and members cannot change them), so a member administrator could delete or edit
 * them to silence their own account. Config rule ARNs carry a generated id, not the name
 * (`config-rule/config-rule-ab12cd`), so the policy cannot target these rules alone: it denies
 * changing or deleting any Config rule, and deleting evaluation results, to every principal but the
 * service-managed StackSet's `stacksets-exec-…` role, a name nobody in a member account may create
 * or change (its first statement, as in `executionRoleProtectionScp`). Attach it to OUs whose
 * accounts need no Config rules of their own (docs/protection-scp.md).
 */
export function configRulesProtectionScp(): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      stackSetsRoleStatement(),
      {
        Sid: 'ProtectMfaConfigRulesPlainRules',
        Effect: 'Deny',
        Action: [
          'config:DeleteConfigRule',
          'config:DeleteEvaluationResults',
          'config:PutConfigRule',
        ],
        Resource: '*',
        Condition: exceptFor([STACKSETS_EXECUTION_ROLE]),
      },
    ],
  };
}
