/** What the privilege suites of iam-user-hardware-mfa share: users, groups, roles and policies as GetAccountAuthorizationDetails returns them, and the analysis of an account. */
import type { GroupDetail, RoleDetail, UserDetail } from '@aws-sdk/client-iam';
import {
  usersWithPrivilege,
  type AccountDetails,
  type UserPrivilege,
} from '../../rules/iam-user-hardware-mfa/privilege';
import {
  awsManagedArn,
  awsManagedDetails,
  doc,
  encode,
  managedPolicyDetail,
  type PolicyDocument,
} from '../support/iam-policies';
import { ACCOUNT, userArn } from './helpers';

export const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
export const CUSTOMER = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;
export const ROLE = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
export const GROUP = (name: string) => `arn:aws:iam::${ACCOUNT}:group/${name}`;

export interface UserSpec {
  inline?: PolicyDocument | string;
  managed?: string[];
  groups?: string[];
  boundary?: string;
  tags?: Record<string, string>;
}

export function user(name: string, spec: UserSpec = {}): UserDetail {
  return {
    UserName: name,
    UserId: `AIDA${name.toUpperCase()}`,
    Arn: userArn(name),
    GroupList: spec.groups ?? [],
    UserPolicyList: spec.inline
      ? [
          {
            PolicyName: `${name}-inline`,
            PolicyDocument: typeof spec.inline === 'string' ? spec.inline : encode(spec.inline),
          },
        ]
      : [],
    AttachedManagedPolicies: (spec.managed ?? []).map((arn) => ({ PolicyArn: arn })),
    ...(spec.boundary
      ? {
          PermissionsBoundary: {
            PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
            PermissionsBoundaryArn: spec.boundary,
          },
        }
      : {}),
    Tags: Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
  };
}

export function group(name: string, inline?: PolicyDocument, managed: string[] = []): GroupDetail {
  return {
    GroupName: name,
    Arn: GROUP(name),
    GroupPolicyList: inline
      ? [{ PolicyName: `${name}-inline`, PolicyDocument: encode(inline) }]
      : [],
    AttachedManagedPolicies: managed.map((arn) => ({ PolicyArn: arn })),
  };
}

export function role(
  name: string,
  trust: PolicyDocument,
  spec: { inline?: PolicyDocument; managed?: string[] } = {},
): RoleDetail {
  return {
    RoleName: name,
    Arn: ROLE(name),
    AssumeRolePolicyDocument: encode(trust),
    RolePolicyList: spec.inline
      ? [{ PolicyName: `${name}-inline`, PolicyDocument: encode(spec.inline) }]
      : [],
    AttachedManagedPolicies: (spec.managed ?? []).map((arn) => ({ PolicyArn: arn })),
  };
}

export function trusting(...principals: string[]): PolicyDocument {
  return doc({ Effect: 'Allow', Principal: { AWS: principals }, Action: 'sts:AssumeRole' });
}

export interface Account {
  users: UserDetail[];
  groups?: GroupDetail[];
  roles?: RoleDetail[];
  customer?: Record<string, PolicyDocument>;
}

export function analyse(account: Account, settings = {}): UserPrivilege[] {
  const details: AccountDetails = {
    accountId: ACCOUNT,
    partition: 'aws',
    users: account.users,
    groups: account.groups ?? [],
    roles: account.roles ?? [],
    policies: [
      ...awsManagedDetails(),
      ...Object.entries(account.customer ?? {}).map(([arn, d]) => managedPolicyDetail(arn, d)),
    ],
  };
  return usersWithPrivilege(details, {
    privilegedPolicyArns: [],
    privilegedTagKey: 'mfa-privileged',
    ...settings,
  });
}

export function alice(account: Account, settings = {}): UserPrivilege {
  const found = analyse(account, settings).find((u) => u.userName === 'alice');
  if (!found) throw new Error('alice was not analysed');
  return found;
}

export const ADMIN_ROLE = role('Admin', trusting(ROOT), {
  managed: [awsManagedArn('AdministratorAccess')],
});
