/**
 * Who iam-user-hardware-mfa counts as privileged: every decision row of the definition in
 * rules/iam-user-hardware-mfa/privilege.ts, on GetAccountAuthorizationDetails as IAM returns it
 * (URL-encoded documents). The policy reading beneath it (policy.ts):
 * iam-user-hardware-mfa-policy.test.ts.
 */
import { describePrivilege } from '../../rules/iam-user-hardware-mfa/rule';
import { allow, awsManagedArn, deny, doc } from '../support/iam-policies';
import { ACCOUNT, userArn } from './helpers';
import {
  Account,
  ADMIN_ROLE,
  alice,
  CUSTOMER,
  GROUP,
  group,
  ROLE,
  role,
  ROOT,
  trusting,
  user,
} from './iam-user-hardware-mfa-privilege-fixtures';

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
