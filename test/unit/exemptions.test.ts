/**
 * Expiring exemptions (every user rule), the console rule's grace period, iam-user-mfa, and which
 * users' tags are read: each decision row, and the calls behind it.
 */
import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  ListMFADevicesCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { iam } from './aws-mocks';
import * as z from 'zod/mini';
import { consoleCheck, rule as consoleMfa } from '../../rules/iam-user-console-mfa/rule';
import { rule as userMfa, userMfaCheck } from '../../rules/iam-user-mfa/rule';
import {
  applyExemption,
  exemptionSettings,
  parseExemption,
  type ExemptionTag,
} from '../../rules/runtime/exemptions';
import { InvalidInputError } from '../../rules/runtime/errors';
import {
  gatherUsers,
  type UserCheck,
  type UserFacts,
  type UsersFacts,
} from '../../rules/runtime/facts/users';
import { parseParameters } from '../../rules/runtime/parameters';
import type { AnyRule, Evaluation } from '../../rules/runtime/types';
import {
  awsError,
  gatherContext,
  listedUser,
  reportCsv,
  reportRow,
  type TestUser,
} from './helpers';

const NOW = new Date('2026-11-30T10:00:00Z');
const GENERATED = new Date('2026-11-30T06:00:00Z');
const DEFAULTS = exemptionSettings({});
const BASE = {
  compliance: 'NON_COMPLIANT' as const,
  annotation: 'User alice has a console password and no MFA device (both facts checked live).',
};
const tag = (value: string | undefined): ExemptionTag => ({ read: true, value, at: NOW });

beforeEach(() => {
  iam.reset();
});

describe('applyExemption: a NON_COMPLIANT user with an exemption tag', () => {
  it.each<[string, string, RegExp]>([
    ['a date ahead', '2027-03-31 break-glass, approved by SEC-123', /exempt until 2027-03-31/],
    ['today (valid to the end of the day, UTC)', '2026-11-30 rotating the key', /until 2026-11-30/],
    ['exactly MaxExemptionDays ahead', '2027-11-30 yearly review', /until 2027-11-30/],
  ])('%s → NOT_APPLICABLE with the date and the reason', (_label, value, pattern) => {
    // Act
    const result = applyExemption(BASE, tag(value), DEFAULTS, 'alice');

    // Assess
    expect(result.compliance).toBe('NOT_APPLICABLE');
    expect(result.annotation).toMatch(pattern);
    expect(result.annotation).toContain(value.slice(11));
    expect(result.annotation).toContain('(tag mfa-exemption)');
    expect(result.annotation).toContain(`Without it: ${BASE.annotation}`);
  });

  it('an expired date → NON_COMPLIANT, "exemption expired on …"', () => {
    // Act
    const result = applyExemption(BASE, tag('2026-11-29 ended yesterday'), DEFAULTS, 'alice');

    // Assess
    expect(result.compliance).toBe('NON_COMPLIANT');
    expect(result.annotation).toMatch(/^User alice: exemption expired on 2026-11-29 /);
    expect(result.annotation).toContain(BASE.annotation);
  });

  it.each([
    ['no date', 'forever', 'no YYYY-MM-DD date at the start'],
    ['no reason', '2027-01-01', 'no reason after the date'],
    ['not a calendar date', '2027-02-30 leap?', '2027-02-30 is not a calendar date'],
    ['another date format', '31/03/2027 ops', 'no YYYY-MM-DD date at the start'],
    ['an empty value', '', 'no YYYY-MM-DD date at the start'],
  ])('%s → NON_COMPLIANT, "exemption tag unreadable: …"', (_label, value, problem) => {
    // Act
    const result = applyExemption(BASE, tag(value), DEFAULTS, 'alice');

    // Assess
    expect(result.compliance).toBe('NON_COMPLIANT');
    expect(result.annotation).toContain('exemption tag unreadable: mfa-exemption=');
    expect(result.annotation).toContain(problem);
  });

  it('a date beyond MaxExemptionDays → NON_COMPLIANT, "exemption longer than … days"', () => {
    // Act
    const byDefault = applyExemption(BASE, tag('2027-12-01 too long'), DEFAULTS, 'alice');
    const tighter = applyExemption(
      BASE,
      tag('2026-12-31 month end'),
      exemptionSettings({ MaxExemptionDays: 30 }),
      'alice',
    );

    // Assess
    expect(byDefault.compliance).toBe('NON_COMPLIANT');
    expect(byDefault.annotation).toContain('exemption longer than 365 days');
    expect(byDefault.annotation).toContain('366 days from 2026-11-30');
    expect(tighter.compliance).toBe('NON_COMPLIANT');
    expect(tighter.annotation).toContain('exemption longer than 30 days');
  });

  it.each<[string, Pick<Evaluation, 'compliance' | 'annotation'>]>([
    ['COMPLIANT', { compliance: 'COMPLIANT', annotation: 'User alice has MFA.' }],
    ['NOT_APPLICABLE', { compliance: 'NOT_APPLICABLE', annotation: 'No console password.' }],
  ])('never changes a %s verdict, whatever the tag says', (_label, verdict) => {
    for (const value of ['2027-01-01 ok', '2020-01-01 expired', 'garbage']) {
      expect(applyExemption(verdict, tag(value), DEFAULTS, 'alice')).toEqual(verdict);
    }
  });

  it('changes nothing without the tag, with tags unread, or with ExemptionTagKey empty', () => {
    const off = exemptionSettings({ ExemptionTagKey: '' });
    expect(off.tagKey).toBeUndefined();
    expect(applyExemption(BASE, tag(undefined), DEFAULTS, 'alice')).toEqual(BASE);
    expect(applyExemption(BASE, { read: false }, DEFAULTS, 'alice')).toEqual(BASE);
    expect(applyExemption(BASE, tag('2027-01-01 ok'), off, 'alice')).toEqual(BASE);
  });

  it('keeps the annotation within 256 characters after clamping, the exemption first', () => {
    // Act
    const result = applyExemption(
      BASE,
      tag(`2026-01-01 ${'a very long reason '.repeat(20)}`),
      DEFAULTS,
      'alice',
    );

    // Assess: the reason is cut at 80 characters, so the exemption's problem survives the 256 cap.
    expect(result.annotation.indexOf('exemption expired on 2026-01-01')).toBeLessThan(40);
    expect(result.annotation).toContain('…');
  });

  it('parses a reason with spaces and trims it', () => {
    expect(parseExemption('  2027-01-15   waiting for the YubiKey  ')).toEqual({
      date: '2027-01-15',
      until: new Date('2027-01-15T00:00:00Z'),
      reason: 'waiting for the YubiKey',
    });
  });
});

describe('parameters arrive as strings from Config', () => {
  it.each<[AnyRule, Record<string, string>, RegExp]>([
    [consoleMfa, { GracePeriodDays: 'seven' }, /GracePeriodDays must be a whole number/],
    [consoleMfa, { GracePeriodDays: '-1' }, /GracePeriodDays must be a whole number from 0/],
    [consoleMfa, { GracePeriodDays: '1.5' }, /GracePeriodDays/],
    [consoleMfa, { MaxExemptionDays: '0' }, /MaxExemptionDays must be a whole number from 1/],
    [userMfa, { MaxExemptionDays: 'a year' }, /MaxExemptionDays/],
    [userMfa, { ExemptionTagKey: 'bad*key' }, /ExemptionTagKey must be an IAM tag key/],
    [userMfa, { GracePeriodDays: '7' }, /GracePeriodDays/],
  ])('%#: a malformed value is one line naming the parameter', (rule, raw, pattern) => {
    // Act
    const parse = () => parseParameters(rule, raw);

    // Assess
    expect(parse).toThrow(InvalidInputError);
    expect(parse).toThrow(pattern);
    try {
      parse();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('parses whole numbers (with spaces) and applies the documented defaults', () => {
    expect(parseParameters(consoleMfa, { GracePeriodDays: ' 7 ' })).toMatchObject({
      GracePeriodDays: 7,
      MaxExemptionDays: 365,
      ExemptionTagKey: 'mfa-exemption',
    });
    expect(parseParameters(userMfa, {})).toMatchObject({
      MaxExemptionDays: 365,
      ExemptionTagKey: 'mfa-exemption',
    });
  });
});

function user(overrides: Partial<UserFacts> = {}): UserFacts {
  return {
    userName: 'alice',
    userId: 'AIDAALICE',
    arn: 'arn:aws:iam::123456789012:user/alice',
    consolePassword: true,
    mfaActive: false,
    exemptionTag: { read: true, value: undefined, at: NOW },
    evidence: 'live',
    evidenceAt: NOW,
    checkedLiveBecause: 'flagged',
    ...overrides,
  };
}

function facts(users: UserFacts[]): UsersFacts {
  return { users, departed: [], liveChecks: users.length, newerOnRecord: 0, tagReads: 0 };
}

const consoleParams = (raw: Record<string, string> = {}) =>
  z.strictObject(consoleMfa.parameters).parse(raw);
const userMfaParams = (raw: Record<string, string> = {}) =>
  z.strictObject(userMfa.parameters).parse(raw);
const daysBefore = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

describe('iam-user-console-mfa: GracePeriodDays', () => {
  it('a user younger than the grace, without MFA → NOT_APPLICABLE, "MFA due by"', () => {
    // Act
    const [evaluation] = consoleMfa.evaluate(
      facts([user({ userCreatedAt: daysBefore(2) })]),
      consoleParams({ GracePeriodDays: '7' }),
    );

    // Assess
    expect(evaluation?.compliance).toBe('NOT_APPLICABLE');
    expect(evaluation?.annotation).toContain('MFA due by 2026-12-05');
    expect(evaluation?.annotation).toContain(
      `7-day grace for new users, from the user's creation on ${daysBefore(2)
        .toISOString()
        .replace(/\.\d+Z$/, 'Z')}`,
    );
  });

  it.each([
    ['older than the grace', { GracePeriodDays: '7' }, 8],
    ['exactly as old as the grace', { GracePeriodDays: '7' }, 7],
    ['created today but no grace (default 0)', {}, 0.5],
  ])('a user %s → NON_COMPLIANT', (_label, raw, age) => {
    // Act
    const [evaluation] = consoleMfa.evaluate(
      facts([user({ userCreatedAt: daysBefore(age) })]),
      consoleParams(raw),
    );

    // Assess
    expect(evaluation?.compliance).toBe('NON_COMPLIANT');
  });

  it('without a user creation time, gives no grace', () => {
    const [evaluation] = consoleMfa.evaluate(
      facts([user()]),
      consoleParams({ GracePeriodDays: '30' }),
    );
    expect(evaluation?.compliance).toBe('NON_COMPLIANT');
  });

  it('grace never touches a COMPLIANT user or one without a console password', () => {
    const [withMfa, apiOnly] = consoleMfa.evaluate(
      facts([
        user({ mfaActive: true, userCreatedAt: daysBefore(1) }),
        user({ userId: 'AIDABOB', userName: 'bob', consolePassword: false }),
      ]),
      consoleParams({ GracePeriodDays: '7' }),
    );
    expect(withMfa?.compliance).toBe('COMPLIANT');
    expect(apiOnly?.compliance).toBe('NOT_APPLICABLE');
    expect(apiOnly?.annotation).toContain('no console password');
  });

  it('after the grace, an exemption tag still applies; an expired one says so', () => {
    // Act
    const [exempt, expired] = consoleMfa.evaluate(
      facts([
        user({ exemptionTag: tag('2027-01-31 hardware key on order') }),
        user({ userId: 'AIDABOB', userName: 'bob', exemptionTag: tag('2026-10-01 old') }),
      ]),
      consoleParams(),
    );

    // Assess
    expect(exempt?.compliance).toBe('NOT_APPLICABLE');
    expect(exempt?.annotation).toMatch(/^User alice is exempt until 2027-01-31/);
    expect(expired?.compliance).toBe('NON_COMPLIANT');
    expect(expired?.annotation).toMatch(/^User bob: exemption expired on 2026-10-01/);
  });

  it('reads the exemption tag under the configured key only', () => {
    const [evaluation] = consoleMfa.evaluate(
      facts([user({ exemptionTag: tag('2027-01-31 approved') })]),
      consoleParams({ ExemptionTagKey: 'security:mfa-waiver' }),
    );
    expect(evaluation?.annotation).toContain('(tag security:mfa-waiver)');
  });
});

describe('iam-user-mfa verdicts', () => {
  it.each<[string, Partial<UserFacts>, string, RegExp]>([
    [
      'MFA from the report, console password',
      { mfaActive: true, evidence: 'credential-report' },
      'COMPLIANT',
      /has an MFA device \(credential report of /,
    ],
    [
      'MFA, API access only',
      { mfaActive: true, consolePassword: false, evidence: 'credential-report' },
      'COMPLIANT',
      /has an MFA device/,
    ],
    [
      'a virtual device assigned now',
      { mfaActive: true, evidence: 'virtual-mfa' },
      'COMPLIANT',
      /a virtual device assigned now/,
    ],
    [
      'no MFA, API access only (no password read)',
      { consolePassword: undefined },
      'NON_COMPLIANT',
      /has no MFA device \(MFA devices listed live at .*\)\. Fix:/,
    ],
    [
      'no MFA, exempt',
      { exemptionTag: tag('2027-02-01 service account, migrating to roles') },
      'NOT_APPLICABLE',
      /exempt until 2027-02-01/,
    ],
  ])('%s → %s', (_label, overrides, expected, annotation) => {
    // Act
    const [evaluation] = userMfa.evaluate(facts([user(overrides)]), userMfaParams());

    // Assess
    expect(evaluation?.compliance).toBe(expected);
    expect(evaluation?.annotation).toMatch(annotation);
  });
});

describe('which users get ListUserTags (mocked IAM)', () => {
  const users: TestUser[] = ['good', 'apionly', 'virtual', 'flagged', 'exempt', 'fixed'].map(
    (name) => listedUser(name),
  );

  function mockAccount(): void {
    iam.on(ListUsersCommand).resolves({ Users: users, IsTruncated: false });
    iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
    iam.on(GetCredentialReportCommand).resolves({
      Content: reportCsv([
        reportRow('good', true, true),
        reportRow('apionly', false, false),
        reportRow('virtual', true, false),
        reportRow('flagged', true, false),
        reportRow('exempt', true, false),
        reportRow('fixed', true, false),
      ]),
      GeneratedTime: GENERATED,
    });
    iam.on(ListVirtualMFADevicesCommand).resolves({
      VirtualMFADevices: [
        { SerialNumber: 'arn:aws:iam::123456789012:mfa/v', User: listedUser('virtual') },
        { SerialNumber: 'arn:aws:iam::123456789012:mfa/good', User: listedUser('good') },
      ],
      IsTruncated: false,
    });
    iam.on(GetLoginProfileCommand).resolves({
      LoginProfile: { UserName: 'x', CreateDate: daysBefore(100) },
    });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iam.on(ListMFADevicesCommand, { UserName: 'fixed' }).resolves({
      MFADevices: [{ UserName: 'fixed', SerialNumber: 'GAHT1234', EnableDate: NOW }],
    });
    iam.on(ListUserTagsCommand).resolves({ Tags: [], IsTruncated: false });
    iam.on(ListUserTagsCommand, { UserName: 'exempt' }).resolves({
      Tags: [{ Key: 'mfa-exemption', Value: '2027-01-01 approved' }],
      IsTruncated: false,
    });
  }

  const tagReadsFor = () =>
    iam.commandCalls(ListUserTagsCommand).map((call) => call.args[0].input.UserName);

  it('console rule: only the users still NON_COMPLIANT after the live check', async () => {
    // Prepare
    mockAccount();

    // Act
    const result = await gatherUsers(gatherContext(), { kind: 'all' }, consoleCheck({}));

    // Assess
    expect(tagReadsFor().sort()).toEqual(['exempt', 'flagged']);
    expect(result.tagReads).toBe(2);
    expect(iam.commandCalls(GetLoginProfileCommand).map((c) => c.args[0].input.UserName)).toEqual(
      expect.arrayContaining(['flagged', 'exempt', 'fixed']),
    );
    const verdicts = Object.fromEntries(
      consoleMfa
        .evaluate(result, consoleParams())
        .map((evaluation) => [evaluation.resourceName, evaluation.compliance]),
    );
    expect(verdicts).toEqual({
      good: 'COMPLIANT',
      apionly: 'NOT_APPLICABLE',
      virtual: 'COMPLIANT',
      flagged: 'NON_COMPLIANT',
      exempt: 'NOT_APPLICABLE',
      fixed: 'COMPLIANT',
    });
  });

  it('console rule: no tag reads for users in their grace, none with ExemptionTagKey empty', async () => {
    // Prepare: every user created a day ago.
    mockAccount();
    iam.on(ListUsersCommand).resolves({
      Users: users.map((u) => ({ ...u, CreateDate: new Date(Date.now() - 86_400_000) })),
      IsTruncated: false,
    });

    // Act
    await gatherUsers(gatherContext(), { kind: 'all' }, consoleCheck({ GracePeriodDays: 7 }));
    const inGrace = tagReadsFor();
    iam.resetHistory();
    await gatherUsers(gatherContext(), { kind: 'all' }, consoleCheck({ ExemptionTagKey: '' }));

    // Assess
    expect(inGrace).toEqual([]);
    expect(iam).toHaveReceivedCommandTimes(ListUserTagsCommand, 0);
  });

  it('iam-user-mfa: ListMFADevices alone for flagged users (no GetLoginProfile), tags for the rest NON_COMPLIANT', async () => {
    // Prepare
    mockAccount();

    // Act
    const result = await userMfa.gather(gatherContext(), { kind: 'all' }, userMfaParams());
    const verdicts = Object.fromEntries(
      userMfa
        .evaluate(result, userMfaParams())
        .map((evaluation) => [evaluation.resourceName, evaluation.compliance]),
    );

    // Assess
    expect(iam).toHaveReceivedCommandTimes(GetLoginProfileCommand, 0);
    expect(
      iam
        .commandCalls(ListMFADevicesCommand)
        .map((c) => c.args[0].input.UserName)
        .sort(),
    ).toEqual(['apionly', 'exempt', 'fixed', 'flagged']);
    expect(tagReadsFor().sort()).toEqual(['apionly', 'exempt', 'flagged']);
    expect(verdicts).toEqual({
      good: 'COMPLIANT',
      apionly: 'NON_COMPLIANT',
      virtual: 'COMPLIANT',
      flagged: 'NON_COMPLIANT',
      exempt: 'NOT_APPLICABLE',
      fixed: 'COMPLIANT',
    });
  });

  it('a user deleted before the tag read is departed, and a failed tag read fails the run', async () => {
    // Prepare
    mockAccount();
    iam.on(ListUserTagsCommand, { UserName: 'flagged' }).rejects(awsError('NoSuchEntityException'));
    iam.on(ListUserTagsCommand, { UserName: 'exempt' }).rejects(awsError('AccessDenied'));

    // Act
    const run = gatherUsers(gatherContext(), { kind: 'all' }, consoleCheck({}));

    // Assess
    await expect(run).rejects.toThrow(/cannot read the tags of user AIDAEXEMPT: AccessDenied/);
    iam.on(ListUserTagsCommand, { UserName: 'exempt' }).resolves({ Tags: [] });
    const facts = await gatherUsers(gatherContext(), { kind: 'all' }, consoleCheck({}));
    expect(facts.departed.map((gone) => gone.userName)).toEqual(['flagged']);
  });

  it('iam-user-mfa: many users to read → GetAccountAuthorizationDetails pages instead of ListUserTags', async () => {
    // Prepare: 12 users without MFA in a 12-user account (one bulk page is worth 10 tag reads).
    const many = Array.from({ length: 12 }, (_, i) => listedUser(`api${i}`));
    iam.on(ListUsersCommand).resolves({ Users: many, IsTruncated: false });
    iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
    iam.on(GetCredentialReportCommand).resolves({
      Content: reportCsv(many.map((u) => reportRow(u.UserName, false, false))),
      GeneratedTime: GENERATED,
    });
    iam.on(ListVirtualMFADevicesCommand).resolves({ VirtualMFADevices: [], IsTruncated: false });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iam
      .on(GetAccountAuthorizationDetailsCommand)
      .resolvesOnce({
        UserDetailList: many.slice(0, 6).map((u) => ({
          UserName: u.UserName,
          UserId: u.UserId,
          Tags: u.UserName === 'api1' ? [{ Key: 'mfa-exemption', Value: '2027-01-01 ok' }] : [],
        })),
        IsTruncated: true,
        Marker: 'page2',
      })
      .resolves({
        // api11 is missing: deleted after the live check.
        UserDetailList: many.slice(6, 11).map((u) => ({ UserName: u.UserName, UserId: u.UserId })),
        IsTruncated: false,
      });
    iam.on(ListUserTagsCommand).rejects(awsError('NoSuchEntityException'));

    // Act
    const result = await userMfa.gather(gatherContext(), { kind: 'all' }, userMfaParams());
    const evaluations = userMfa.evaluate(result, userMfaParams());

    // Assess
    expect(result.tagReadsInBulk).toBe(true);
    expect(iam).toHaveReceivedCommandTimes(GetAccountAuthorizationDetailsCommand, 2);
    expect(iam.commandCalls(GetAccountAuthorizationDetailsCommand)[1]?.args[0].input).toEqual({
      Filter: ['User'],
      MaxItems: 1000,
      Marker: 'page2',
    });
    expect(tagReadsFor()).toEqual(['api11']);
    expect(result.departed.map((gone) => gone.userName)).toEqual(['api11']);
    const byName = Object.fromEntries(evaluations.map((e) => [e.resourceName, e.compliance]));
    expect(byName.api1).toBe('NOT_APPLICABLE');
    expect(byName.api0).toBe('NON_COMPLIANT');
    expect(byName.api11).toBe('NOT_APPLICABLE');
  });

  it('console rule: never reads tags in bulk, however many users are flagged', async () => {
    // Prepare
    const many = Array.from({ length: 30 }, (_, i) => listedUser(`c${i}`));
    iam.on(ListUsersCommand).resolves({ Users: many, IsTruncated: false });
    iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
    iam.on(GetCredentialReportCommand).resolves({
      Content: reportCsv(many.map((u) => reportRow(u.UserName, true, false))),
      GeneratedTime: GENERATED,
    });
    iam.on(ListVirtualMFADevicesCommand).resolves({ VirtualMFADevices: [], IsTruncated: false });
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'x', CreateDate: GENERATED } });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iam.on(ListUserTagsCommand).resolves({ Tags: [], IsTruncated: false });

    // Act
    await gatherUsers(gatherContext(), { kind: 'all' }, consoleCheck({}));

    // Assess
    expect(iam).toHaveReceivedCommandTimes(GetAccountAuthorizationDetailsCommand, 0);
    expect(iam).toHaveReceivedCommandTimes(ListUserTagsCommand, 30);
  });
});

describe('what each user rule declares, against what it is granted', () => {
  it.each<[string, AnyRule, UserCheck]>([
    ['iam-user-console-mfa', consoleMfa, consoleCheck({})],
    ['iam-user-mfa', userMfa, userMfaCheck({})],
  ])('%s: its UserCheck reads only what its metadata grants', (_name, rule, check) => {
    // Assess: a read the check asks for without the action would fail as AccessDenied in AWS only.
    const actions = rule.metadata.iamActions;
    expect(actions.includes('iam:GetLoginProfile')).toBe(check.readsConsolePassword);
    expect(actions.includes('iam:GetAccountAuthorizationDetails')).toBe(check.bulkTagReads);
    expect(actions).toContain('iam:ListUserTags');
    expect(actions).toContain('iam:ListMFADevices');
  });
});
