/**
 * The mocked AWS clients of the unit suites (aws-sdk-client-mock), set up once here instead of in
 * every file: importing this module mocks IAM, Config and STS for the test file (no call leaves
 * the process) and resets them before each test. Tests add their answers with `iam.on(…)` etc.
 */
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import {
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  IAMClient,
  ListUsersCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { listedUser, reportCsv, virtualDevicesFor, type TestUser } from './helpers';

export const iam = mockClient(IAMClient);
export const config = mockClient(ConfigServiceClient);
export const sts = mockClient(STSClient);

beforeEach(() => {
  iam.reset();
  config.reset();
  sts.reset();
});

export interface UserReads {
  /** When IAM generated the credential report (default 2026-01-01T00:00:00Z). */
  generated?: Date;
  /**
   * Virtual MFA devices: user name → serial, beside one for every row that shows MFA (so the
   * report's MFA stands as the bulk reads give it; a user the report shows with MFA and no virtual
   * device assigned gets ListMFADevices live: runtime/facts/users.ts, issue 22).
   */
  virtual?: Record<string, string>;
}

/**
 * The bulk reads of the users' facts: ListUsers (one page), a complete credential report with
 * `rows` (helpers.ts reportRow) and the virtual MFA devices.
 */
export function mockUserReads(users: TestUser[], rows: string[], options: UserReads = {}): void {
  iam.on(ListUsersCommand).resolves({ Users: users, IsTruncated: false });
  iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
  iam.on(GetCredentialReportCommand).resolves({
    Content: reportCsv(rows),
    GeneratedTime: options.generated ?? new Date('2026-01-01T00:00:00Z'),
    ReportFormat: 'text/csv',
  });
  iam.on(ListVirtualMFADevicesCommand).resolves({
    VirtualMFADevices: Object.entries({
      ...virtualDevicesFor(rows),
      ...options.virtual,
    }).map(([name, serial]) => ({
      SerialNumber: serial,
      User: listedUser(name),
    })),
    IsTruncated: false,
  });
}
