/**
 * Regressions the bulk reads cannot see (issue 22): a user the credential report shows with MFA but
 * who has no virtual device assigned now gets ListMFADevices live; a user the change log names is
 * read live whole; a change log that cannot be read fails the run.
 */
import {
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  IAMClient,
  ListMFADevicesCommand,
  ListUsersCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { consoleCheck } from '../../rules/iam-user-console-mfa/rule';
import { userMfaCheck } from '../../rules/iam-user-mfa/rule';
import { DataLoadError } from '../../rules/runtime/errors';
import { gatherUsers, type UserCheck } from '../../rules/runtime/facts/users';
import type { GatherContext, UserChange } from '../../rules/runtime/types';
import { gatherContext, listedUser, reportCsv, reportRow } from './helpers';

const iam = mockClient(IAMClient);
const GENERATED = new Date('2026-01-01T00:00:00Z');
const ALL = { kind: 'all' } as const;
const CONSOLE = consoleCheck({ ExemptionTagKey: '' });
const ALL_USERS = userMfaCheck({ ExemptionTagKey: '' });

beforeEach(() => {
  iam.reset();
  iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
  iam.on(ListVirtualMFADevicesCommand).resolves({ VirtualMFADevices: [], IsTruncated: false });
  iam
    .on(GetLoginProfileCommand)
    .resolves({ LoginProfile: { UserName: 'x', CreateDate: GENERATED } });
});

function account(rows: Record<string, { password: boolean; mfa: boolean }>): void {
  const names = Object.keys(rows);
  iam.on(ListUsersCommand).resolves({ Users: names.map((n) => listedUser(n)), IsTruncated: false });
  iam.on(GetCredentialReportCommand).resolves({
    Content: reportCsv(
      names.map((n) => reportRow(n, rows[n]?.password ?? false, rows[n]?.mfa ?? false)),
    ),
    GeneratedTime: GENERATED,
    ReportFormat: 'text/csv',
  });
}

function devices(byUser: Record<string, string[]>): void {
  iam.on(ListMFADevicesCommand).callsFake((input: { UserName: string }) => ({
    MFADevices: (byUser[input.UserName] ?? []).map((SerialNumber) => ({
      UserName: input.UserName,
      SerialNumber,
      EnableDate: GENERATED,
    })),
  }));
}

const listedFor = () =>
  iam
    .commandCalls(ListMFADevicesCommand)
    .map((call) => call.args[0].input.UserName)
    .sort();

describe.each<[string, UserCheck]>([
  ['iam-user-console-mfa', CONSOLE],
  ['iam-user-mfa', ALL_USERS],
])('%s: MFA the report shows, no virtual device assigned now', (_name, check) => {
  it('a hardware token still listed: COMPLIANT from a live ListMFADevices, nothing else read', async () => {
    // Prepare
    account({ holder: { password: true, mfa: true } });
    devices({ holder: ['GAHT00000001'] });

    // Act
    const facts = await gatherUsers(gatherContext(), ALL, check);

    // Assess
    expect(facts.users).toEqual([
      expect.objectContaining({ userName: 'holder', mfaActive: true, evidence: 'live-mfa' }),
    ]);
    expect(facts.users[0]?.evidenceAt).toEqual(GENERATED);
    expect(listedFor()).toEqual(['holder']);
    expect(iam).toHaveReceivedCommandTimes(GetLoginProfileCommand, 0);
    expect(facts.mfaConfirmations).toBe(1);
    expect(facts.liveChecks).toBe(0);
  });

  it('no device any more: the user is checked live whole and has no MFA', async () => {
    // Prepare
    account({ remover: { password: true, mfa: true } });
    devices({});

    // Act
    const facts = await gatherUsers(gatherContext(), ALL, check);

    // Assess
    expect(facts.users).toEqual([
      expect.objectContaining({
        userName: 'remover',
        mfaActive: false,
        evidence: 'live',
        checkedLiveBecause: 'report-mfa-gone',
      }),
    ]);
    expect(check.verdict(facts.users[0] as never)).toBe('NON_COMPLIANT');
    expect(facts.liveChecks).toBe(1);
    expect(iam).toHaveReceivedCommandTimes(
      GetLoginProfileCommand,
      check.readsConsolePassword ? 1 : 0,
    );
  });

  it('a virtual device assigned now settles the report MFA in bulk: no per-user call', async () => {
    // Prepare
    account({ app: { password: true, mfa: true } });
    iam.on(ListVirtualMFADevicesCommand).resolves({
      VirtualMFADevices: [
        { SerialNumber: 'arn:aws:iam::123456789012:mfa/app', User: listedUser('app') },
      ],
      IsTruncated: false,
    });

    // Act
    const facts = await gatherUsers(gatherContext(), ALL, check);

    // Assess
    expect(facts.users[0]).toMatchObject({ evidence: 'credential-report', mfaActive: true });
    expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 0);
  });
});

it('console rule: a user without a console password is not confirmed (MFA does not decide)', async () => {
  // Prepare
  account({ apionly: { password: false, mfa: true } });

  // Act
  const facts = await gatherUsers(gatherContext(), ALL, CONSOLE);

  // Assess
  expect(facts.users[0]).toMatchObject({ evidence: 'credential-report' });
  expect(iam).toHaveReceivedCommandTimes(ListMFADevicesCommand, 0);
});

describe('the change log', () => {
  const withLog = (changes: UserChange[] | Error): GatherContext => ({
    ...gatherContext(),
    changeLog: {
      changes: (accountId) =>
        changes instanceof Error
          ? Promise.reject(changes)
          : Promise.resolve(accountId === '123456789012' ? changes : []),
    },
  });

  it('reads live whole every user changed since the report (minus the margin), by name or id', async () => {
    // Prepare: a password added after the report; the report shows none.
    account({
      newpass: { password: false, mfa: false },
      byid: { password: true, mfa: true },
      old: { password: true, mfa: true },
      quiet: { password: true, mfa: true },
    });
    iam.on(ListVirtualMFADevicesCommand).resolves({
      VirtualMFADevices: ['byid', 'old', 'quiet'].map((n) => ({
        SerialNumber: `arn:aws:iam::123456789012:mfa/${n}`,
        User: listedUser(n),
      })),
      IsTruncated: false,
    });
    devices({ byid: ['arn:aws:iam::123456789012:mfa/byid'] });
    const at = (ms: number) => new Date(GENERATED.getTime() + ms);

    // Act
    const facts = await gatherUsers(
      withLog([
        { userName: 'newpass', at: at(60_000), call: 'CreateLoginProfile' },
        { userId: 'AIDABYID', at: at(-60_000), call: 'EnableMFADevice' },
        { userName: 'old', at: at(-600_000), call: 'DeactivateMFADevice' },
      ]),
      ALL,
      CONSOLE,
    );

    // Assess
    const by = (n: string) => facts.users.find((u) => u.userName === n);
    expect(by('newpass')).toMatchObject({
      consolePassword: true,
      mfaActive: false,
      checkedLiveBecause: 'changed-since-report',
    });
    expect(by('byid')).toMatchObject({ checkedLiveBecause: 'changed-since-report' });
    expect(by('old')).toMatchObject({ evidence: 'credential-report' });
    expect(by('quiet')).toMatchObject({ evidence: 'credential-report' });
    expect(facts.changedSinceReport).toBe(2);
    expect(listedFor()).toEqual(['byid', 'newpass']);
  });

  it('a change log that cannot be read fails the run: no verdict rests on the report alone', async () => {
    // Prepare
    account({ someone: { password: true, mfa: true } });

    // Act
    const run = gatherUsers(withLog(new Error('ProvisionedThroughputExceeded')), ALL, CONSOLE);

    // Assess
    await expect(run).rejects.toThrow(DataLoadError);
    await expect(run).rejects.toThrow(/change log/);
  });
});
