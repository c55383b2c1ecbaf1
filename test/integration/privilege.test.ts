/**
 * iam-user-hardware-mfa against moto (AWS managed policies loaded) as an account administrator
 * would try to slip past it: administration granted by every route the definition covers, each
 * user holding a virtual MFA device only. Those it covers are NON_COMPLIANT, naming the grant;
 * those it does not stay NOT_APPLICABLE, saying what was examined.
 */
import { IAMClient, PutGroupPolicyCommand } from '@aws-sdk/client-iam';
import { logger } from '../../rules/runtime/logger';
import { motoClientConfig, TEST_ACCOUNT_ID, type SeededUser } from '../support/moto';
import {
  ADMINISTRATOR_ACCESS,
  HARDWARE_MOTO_ENV,
  seedHardwareUsers,
} from '../support/moto-hardware';
import { motoHandler, periodicEvent } from '../support/rule-runs';
import { storedEvaluations } from '../support/stored';
import { useMoto } from '../support/use-moto';

const RULE = 'iam-user-hardware-mfa';
const ROOT = `arn:aws:iam::${TEST_ACCOUNT_ID}:root`;
const VIRTUAL = [{ kind: 'virtual' as const }];
const allowAll = (action: string | string[], extra: object = {}) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: action, Resource: '*', ...extra }],
});
const trust = (principal: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }],
});

beforeAll(() => {
  logger.setLogLevel('SILENT');
});

describe(`${RULE}: privilege by what the policies allow, against moto`, () => {
  const endpoint = useMoto({ env: { ...HARDWARE_MOTO_ENV, MOTO_EXT_SHORT_PAGES: '1' } });
  let users: SeededUser[];
  let verdicts: Map<string, { compliance: string; annotation: string }>;

  beforeEach(async () => {
    users = await seedHardwareUsers(endpoint(), {
      policies: [
        { name: 'AdministratorAccess', document: allowAll('*') },
        { name: 'Everything', document: allowAll('*') },
      ],
      roles: [
        { name: 'OrgAdmin', trust: trust(ROOT), policies: [ADMINISTRATOR_ACCESS] },
        {
          name: 'Auditor',
          trust: trust(ROOT),
          policies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
        },
        {
          name: 'OtherTeamAdmin',
          trust: trust(`arn:aws:iam::${TEST_ACCOUNT_ID}:user/someone-else`),
          policies: [ADMINISTRATOR_ACCESS],
        },
      ],
      groups: [{ name: 'platform' }],
      users: [
        // Named in OtherTeamAdmin's trust: no identity permission needed to assume it.
        { name: 'someone-else', devices: VIRTUAL },
        // NON_COMPLIANT: administrator-equivalent by every route the definition covers.
        { name: 'inline-star', inline: allowAll('*'), devices: VIRTUAL },
        { name: 'group-inline-star', groups: ['platform'], devices: VIRTUAL },
        {
          name: 'fake-named-admin',
          policies: [`arn:aws:iam::${TEST_ACCOUNT_ID}:policy/AdministratorAccess`],
          devices: VIRTUAL,
        },
        { name: 'iam-star', inline: allowAll('iam:*'), devices: VIRTUAL },
        {
          name: 'iam-full-access',
          policies: ['arn:aws:iam::aws:policy/IAMFullAccess'],
          devices: VIRTUAL,
        },
        {
          name: 'not-s3',
          inline: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }],
          },
          devices: VIRTUAL,
        },
        { name: 'role-hopper', inline: allowAll('sts:AssumeRole'), devices: VIRTUAL },
        { name: 'tagged', tags: { 'MFA-Privileged': 'true' }, devices: VIRTUAL },
        // NOT_APPLICABLE: none of those routes.
        {
          name: 'read-only',
          policies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
          devices: VIRTUAL,
        },
        { name: 'iam-reader', inline: allowAll(['iam:Get*', 'iam:List*']), devices: VIRTUAL },
        {
          name: 'denied-iam-and-sts',
          inline: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: '*', Resource: '*' },
              { Effect: 'Deny', Action: ['iam:*', 'sts:*'], Resource: '*' },
            ],
          },
          devices: VIRTUAL,
        },
        {
          name: 'auditor-hopper',
          inline: allowAll('sts:AssumeRole', {
            Resource: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/Auditor`,
          }),
          devices: VIRTUAL,
        },
        {
          name: 'untrusted-hopper',
          inline: allowAll('sts:AssumeRole', {
            Resource: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/OtherTeamAdmin`,
          }),
          devices: VIRTUAL,
        },
      ],
    });
    // The group's inline "*": seeded through IAM, as an administrator would.
    const iam = new IAMClient(motoClientConfig(endpoint()));
    await iam.send(
      new PutGroupPolicyCommand({
        GroupName: 'platform',
        PolicyName: 'platform-all',
        PolicyDocument: JSON.stringify(allowAll('*')),
      }),
    );
    iam.destroy();
    await motoHandler(endpoint(), RULE)(periodicEvent(RULE));
    const stored = await storedEvaluations(endpoint(), RULE);
    const names = new Map(users.map((user) => [user.userId, user.name]));
    verdicts = new Map(
      stored.map((e) => [
        names.get(e.resourceId) ?? e.resourceId,
        { compliance: e.compliance, annotation: e.annotation ?? '' },
      ]),
    );
  });

  it.each([
    ['inline-star', 'inline policy inline-star-inline allows "*"'],
    ['group-inline-star', 'inline policy platform-all of group platform allows "*"'],
    ['fake-named-admin', 'customer-managed AdministratorAccess allows "*"'],
    ['iam-star', 'inline policy iam-star-inline allows iam:* (iam:PutUserPolicy)'],
    ['iam-full-access', 'AWS-managed IAMFullAccess allows iam:* (iam:PutUserPolicy)'],
    ['not-s3', 'inline policy not-s3-inline allows all but s3:* (iam:PutUserPolicy)'],
    ['role-hopper', 'may assume role OrgAdmin, whose AWS-managed AdministratorAccess allows "*"'],
    ['tagged', 'tag MFA-Privileged=true'],
    ['someone-else', 'may assume role OtherTeamAdmin, whose AWS-managed AdministratorAccess'],
  ])('%s (virtual MFA device) is NON_COMPLIANT, naming the grant', (name, grant) => {
    const verdict = verdicts.get(name);
    expect(verdict?.compliance).toBe('NON_COMPLIANT');
    expect(verdict?.annotation).toContain(`(privileged: ${grant}`);
    expect(verdict?.annotation).toContain('has a virtual MFA device');
  });

  it.each([
    ['read-only', 0],
    ['iam-reader', 0],
    ['denied-iam-and-sts', 0],
    ['auditor-hopper', 1],
    ['untrusted-hopper', 0],
  ])('%s is NOT_APPLICABLE, saying what was examined', (name, roles) => {
    const verdict = verdicts.get(name);
    expect(verdict?.compliance).toBe('NOT_APPLICABLE');
    expect(verdict?.annotation).toMatch(
      new RegExp(
        `^User ${name} is not privileged: no identity policy allows administrator-equivalent actions \\(\\d+ polic(y|ies), \\d+ groups?, ${roles} assumable roles? examined; no tag mfa-privileged=true; IAM, read live at \\S+Z\\): hardware MFA does not apply\\.$`,
      ),
    );
  });
});
