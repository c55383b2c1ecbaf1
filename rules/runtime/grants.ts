/**
 * What each rule may call, as plain data (no CDK import): the one source for the functions' own
 * roles and the organization's execution role (rendered by infra/permissions.ts) and for the
 * session policy the runtime passes when it assumes the execution role (rules/runtime/clients.ts),
 * so a rule's cross-account session can do exactly what its single-account role may do.
 *
 * The narrowest resource each action accepts (Service Authorization Reference):
 *
 *   - IAM GetAccountSummary, ListUsers, ListVirtualMFADevices, GenerateCredentialReport,
 *     GetCredentialReport and GetAccountAuthorizationDetails have no resource type: `*`.
 *   - IAM ListMFADevices, GetMFADevice, GetLoginProfile, GetUser and ListUserTags act on a `user`:
 *     `arn:<partition>:iam::<account>:user/*` (for GetMFADevice also AWS's own example policy
 *     "IAM: Allows IAM users to self-manage an MFA device", which grants it on
 *     `arn:aws:iam::*:user/${aws:username}`:
 *     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_mfa-selfmanage.html).
 *   - config:PutEvaluations has no resource type: `*`.
 *   - config:GetComplianceDetailsByConfigRule acts on a `ConfigRule`, whose ARN carries the rule's
 *     generated id (`config-rule/config-rule-ab12cd`), not its name:
 *     `arn:<partition>:config:<region>:<account>:config-rule/*`.
 */
import type { RuleMetadata } from './types';

/** The narrowest resource an action can be scoped to, in the account that holds the policy. */
export type ResourceScope = 'any' | 'iam-user' | 'config-rule';

export interface PermissionGrant {
  readonly scope: ResourceScope;
  /** Sorted, no wildcards. */
  readonly actions: readonly string[];
}

export const IAM_ACTION_SCOPES: Readonly<Record<string, ResourceScope>> = {
  'iam:GetAccountSummary': 'any',
  'iam:ListUsers': 'any',
  'iam:ListVirtualMFADevices': 'any',
  'iam:GenerateCredentialReport': 'any',
  'iam:GetCredentialReport': 'any',
  'iam:GetAccountAuthorizationDetails': 'any',
  'iam:ListMFADevices': 'iam-user',
  'iam:GetLoginProfile': 'iam-user',
  'iam:GetUser': 'iam-user',
  'iam:ListUserTags': 'iam-user',
  'iam:GetMFADevice': 'iam-user',
};

/**
 * What the freshness function (issue 22) calls in an evaluated account to re-evaluate the pack's
 * rules: config:DescribeConfigRules to find the deployed names (a conformance pack's or an
 * organization rule's carry a generated suffix), config:StartConfigRulesEvaluation to start them.
 * Service Authorization Reference (AWS Config,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_config.html):
 * StartConfigRulesEvaluation requires a `ConfigRule` (`config-rule/${ConfigRuleId}`, a generated
 * id, not the name), DescribeConfigRules has no resource type (`*`). The rule names are matched
 * in code (runtime/rule-name.ts) before anything is started.
 */
export const REEVALUATION_ACTION_SCOPES: Readonly<Record<string, ResourceScope>> = {
  'config:DescribeConfigRules': 'any',
  'config:StartConfigRulesEvaluation': 'config-rule',
};

/** What every rule calls to report and to clear verdicts on vanished resources. */
export const CONFIG_ACTION_SCOPES: Readonly<Record<string, ResourceScope>> = {
  'config:PutEvaluations': 'any',
  'config:GetComplianceDetailsByConfigRule': 'config-rule',
};

const SCOPE_ORDER: readonly ResourceScope[] = ['any', 'iam-user', 'config-rule'];

function group(actions: Iterable<string>): PermissionGrant[] {
  const byScope = new Map<ResourceScope, Set<string>>();
  for (const action of actions) {
    if (action.includes('*')) throw new Error(`wildcard action '${action}' is not allowed`);
    const scope =
      IAM_ACTION_SCOPES[action] ??
      CONFIG_ACTION_SCOPES[action] ??
      REEVALUATION_ACTION_SCOPES[action];
    if (!scope) {
      throw new Error(
        `no resource scope is known for '${action}': add it to rules/runtime/grants.ts after checking the Service Authorization Reference`,
      );
    }
    const set = byScope.get(scope) ?? new Set<string>();
    set.add(action);
    byScope.set(scope, set);
  }
  return SCOPE_ORDER.flatMap((scope) => {
    const set = byScope.get(scope);
    return set ? [{ scope, actions: [...set].sort() }] : [];
  });
}

/** Everything one rule's function calls in the evaluated account (reads, then Config). */
export function rulePermissions(rule: RuleMetadata): PermissionGrant[] {
  return group([...rule.iamActions, ...Object.keys(CONFIG_ACTION_SCOPES)]);
}

/**
 * The union over several rules: what the shared member execution role needs; with
 * `reevaluation`, also what the freshness function's re-evaluation needs (the event path).
 */
export function packPermissions(
  rules: readonly RuleMetadata[],
  options: { reevaluation?: boolean } = {},
): PermissionGrant[] {
  return group([
    ...rules.flatMap((rule) => rule.iamActions),
    ...Object.keys(CONFIG_ACTION_SCOPES),
    ...(options.reevaluation ? Object.keys(REEVALUATION_ACTION_SCOPES) : []),
  ]);
}

/** The re-evaluation's own grants (the freshness function's role, and its session policy). */
export function reevaluationPermissions(): PermissionGrant[] {
  return group(Object.keys(REEVALUATION_ACTION_SCOPES));
}

/**
 * The session policy the freshness function passes when it assumes the execution role in a member
 * account: config:DescribeConfigRules and config:StartConfigRulesEvaluation on that account's
 * Config rules, nothing else (no IAM read, no PutEvaluations).
 */
export function reevaluationSessionPolicy(target: {
  partition: string;
  accountId: string;
}): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: reevaluationPermissions().map((grant) => ({
      Sid: statementId(grant.scope),
      Effect: 'Allow',
      Action: grant.actions,
      Resource:
        grant.scope === 'config-rule'
          ? `arn:${target.partition}:config:*:${target.accountId}:config-rule/*`
          : '*',
    })),
  });
}

/** Every action of a set of grants, sorted. */
export function grantedActions(grants: readonly PermissionGrant[]): string[] {
  return grants.flatMap((grant) => grant.actions).sort();
}

/** Statement id of a scope, the same in every rendering. */
export function statementId(scope: ResourceScope): string {
  switch (scope) {
    case 'any':
      return 'ActionsWithoutResourceType';
    case 'iam-user':
      return 'IamUsers';
    case 'config-rule':
      return 'ConfigRules';
  }
}

/**
 * The session policy the runtime passes to `AssumeRole` on the shared execution role: the same
 * grants as the rule's own single-account role, in the evaluated account. A session's permissions
 * are the intersection of the role's policies and this one, so a root rule's session cannot read
 * the credential report or list users even though the role may. Region `*`: the role's own policy
 * already pins the Config rule ARNs to its Region; this policy only narrows actions.
 */
export function sessionPolicy(
  rules: readonly RuleMetadata[],
  target: { partition: string; accountId: string },
): string {
  const resource = (scope: ResourceScope): string => {
    switch (scope) {
      case 'any':
        return '*';
      case 'iam-user':
        return `arn:${target.partition}:iam::${target.accountId}:user/*`;
      case 'config-rule':
        return `arn:${target.partition}:config:*:${target.accountId}:config-rule/*`;
    }
  };
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: packPermissions(rules).map((grant) => ({
      Sid: statementId(grant.scope),
      Effect: 'Allow',
      Action: grant.actions,
      Resource: resource(grant.scope),
    })),
  });
}
