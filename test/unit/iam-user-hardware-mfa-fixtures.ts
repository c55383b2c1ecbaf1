/** What the iam-user-hardware-mfa unit suites share: account details, devices and certifications on a mocked IAM, the rule run through gather and evaluate. */
import {
  GetAccountAuthorizationDetailsCommand,
  GetMFADeviceCommand,
  ListMFADevicesCommand,
  type GroupDetail,
  type UserDetail,
} from '@aws-sdk/client-iam';
import { iam } from './aws-mocks';
import { rule } from '../../rules/iam-user-hardware-mfa/rule';
import { parseParameters } from '../../rules/runtime/parameters';
import { type Evaluation, type Scope } from '../../rules/runtime/types';
import {
  allow,
  awsManagedDetails,
  doc,
  managedPolicyDetail,
  type PolicyDocument,
} from '../support/iam-policies';
import { ACCOUNT, gatherContext, userArn } from './helpers';

export const ALL: Scope = { kind: 'all' };
export const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
export const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
export const BREAK_GLASS = `arn:aws:iam::${ACCOUNT}:policy/BreakGlass`;
export const FAKE_ADMIN = `arn:aws:iam::${ACCOUNT}:policy/AdministratorAccess`;
/** Customer-managed policies of these tests, with their documents. */
export const CUSTOMER: Record<string, PolicyDocument> = {
  [BREAK_GLASS]: doc(allow('s3:GetObject')),
  [FAKE_ADMIN]: doc(allow('s3:GetObject')),
};
export const FILTER = ['User', 'Group', 'Role', 'LocalManagedPolicy', 'AWSManagedPolicy'];
export const VIRTUAL = (name: string) => `arn:aws:iam::${ACCOUNT}:mfa/${name}`;
export const FIDO = (name: string, key = 'key-1') =>
  `arn:aws:iam::${ACCOUNT}:u2f/user/${name}/${key}`;
export const HARDWARE = 'GAHT12345678';
export const CERTIFIED = { 'FIDO Certification': 'L1', 'FIPS-140-3': 'L2' };

export interface Spec {
  name: string;
  policies?: string[];
  groups?: string[];
  tags?: Record<string, string>;
}

export function userDetail({ name, policies = [], groups = [], tags = {} }: Spec): UserDetail {
  return {
    UserName: name,
    UserId: `AIDA${name.toUpperCase()}`,
    Arn: userArn(name),
    Path: '/',
    CreateDate: new Date('2024-01-01T00:00:00Z'),
    GroupList: groups,
    AttachedManagedPolicies: policies.map((arn) => ({
      PolicyArn: arn,
      PolicyName: arn.split('/').pop(),
    })),
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  };
}

export function group(name: string, policies: string[]): GroupDetail {
  return {
    GroupName: name,
    GroupId: `AGPA${name.toUpperCase()}`,
    Arn: `arn:aws:iam::${ACCOUNT}:group/${name}`,
    AttachedManagedPolicies: policies.map((arn) => ({ PolicyArn: arn })),
  };
}

export function policies() {
  return [
    ...awsManagedDetails(),
    ...Object.entries(CUSTOMER).map(([arn, document]) => managedPolicyDetail(arn, document)),
  ];
}

export function mockDetails(users: Spec[], groups: GroupDetail[] = []): void {
  iam.on(GetAccountAuthorizationDetailsCommand).resolves({
    UserDetailList: users.map(userDetail),
    GroupDetailList: groups,
    Policies: policies(),
    IsTruncated: false,
  });
}

export function mockDevices(userName: string, serials: string[]): void {
  iam.on(ListMFADevicesCommand, { UserName: userName }).resolves({
    MFADevices: serials.map((SerialNumber) => ({
      SerialNumber,
      UserName: userName,
      EnableDate: new Date(),
    })),
    IsTruncated: false,
  });
}

export function mockCertifications(
  serial: string,
  certifications: Record<string, string> | undefined,
) {
  iam.on(GetMFADeviceCommand, { SerialNumber: serial }).resolves({
    SerialNumber: serial,
    ...(certifications ? { Certifications: certifications } : {}),
  });
}

export async function run(
  raw: Record<string, string> = {},
  scope: Scope = ALL,
): Promise<Evaluation[]> {
  const params = parseParameters(rule, raw) as Parameters<typeof rule.evaluate>[1];
  const facts = await rule.gather(gatherContext(), scope, params);
  return rule.evaluate(facts, params);
}

export function only(evaluations: Evaluation[]): Evaluation {
  const [first, ...rest] = evaluations;
  if (!first || rest.length > 0)
    throw new Error(`expected one evaluation, got ${evaluations.length}`);
  return first;
}
