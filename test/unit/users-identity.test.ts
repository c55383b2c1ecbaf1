/**
 * Users are known by id, and tags by key as IAM matches them, on every user rule's reads (mocked
 * IAM): a user renamed during a run, or since a change event's item was captured, keeps its
 * verdict; `MFA-Exemption` is the `mfa-exemption` tag; reasons are cut between code points.
 */
import {
  GetAccountAuthorizationDetailsCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  ListMFADevicesCommand,
  ListUsersCommand,
  ListUserTagsCommand,
} from '@aws-sdk/client-iam';
import { iam, mockUserReads } from './aws-mocks';
import { consoleCheck, rule as consoleMfa } from '../../rules/iam-user-console-mfa/rule';
import { rule as userMfa, userMfaCheck } from '../../rules/iam-user-mfa/rule';
import { clampAnnotation } from '../../rules/runtime/annotation';
import { applyExemption, quote } from '../../rules/runtime/exemptions';
import { gatherUsers } from '../../rules/runtime/facts/users';
import { parseParameters } from '../../rules/runtime/parameters';
import type { AnyRule, Scope } from '../../rules/runtime/types';
import { awsError, gatherContext, listedUser, reportRow, type TestUser } from './helpers';

const ALL: Scope = { kind: 'all' };
const inDays = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

function mockBulk(users: TestUser[], rows: string[]): void {
  mockUserReads(users, rows);
  iam.on(ListUserTagsCommand).resolves({ Tags: [], IsTruncated: false });
}

async function evaluate(rule: AnyRule, raw: Record<string, string>, scope: Scope = ALL) {
  const params = parseParameters(rule, raw);
  const facts: unknown = await rule.gather(gatherContext(), scope, params);
  return rule.evaluate(facts, params);
}

describe('a user renamed during a periodic run keeps its verdict', () => {
  it('live check: NoSuchEntity by the old name → found by id, read again under the new name', async () => {
    // Prepare: listed as alice, renamed alice2 before its live check.
    mockBulk([listedUser('alice')], [reportRow('alice', true, false)]);
    iam
      .on(GetLoginProfileCommand, { UserName: 'alice' })
      .rejects(awsError('NoSuchEntityException'));
    iam.on(ListMFADevicesCommand, { UserName: 'alice' }).rejects(awsError('NoSuchEntityException'));
    iam
      .on(ListUsersCommand)
      .resolvesOnce({ Users: [listedUser('alice')], IsTruncated: false })
      .resolves({ Users: [listedUser('alice2', 'AIDAALICE')], IsTruncated: false });
    iam
      .on(GetLoginProfileCommand, { UserName: 'alice2' })
      .resolves({ LoginProfile: { UserName: 'alice2', CreateDate: new Date() } });
    iam.on(ListMFADevicesCommand, { UserName: 'alice2' }).resolves({ MFADevices: [] });

    // Act
    const facts = await gatherUsers(gatherContext(), ALL, consoleCheck({ ExemptionTagKey: '' }));

    // Assess
    expect(facts.departed).toEqual([]);
    expect(facts.users).toEqual([
      expect.objectContaining({
        userId: 'AIDAALICE',
        userName: 'alice2',
        consolePassword: true,
        mfaActive: false,
      }),
    ]);
    expect(iam).toHaveReceivedCommandTimes(ListUsersCommand, 2);
  });

  it('tag read: NoSuchEntity by the old name → its tags read under the new name', async () => {
    // Prepare: alice is flagged and checked live, then renamed before her tags are read.
    mockBulk([listedUser('alice')], [reportRow('alice', true, false)]);
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'alice', CreateDate: new Date() } });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iam
      .on(ListUsersCommand)
      .resolvesOnce({ Users: [listedUser('alice')], IsTruncated: false })
      .resolves({ Users: [listedUser('alice2', 'AIDAALICE')], IsTruncated: false });
    iam.on(ListUserTagsCommand, { UserName: 'alice' }).rejects(awsError('NoSuchEntityException'));
    iam.on(ListUserTagsCommand, { UserName: 'alice2' }).resolves({
      Tags: [{ Key: 'mfa-exemption', Value: `${inDays(10)} key on order` }],
      IsTruncated: false,
    });

    // Act
    const [evaluation] = await evaluate(consoleMfa, {});

    // Assess
    expect(evaluation).toMatchObject({
      resourceId: 'AIDAALICE',
      resourceName: 'alice2',
      compliance: 'NOT_APPLICABLE',
    });
    expect(evaluation?.annotation).toContain('is exempt until');
  });

  it('a user truly deleted during the run is departed (NOT_APPLICABLE)', async () => {
    // Prepare
    mockBulk([listedUser('alice')], [reportRow('alice', true, false)]);
    iam.on(GetLoginProfileCommand).rejects(awsError('NoSuchEntityException'));
    iam.on(ListMFADevicesCommand).rejects(awsError('NoSuchEntityException'));
    iam
      .on(ListUsersCommand)
      .resolvesOnce({ Users: [listedUser('alice')], IsTruncated: false })
      .resolves({ Users: [], IsTruncated: false });

    // Act
    const facts = await gatherUsers(gatherContext(), ALL, userMfaCheck({ ExemptionTagKey: '' }));

    // Assess
    expect(facts.users).toEqual([]);
    expect(facts.departed).toEqual([
      expect.objectContaining({ userId: 'AIDAALICE', reason: 'was deleted during the evaluation' }),
    ]);
  });
});

describe('change events name users by id: the item name is a hint', () => {
  const event = (userName: string): Scope => ({ kind: 'user', userId: 'AIDAALICE', userName });

  it.each([
    ['console rule', consoleMfa],
    ['all-users rule', userMfa],
  ])(
    '%s: a user renamed after the item was captured gets the periodic verdict',
    async (_label, rule) => {
      // Prepare: the item says alice; IAM has AIDAALICE as alice-new, and alice is someone else now.
      iam
        .on(GetUserCommand, { UserName: 'alice' })
        .resolves({ User: listedUser('alice', 'AIDAIMPOSTOR') });
      iam.on(ListUsersCommand).resolves({
        Users: [listedUser('alice', 'AIDAIMPOSTOR'), listedUser('alice-new', 'AIDAALICE')],
        IsTruncated: false,
      });
      iam
        .on(GetLoginProfileCommand)
        .resolves({ LoginProfile: { UserName: 'alice-new', CreateDate: new Date() } });
      iam.on(ListMFADevicesCommand, { UserName: 'alice-new' }).resolves({ MFADevices: [] });
      iam.on(ListMFADevicesCommand, { UserName: 'alice' }).resolves({
        MFADevices: [{ UserName: 'alice', SerialNumber: 'GAHT12345678', EnableDate: new Date() }],
      });
      iam.on(ListUserTagsCommand).resolves({ Tags: [], IsTruncated: false });

      // Act
      const evaluations = await evaluate(rule, {}, event('alice'));

      // Assess: the impostor's MFA is not borrowed.
      expect(evaluations).toEqual([
        expect.objectContaining({
          resourceId: 'AIDAALICE',
          resourceName: 'alice-new',
          compliance: 'NON_COMPLIANT',
        }),
      ]);
      expect(iam).toHaveReceivedCommandWith(ListMFADevicesCommand, { UserName: 'alice-new' });
      expect(iam).not.toHaveReceivedCommandWith(ListMFADevicesCommand, { UserName: 'alice' });
    },
  );
});

describe('tag keys match as IAM matches them (case-insensitively)', () => {
  it('per user (ListUserTags): MFA-Exemption exempts like mfa-exemption', async () => {
    // Prepare
    mockBulk([listedUser('alice')], [reportRow('alice', true, false)]);
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'alice', CreateDate: new Date() } });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iam.on(ListUserTagsCommand).resolves({
      Tags: [{ Key: 'MFA-Exemption', Value: `${inDays(5)} travelling` }],
      IsTruncated: false,
    });

    // Act
    const [evaluation] = await evaluate(consoleMfa, {});

    // Assess
    expect(evaluation?.compliance).toBe('NOT_APPLICABLE');
    expect(evaluation?.annotation).toContain('"travelling"');
  });

  it('in bulk (GetAccountAuthorizationDetails): a custom key in another case', async () => {
    // Prepare: 30 users without MFA, so iam-user-mfa reads their tags in bulk.
    const users = Array.from({ length: 30 }, (_, i) => listedUser(`u${String(i)}`));
    mockBulk(
      users,
      users.map((u) => reportRow(u.UserName, false, false)),
    );
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
    iam.on(GetAccountAuthorizationDetailsCommand).resolves({
      UserDetailList: users.map((u, i) => ({
        ...u,
        Tags: i === 0 ? [{ Key: 'WAIVER', Value: `${inDays(5)} approved` }] : [],
      })),
      IsTruncated: false,
    });

    // Act
    const evaluations = await evaluate(userMfa, { ExemptionTagKey: 'waiver' });

    // Assess
    expect(iam).toHaveReceivedCommandTimes(GetAccountAuthorizationDetailsCommand, 1);
    expect(evaluations.find((e) => e.resourceName === 'u0')?.compliance).toBe('NOT_APPLICABLE');
    expect(evaluations.filter((e) => e.compliance === 'NON_COMPLIANT')).toHaveLength(29);
  });
});

describe('reasons are cut between code points, never inside a surrogate pair', () => {
  const astral = '𝒜'; // U+1D49C: two UTF-16 units
  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

  it.each([78, 79, 80, 81])('a reason with an astral character at UTF-16 unit %i', (at) => {
    // Prepare
    const reason = `${'a'.repeat(at)}${astral.repeat(20)}`;

    // Act
    const quoted = quote(reason);

    // Assess
    expect(quoted.length).toBeLessThanOrEqual(80);
    expect(quoted.endsWith('…')).toBe(true);
    expect(quoted).not.toMatch(
      /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/,
    );
  });

  it('through applyExemption and clampAnnotation, the annotation stays well-formed', () => {
    // Act
    const verdict = applyExemption(
      { compliance: 'NON_COMPLIANT', annotation: `User alice has no MFA. ${astral.repeat(200)}` },
      { read: true, value: `${inDays(3)} ${'b'.repeat(79)}${astral.repeat(50)}`, at: new Date() },
      { tagKey: 'mfa-exemption', maxDays: 365 },
      'alice',
    );
    const sent = clampAnnotation(verdict.annotation);

    // Assess
    expect(verdict.compliance).toBe('NOT_APPLICABLE');
    expect(sent.length).toBeLessThanOrEqual(256);
    expect(sent).not.toMatch(LONE_SURROGATE);
    expect(verdict.annotation).not.toMatch(LONE_SURROGATE);
  });
});
