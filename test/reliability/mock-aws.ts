/**
 * Benign mocked AWS for the reliability property and log tests (aws-sdk-client-mock): one account
 * (123456789012), the users given, a credential report for them, root with MFA.
 */
import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  IAMClient,
  ListMFADevicesCommand,
  ListUserTagsCommand,
  ListUsersCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { accountSummary } from '../unit/helpers';

export const ACCOUNT_ID = '123456789012';

export interface MockUser {
  name: string;
  id: string;
  consolePassword: boolean;
  mfa: boolean;
}

const CREATED = new Date('2024-01-02T03:04:05Z');

export function userArn(name: string): string {
  return `arn:aws:iam::${ACCOUNT_ID}:user/${name}`;
}

/** The credential report CSV for the users (header only when there are none). */
export function reportCsv(users: readonly MockUser[]): string {
  const header = 'user,arn,user_creation_time,password_enabled,mfa_active';
  const rows = users.map(
    (u) =>
      `${u.name},${userArn(u.name)},${CREATED.toISOString()},${String(u.consolePassword)},${String(u.mfa)}`,
  );
  return [header, ...rows].join('\n') + '\n';
}

export function mockAws(users: readonly MockUser[] = []) {
  const iam = mockClient(IAMClient);
  const config = mockClient(ConfigServiceClient);
  const sts = mockClient(STSClient);

  sts.on(GetCallerIdentityCommand).resolves({
    Account: ACCOUNT_ID,
    Arn: `arn:aws:iam::${ACCOUNT_ID}:user/x`,
    UserId: 'AIDAX',
  });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIAX',
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(Date.now() + 3_600_000),
    },
    AssumedRoleUser: {
      Arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/Auditor/mfa-config-rules`,
      AssumedRoleId: 'AROAX:mfa-config-rules',
    },
  });

  const listed = users.map((u) => ({
    UserName: u.name,
    UserId: u.id,
    Arn: userArn(u.name),
    Path: '/',
    CreateDate: CREATED,
  }));
  iam.on(ListUsersCommand).resolves({ Users: listed, IsTruncated: false });
  iam.on(GetUserCommand).resolves({
    User: { UserName: 'x', UserId: 'AIDAX', Arn: userArn('x'), Path: '/', CreateDate: CREATED },
  });
  iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
  iam.on(GetCredentialReportCommand).resolves({
    Content: new TextEncoder().encode(reportCsv(users)),
    GeneratedTime: new Date(),
    ReportFormat: 'text/csv',
  });
  iam.on(ListVirtualMFADevicesCommand).resolves({ VirtualMFADevices: [], IsTruncated: false });
  iam.on(ListMFADevicesCommand).resolves({ MFADevices: [], IsTruncated: false });
  iam.on(ListUserTagsCommand).resolves({ Tags: [], IsTruncated: false });
  iam.on(GetLoginProfileCommand).resolves({
    LoginProfile: { UserName: 'x', CreateDate: CREATED, PasswordResetRequired: false },
  });
  iam.on(GetAccountSummaryCommand).resolves(accountSummary());
  // iam-user-hardware-mfa: the same users, in no group and with no policy (none privileged).
  iam.on(GetAccountAuthorizationDetailsCommand).resolves({
    UserDetailList: listed,
    GroupDetailList: [],
    IsTruncated: false,
  });

  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });

  return { iam, config, sts };
}
