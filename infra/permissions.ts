/**
 * What each rule may call, derived from its metadata `iamActions` (the grants themselves live in
 * rules/runtime/grants.ts, shared with the runtime's session policy), with the narrowest resource
 * each action accepts (Service Authorization Reference):
 *
 *   - IAM GetAccountSummary, ListUsers, ListVirtualMFADevices, GenerateCredentialReport and
 *     GetCredentialReport have no resource type: `*`.
 *   - IAM ListMFADevices, GetLoginProfile and GetUser act on a `user`:
 *     `arn:<partition>:iam::<account>:user/*`.
 *   - config:PutEvaluations has no resource type: `*`.
 *   - config:GetComplianceDetailsByConfigRule acts on a `ConfigRule`, whose ARN carries the rule's
 *     generated id (`config-rule/config-rule-ab12cd`), not its name:
 *     `arn:<partition>:config:<region>:<account>:config-rule/*`.
 *
 * One description, two renderings: CDK policy statements (the functions' own roles, the management
 * account's execution role) and plain CloudFormation JSON (the StackSet's member role template).
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { statementId, type PermissionGrant, type ResourceScope } from '../rules/runtime/grants';

export {
  CONFIG_ACTION_SCOPES,
  grantedActions,
  IAM_ACTION_SCOPES,
  packPermissions,
  rulePermissions,
  type PermissionGrant,
  type ResourceScope,
} from '../rules/runtime/grants';

/** `Fn::Sub` patterns of each scope, for plain CloudFormation templates. */
export const SCOPE_SUB_PATTERNS: Readonly<Record<Exclude<ResourceScope, 'any'>, string>> = {
  'iam-user': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*',
  'config-rule': 'arn:${AWS::Partition}:config:${AWS::Region}:${AWS::AccountId}:config-rule/*',
};

/** The ARN (pattern) a scope stands for, in `scope`'s stack account and Region. */
export function scopeResource(scope: IConstruct, resourceScope: ResourceScope): string {
  const stack = Stack.of(scope);
  switch (resourceScope) {
    case 'any':
      return '*';
    case 'iam-user':
      return stack.formatArn({ service: 'iam', region: '', resource: 'user', resourceName: '*' });
    case 'config-rule':
      return stack.formatArn({ service: 'config', resource: 'config-rule', resourceName: '*' });
  }
}

/** Renders grants as CDK statements for a role in `scope`'s stack account and Region. */
export function toPolicyStatements(
  scope: IConstruct,
  grants: readonly PermissionGrant[],
): iam.PolicyStatement[] {
  return grants.map(
    (grant) =>
      new iam.PolicyStatement({
        sid: statementId(grant.scope),
        actions: [...grant.actions],
        resources: [scopeResource(scope, grant.scope)],
      }),
  );
}

/** Renders grants as a policy document for a plain CloudFormation template. */
export function toPolicyDocumentJson(grants: readonly PermissionGrant[]): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: grants.map((grant) => ({
      Sid: statementId(grant.scope),
      Effect: 'Allow',
      Action: [...grant.actions],
      Resource: grant.scope === 'any' ? '*' : { 'Fn::Sub': SCOPE_SUB_PATTERNS[grant.scope] },
    })),
  };
}

/** A cdk-nag finding acknowledged on purpose (`Validations.of(construct).acknowledge`). */
export interface NagAcknowledgment {
  /** `RuleId[FindingId]`, e.g. `AwsSolutions-IAM5[Resource::*]`. */
  readonly id: string;
  readonly reason: string;
}

/**
 * How cdk-nag names a resource in a finding id: the resolved value with `Ref`s as `<Name>`,
 * `Fn::GetAtt` as `<Resource.Attribute>` and `Fn::Join` joined (literal partition and Region
 * when the stack has a concrete environment, references otherwise).
 */
export function nagResourceName(scope: IConstruct, value: string): string {
  const visit = (node: unknown): string => {
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    if (Array.isArray(node)) return node.map(visit).join('');
    if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if ('Ref' in record) return `<${visit(record.Ref)}>`;
      if ('Fn::Join' in record) {
        const [delimiter, items] = record['Fn::Join'] as [string, unknown[]];
        return items.map(visit).join(delimiter);
      }
      if ('Fn::GetAtt' in record) {
        const [resource, attribute] = record['Fn::GetAtt'] as [unknown, unknown];
        return `<${visit(resource)}.${visit(attribute)}>`;
      }
      if ('Fn::Sub' in record) return visit(record['Fn::Sub']);
    }
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}

/** The AwsSolutions-IAM5 finding id of a wildcard resource. */
export function wildcardFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${nagResourceName(scope, resource)}]`;
}

/**
 * cdk-nag AwsSolutions-IAM5 acknowledgments for the wildcard resources these grants need, each
 * with its reason.
 */
export function wildcardAcknowledgments(
  scope: IConstruct,
  grants: readonly PermissionGrant[],
): NagAcknowledgment[] {
  return grants.map((grant) => {
    const id = wildcardFinding(scope, scopeResource(scope, grant.scope));
    const actions = grant.actions.join(', ');
    switch (grant.scope) {
      case 'any':
        return {
          id,
          reason: `${actions}: no resource type in the Service Authorization Reference, so Resource "*" is the only value these actions accept.`,
        };
      case 'iam-user':
        return {
          id,
          reason: `${actions}: the rule reads every IAM user of the account, so the resource is user/* of this account only (never another account).`,
        };
      case 'config-rule':
        return {
          id,
          reason: `${actions}: a ConfigRule ARN ends in the rule's generated id (config-rule-xxxxxx), known only once the conformance pack has created the rule, so the resource is config-rule/* of this account and Region.`,
        };
    }
  });
}
