/**
 * Who iam-user-hardware-mfa counts as privileged: every decision row of the definition in
 * rules/iam-user-hardware-mfa/privilege.ts, on GetAccountAuthorizationDetails as IAM returns it
 * (URL-encoded documents), and the policy reading beneath it (policy.ts).
 */
import type { GroupDetail, RoleDetail, UserDetail } from '@aws-sdk/client-iam';
import {
  actionMatches,
  coversResource,
  parsePolicy,
  type ElementMatch,
} from '../../rules/iam-user-hardware-mfa/policy';
import {
  usersWithPrivilege,
  type AccountDetails,
  type UserPrivilege,
} from '../../rules/iam-user-hardware-mfa/privilege';
import { describePrivilege } from '../../rules/iam-user-hardware-mfa/rule';
import {
  allow,
  awsManagedArn,
  awsManagedDetails,
  deny,
  doc,
  encode,
  managedPolicyDetail,
  type PolicyDocument,
} from '../support/iam-policies';
import { ACCOUNT, userArn } from './helpers';

const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const CUSTOMER = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;
const ROLE = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const GROUP = (name: string) => `arn:aws:iam::${ACCOUNT}:group/${name}`;

interface UserSpec {
  inline?: PolicyDocument | string;
  managed?: string[];
  groups?: string[];
  boundary?: string;
  tags?: Record<string, string>;
}

function user(name: string, spec: UserSpec = {}): UserDetail {
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

function group(name: string, inline?: PolicyDocument, managed: string[] = []): GroupDetail {
  return {
    GroupName: name,
    Arn: GROUP(name),
    GroupPolicyList: inline
      ? [{ PolicyName: `${name}-inline`, PolicyDocument: encode(inline) }]
      : [],
    AttachedManagedPolicies: managed.map((arn) => ({ PolicyArn: arn })),
  };
}

function role(
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

function trusting(...principals: string[]): PolicyDocument {
  return doc({ Effect: 'Allow', Principal: { AWS: principals }, Action: 'sts:AssumeRole' });
}

interface Account {
  users: UserDetail[];
  groups?: GroupDetail[];
  roles?: RoleDetail[];
  customer?: Record<string, PolicyDocument>;
}

function analyse(account: Account, settings = {}): UserPrivilege[] {
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

function alice(account: Account, settings = {}): UserPrivilege {
  const found = analyse(account, settings).find((u) => u.userName === 'alice');
  if (!found) throw new Error('alice was not analysed');
  return found;
}

const ADMIN_ROLE = role('Admin', trusting(ROOT), {
  managed: [awsManagedArn('AdministratorAccess')],
});

describe('privileged by what its policies allow', () => {
  it.each<[string, Account, RegExp]>([
    [
      'inline user policy "*" on "*"',
      { users: [user('alice', { inline: doc(allow('*')) })] },
      /^inline policy alice-inline allows "\*"$/,
    ],
    [
      'inline group policy "*" on "*"',
      { users: [user('alice', { groups: ['ops'] })], groups: [group('ops', doc(allow('*')))] },
      /^inline policy ops-inline of group ops allows "\*"$/,
    ],
    [
      'a customer-managed policy allowing "*", named AdministratorAccess',
      {
        users: [user('alice', { managed: [CUSTOMER('AdministratorAccess')] })],
        customer: { [CUSTOMER('AdministratorAccess')]: doc(allow('*')) },
      },
      /^customer-managed AdministratorAccess allows "\*"$/,
    ],
    [
      "AWS's AdministratorAccess through a group",
      {
        users: [user('alice', { groups: ['admins'] })],
        groups: [group('admins', undefined, [awsManagedArn('AdministratorAccess')])],
      },
      /^AWS-managed AdministratorAccess via group admins allows "\*"$/,
    ],
    [
      'iam:* on "*"',
      { users: [user('alice', { inline: doc(allow('iam:*')) })] },
      /allows iam:\* \(iam:PutUserPolicy\)$/,
    ],
    [
      'IAMFullAccess (AWS-managed)',
      { users: [user('alice', { managed: [awsManagedArn('IAMFullAccess')] })] },
      /^AWS-managed IAMFullAccess allows iam:\* \(iam:PutUserPolicy\)$/,
    ],
    [
      'NotAction s3:* with Allow on "*"',
      {
        users: [
          user('alice', { inline: doc({ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }) }),
        ],
      },
      /allows all but s3:\* \(iam:PutUserPolicy\)$/,
    ],
    [
      'iam:Put* (wildcard inside the name)',
      { users: [user('alice', { inline: doc(allow('iam:Put*')) })] },
      /allows iam:Put\* \(iam:PutUserPolicy\)$/,
    ],
    [
      '*Policy* (wildcard across services)',
      { users: [user('alice', { inline: doc(allow('*Policy*')) })] },
      /allows \*Policy\* \(iam:PutUserPolicy\)$/,
    ],
    [
      'an action in another case (IAM:attachUSERpolicy)',
      { users: [user('alice', { inline: doc(allow('IAM:attachUSERpolicy')) })] },
      /allows IAM:attachUSERpolicy$/,
    ],
    [
      'iam:PutUserPolicy on its own ARN through ${aws:username}',
      {
        users: [
          user('alice', {
            inline: doc(allow('iam:PutUserPolicy', 'arn:aws:iam::*:user/${aws:username}')),
          }),
        ],
      },
      /allows iam:PutUserPolicy$/,
    ],
    [
      'iam:AttachUserPolicy on user/* (covers itself)',
      {
        users: [
          user('alice', {
            inline: doc(allow('iam:AttachUserPolicy', `arn:aws:iam::${ACCOUNT}:user/*`)),
          }),
        ],
      },
      /allows iam:AttachUserPolicy$/,
    ],
    [
      "iam:CreateAccessKey on any user (another user's keys)",
      {
        users: [
          user('alice', { inline: doc(allow('iam:CreateAccessKey', 'arn:aws:iam::*:user/*')) }),
        ],
      },
      /allows iam:CreateAccessKey$/,
    ],
    [
      'iam:UpdateLoginProfile on "*"',
      { users: [user('alice', { inline: doc(allow('iam:UpdateLoginProfile')) })] },
      /allows iam:UpdateLoginProfile$/,
    ],
    [
      'iam:AddUserToGroup on "*"',
      { users: [user('alice', { inline: doc(allow('iam:AddUserToGroup')) })] },
      /allows iam:AddUserToGroup$/,
    ],
    [
      'iam:PutGroupPolicy on its own group',
      {
        users: [user('alice', { groups: ['ops'] })],
        groups: [group('ops', doc(allow('iam:PutGroupPolicy', GROUP('ops'))))],
      },
      /allows iam:PutGroupPolicy$/,
    ],
    [
      'iam:CreatePolicyVersion on a customer policy attached to it',
      {
        users: [user('alice', { managed: [CUSTOMER('Dev')] })],
        customer: { [CUSTOMER('Dev')]: doc(allow('iam:CreatePolicyVersion', CUSTOMER('Dev'))) },
      },
      /^customer-managed Dev allows iam:CreatePolicyVersion$/,
    ],
    [
      "iam:UpdateAssumeRolePolicy on role/* (a role's trust)",
      { users: [user('alice', { inline: doc(allow('iam:UpdateAssumeRolePolicy', ROLE('*'))) })] },
      /allows iam:UpdateAssumeRolePolicy$/,
    ],
    [
      'a conditioned Allow "*" (it still counts, named as conditioned)',
      {
        users: [
          user('alice', {
            inline: doc(
              allow('*', '*', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }),
            ),
          }),
        ],
      },
      /allows "\*", conditioned$/,
    ],
    [
      'Allow "*" with a conditioned Deny of iam:* (a condition may not hold)',
      {
        users: [
          user('alice', {
            inline: doc(
              allow('*'),
              deny('iam:*', '*', { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }),
            ),
          }),
        ],
      },
      /allows "\*"$/,
    ],
    [
      'Allow "*" with an unconditional Deny of ec2:* only',
      { users: [user('alice', { inline: doc(allow('*'), deny('ec2:*')) })] },
      /allows "\*"$/,
    ],
    [
      'Allow "*" with a Deny of iam:PutUserPolicy on another user only',
      {
        users: [
          user('alice', {
            inline: doc(allow('iam:PutUserPolicy'), deny('iam:PutUserPolicy', userArn('bob'))),
          }),
        ],
      },
      /allows iam:PutUserPolicy$/,
    ],
    [
      'a permissions boundary that allows iam:*',
      {
        users: [user('alice', { inline: doc(allow('*')), boundary: CUSTOMER('Boundary') })],
        customer: { [CUSTOMER('Boundary')]: doc(allow('iam:*')) },
      },
      /allows "\*"$/,
    ],
    [
      'sts:AssumeRole on a role with AdministratorAccess whose trust admits the account root',
      {
        users: [user('alice', { inline: doc(allow('sts:AssumeRole', ROLE('Admin'))) })],
        roles: [ADMIN_ROLE],
      },
      /^may assume role Admin, whose AWS-managed AdministratorAccess allows "\*"$/,
    ],
    [
      'sts:AssumeRole on role/* and a role trusting the account id',
      {
        users: [user('alice', { inline: doc(allow('sts:AssumeRole', ROLE('*'))) })],
        roles: [role('Ops', trusting(ACCOUNT), { inline: doc(allow('iam:*')) })],
      },
      /^may assume role Ops, whose inline policy Ops-inline allows iam:\* \(iam:PutRolePolicy\)$/,
    ],
    [
      'a role whose trust names the user: no identity permission needed',
      {
        users: [user('alice')],
        roles: [
          role('BreakGlass', trusting(userArn('alice')), {
            managed: [awsManagedArn('AdministratorAccess')],
          }),
        ],
      },
      /^may assume role BreakGlass, whose AWS-managed AdministratorAccess allows "\*"$/,
    ],
    [
      'a conditioned trust (MFA required) still admits, named as conditioned',
      {
        users: [user('alice', { inline: doc(allow('sts:AssumeRole')) })],
        roles: [
          role(
            'Admin',
            doc({
              Effect: 'Allow',
              Principal: { AWS: ROOT },
              Action: 'sts:AssumeRole',
              Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
            }),
            {
              managed: [awsManagedArn('AdministratorAccess')],
            },
          ),
        ],
      },
      /^may assume role Admin \(trust conditioned\), whose AWS-managed AdministratorAccess/,
    ],
    [
      'Allow "*" with Deny iam:* (sts left) and an administrator role trusting the account',
      { users: [user('alice', { inline: doc(allow('*'), deny('iam:*')) })], roles: [ADMIN_ROLE] },
      /^may assume role Admin/,
    ],
    [
      'an inline policy that cannot be read',
      { users: [user('alice', { inline: '%7B%22Statement' })] },
      /^inline policy alice-inline could not be read \(not JSON\), so counted$/,
    ],
    [
      'a managed policy whose document was not returned',
      { users: [user('alice', { managed: [CUSTOMER('Ghost')] })] },
      /^customer-managed Ghost could not be read \(its document was not returned\), so counted$/,
    ],
    [
      'the tag in another case (MFA-Privileged=TRUE)',
      { users: [user('alice', { tags: { 'MFA-Privileged': 'TRUE' } })] },
      /^tag MFA-Privileged=true$/,
    ],
  ])('%s', (_label, account, named) => {
    // Act
    const result = alice(account);

    // Assess
    expect(result.privilege.length).toBeGreaterThan(0);
    expect(describePrivilege(result.privilege.slice(0, 1))).toMatch(named);
  });

  it('a listed policy counts as well (PrivilegedPolicyArns), whatever it allows', () => {
    const result = alice(
      { users: [user('alice', { managed: [awsManagedArn('PowerUserAccess')] })] },
      { privilegedPolicyArns: [awsManagedArn('PowerUserAccess')] },
    );
    expect(describePrivilege(result.privilege)).toBe('listed policy PowerUserAccess');
  });

  it('names the first reason and counts the others', () => {
    const result = alice({
      users: [
        user('alice', {
          inline: doc(allow('*')),
          managed: [awsManagedArn('AdministratorAccess')],
          tags: { 'mfa-privileged': 'true' },
        }),
      ],
    });
    expect(describePrivilege(result.privilege)).toBe(
      'inline policy alice-inline allows "*" and 1 more',
    );
  });
});

describe('not privileged', () => {
  it.each<[string, Account, RegExp?]>([
    ['ReadOnlyAccess', { users: [user('alice', { managed: [awsManagedArn('ReadOnlyAccess')] })] }],
    [
      'iam:Get* and iam:List* only',
      { users: [user('alice', { inline: doc(allow(['iam:Get*', 'iam:List*'])) })] },
    ],
    [
      'PowerUserAccess (rewrites no permission)',
      { users: [user('alice', { managed: [awsManagedArn('PowerUserAccess')] })] },
    ],
    [
      'Allow "*" with an unconditional Deny of iam:* and sts:*, beside an administrator role trusting the account',
      {
        users: [user('alice', { inline: doc(allow('*'), deny(['iam:*', 'sts:*'])) })],
        roles: [ADMIN_ROLE],
      },
    ],
    [
      '"*" on one bucket only',
      {
        users: [
          user('alice', { inline: doc(allow('*', ['arn:aws:s3:::logs', 'arn:aws:s3:::logs/*'])) }),
        ],
      },
    ],
    [
      'iam:CreateAccessKey and iam:UpdateLoginProfile on its own user only (self-service)',
      {
        users: [
          user('alice', {
            inline: doc(
              allow(
                ['iam:CreateAccessKey', 'iam:UpdateLoginProfile'],
                'arn:aws:iam::*:user/${aws:username}',
              ),
            ),
          }),
        ],
      },
    ],
    [
      'iam:PutUserPolicy on another named user',
      { users: [user('alice', { inline: doc(allow('iam:PutUserPolicy', userArn('bob'))) })] },
    ],
    [
      'iam:CreatePolicyVersion on a named policy not attached to it',
      {
        users: [
          user('alice', { inline: doc(allow('iam:CreatePolicyVersion', CUSTOMER('Other'))) }),
        ],
      },
    ],
    [
      'an assumable role that is not administrator-equivalent',
      {
        users: [user('alice', { inline: doc(allow('sts:AssumeRole')) })],
        roles: [role('Reader', trusting(ROOT), { managed: [awsManagedArn('ReadOnlyAccess')] })],
      },
      /1 assumable role examined/,
    ],
    [
      'an administrator role whose trust does not admit the user',
      {
        users: [user('alice', { inline: doc(allow('sts:AssumeRole')) })],
        roles: [
          role('Admin', trusting(userArn('bob')), {
            managed: [awsManagedArn('AdministratorAccess')],
          }),
          role(
            'Lambda',
            doc({
              Effect: 'Allow',
              Principal: { Service: 'lambda.amazonaws.com' },
              Action: 'sts:AssumeRole',
            }),
            { managed: [awsManagedArn('AdministratorAccess')] },
          ),
        ],
      },
      /0 assumable roles examined/,
    ],
    [
      'an administrator role trusting the account, without sts:AssumeRole for the user',
      {
        users: [user('alice', { managed: [awsManagedArn('ReadOnlyAccess')] })],
        roles: [ADMIN_ROLE],
      },
    ],
    [
      'an administrator role whose trust denies the user outright',
      {
        users: [user('alice')],
        roles: [
          role(
            'Admin',
            doc(
              { Effect: 'Allow', Principal: { AWS: userArn('alice') }, Action: 'sts:AssumeRole' },
              { Effect: 'Deny', Principal: { AWS: userArn('alice') }, Action: 'sts:AssumeRole' },
            ),
            {
              managed: [awsManagedArn('AdministratorAccess')],
            },
          ),
        ],
      },
    ],
    [
      'Allow "*" within a ReadOnlyAccess permissions boundary, which the annotation names',
      {
        users: [
          user('alice', { inline: doc(allow('*')), boundary: awsManagedArn('ReadOnlyAccess') }),
        ],
      },
      /boundary ReadOnlyAccess removes iam:PutUserPolicy, iam:AttachUserPolicy/,
    ],
    [
      'the tag with another value',
      { users: [user('alice', { tags: { 'mfa-privileged': 'yes' } })] },
    ],
    // A rest parameter: jest takes a third declared parameter for a done callback.
  ])('%s', (...[, account, examined]) => {
    // Act
    const result = alice(account);

    // Assess
    expect(result.privilege).toEqual([]);
    if (examined) {
      const { boundary, assumableRoles } = result.examined;
      const text = `${String(assumableRoles)} assumable role${assumableRoles === 1 ? '' : 's'} examined; ${boundary ? `boundary ${boundary.name} removes ${boundary.removed.join(', ')}` : ''}`;
      expect(text).toMatch(examined);
    }
  });

  it('says what was examined: policies (own and its groups), groups and assumable roles', () => {
    const result = alice({
      users: [
        user('alice', {
          inline: doc(allow('s3:*')),
          managed: [awsManagedArn('ReadOnlyAccess')],
          groups: ['dev'],
        }),
      ],
      groups: [group('dev', doc(allow('ec2:Describe*')), [awsManagedArn('ReadOnlyAccess')])],
    });
    expect(result.examined).toEqual({ policies: 4, groups: 1, assumableRoles: 0 });
  });
});

describe('reading policies', () => {
  it('reads URL-encoded documents, as IAM returns them, and plain JSON', () => {
    const text = JSON.stringify(doc(allow('iam:*')));
    expect(parsePolicy(encodeURIComponent(text))).toMatchObject({
      ok: true,
      statements: [{ effect: 'Allow' }],
    });
    expect(parsePolicy(text)).toMatchObject({ ok: true });
    expect(
      parsePolicy({ Statement: { Effect: 'Deny', Action: '*', Resource: '*' } }),
    ).toMatchObject({ ok: true });
  });

  it.each([
    ['%E0%A4%A', 'not URL-encoded JSON'],
    ['{"Statement":', 'not JSON'],
    ['[]', 'not a JSON object'],
    [
      JSON.stringify({ Statement: [{ Effect: 'allow', Action: '*', Resource: '*' }] }),
      'statement 1: Effect "allow"',
    ],
    [
      JSON.stringify({ Statement: [{ Effect: 'Allow', Resource: '*' }] }),
      'statement 1: no Action or NotAction',
    ],
    [
      JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 3, Resource: '*' }] }),
      'statement 1: Action is not a string or a list of strings',
    ],
  ])('refuses %s: %s', (document, problem) => {
    expect(parsePolicy(document)).toEqual({ ok: false, problem });
  });

  it.each([
    ['*', 'iam:PutUserPolicy', true],
    ['iam:*', 'IAM:PUTUSERPOLICY', true],
    ['iam:Put?serPolicy', 'iam:PutUserPolicy', true],
    ['iam:Get*', 'iam:PutUserPolicy', false],
    ['s3:*', 'iam:PutUserPolicy', false],
  ])('action %s matches %s: %s', (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });

  const vars = new Map([['aws:username', 'alice']]);
  const resource = (...patterns: string[]): ElementMatch => ({ not: false, patterns });
  it.each<[string, ElementMatch, 'Allow' | 'Deny', boolean]>([
    ['${aws:username} resolves', resource('arn:aws:iam::*:user/${aws:username}'), 'Allow', true],
    [
      'an unknown variable matches anything in an Allow',
      resource('arn:aws:iam::*:user/${aws:PrincipalTag/team}'),
      'Allow',
      true,
    ],
    [
      'an unknown variable matches nothing in a Deny',
      resource('arn:aws:iam::*:user/${aws:PrincipalTag/team}'),
      'Deny',
      false,
    ],
    ['ARNs in another case match an Allow', resource(userArn('ALICE')), 'Allow', true],
    ['ARNs in another case do not match a Deny', resource(userArn('ALICE')), 'Deny', false],
    ['NotResource excluding the user', { not: true, patterns: [userArn('alice')] }, 'Allow', false],
    ['NotResource excluding others', { not: true, patterns: [userArn('bob')] }, 'Allow', true],
    ['${*} is a literal asterisk', resource('arn:aws:iam::*:user/a${*}'), 'Allow', false],
  ])('%s', (_label, match, effect, expected) => {
    expect(coversResource(match, userArn('alice'), vars, effect)).toBe(expected);
  });
});
