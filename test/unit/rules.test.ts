/** Decision tables of the three rules, through the pure `evaluate` (and gather where the table depends on it). */
import { GetAccountSummaryCommand, ListVirtualMFADevicesCommand } from '@aws-sdk/client-iam';
import { iam } from './aws-mocks';
import * as z from 'zod/mini';
import { clampAnnotation } from '../../rules/runtime/annotation';
import { gatherRoot, type RootFacts } from '../../rules/runtime/facts/account';
import type { UserFacts, UsersFacts } from '../../rules/runtime/facts/users';
import { EVIDENCE_AT, type Evaluation } from '../../rules/runtime/types';
import { rule as consoleMfa } from '../../rules/iam-user-console-mfa/rule';
import { rule as hardwareMfa } from '../../rules/root-account-hardware-mfa/rule';
import { rule as rootMfa } from '../../rules/root-account-mfa/rule';
import { ACCOUNT, accountSummary, gatherContext } from './helpers';

const ROOT_ARN = `arn:aws:iam::${ACCOUNT}:root`;
const REPORT_TIME = new Date('2026-01-01T00:00:00.123Z');
const LIVE_TIME = new Date('2026-01-01T02:30:00.456Z');

function root(overrides: Partial<RootFacts> = {}): RootFacts {
  return {
    accountId: ACCOUNT,
    rootArn: ROOT_ARN,
    hasCredentials: true,
    credentialsPresent: ['AccountPasswordPresent'],
    mfaEnabled: true,
    ...overrides,
  };
}

function user(overrides: Partial<UserFacts> = {}): UserFacts {
  return {
    userName: 'alice',
    userId: 'AIDAALICE',
    arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
    consolePassword: true,
    mfaActive: true,
    exemptionTag: { read: false },
    evidence: 'credential-report',
    evidenceAt: REPORT_TIME,
    ...overrides,
  };
}

function only(evaluations: Evaluation[]): Evaluation {
  expect(evaluations).toHaveLength(1);
  const [first] = evaluations;
  if (!first) throw new Error('no evaluation');
  return first;
}

function assertAnnotation(evaluation: Evaluation, names: string): void {
  expect(evaluation.annotation.length).toBeGreaterThanOrEqual(1);
  expect(evaluation.annotation.length).toBeLessThanOrEqual(256);
  if (evaluation.compliance === 'NON_COMPLIANT') {
    expect(evaluation.annotation).toContain(names);
  }
}

beforeEach(() => {
  iam.reset();
});

describe('root-account-mfa', () => {
  it.each<[string, RootFacts, string]>([
    ['no credentials', root({ hasCredentials: false, credentialsPresent: [] }), 'NOT_APPLICABLE'],
    [
      'no credentials even without MFA',
      root({ hasCredentials: false, credentialsPresent: [], mfaEnabled: false }),
      'NOT_APPLICABLE',
    ],
    ['credentials and MFA', root({ mfaEnabled: true }), 'COMPLIANT'],
    ['credentials and no MFA', root({ mfaEnabled: false }), 'NON_COMPLIANT'],
  ])('%s → %s', (_label, facts, expected) => {
    // Prepare (facts above)

    // Act
    const evaluation = only(rootMfa.evaluate(facts, {}));

    // Assess
    expect(evaluation.compliance).toBe(expected);
    expect(evaluation.resourceType).toBe('AWS::::Account');
    expect(evaluation.resourceId).toBe(ACCOUNT);
    assertAnnotation(evaluation, ACCOUNT);
  });

  it('counts a credential key missing from the account summary as present', async () => {
    // Prepare
    iam.on(GetAccountSummaryCommand).resolves({
      SummaryMap: {
        AccountMFAEnabled: 0,
        AccountPasswordPresent: 0,
        AccountSigningCertificatesPresent: 0,
      },
    });

    // Act
    const facts = await gatherRoot(gatherContext());
    const evaluation = only(rootMfa.evaluate(facts, {}));

    // Assess
    expect(facts.hasCredentials).toBe(true);
    expect(facts.credentialsPresent).toEqual(['AccountAccessKeysPresent']);
    expect(evaluation.compliance).toBe('NON_COMPLIANT');
    expect(evaluation.annotation).toContain('access keys');
    assertAnnotation(evaluation, ACCOUNT);
    expect(iam.commandCalls(GetAccountSummaryCommand)).toHaveLength(1);
  });

  it('is NOT_APPLICABLE when every credential key is 0', async () => {
    // Prepare
    iam
      .on(GetAccountSummaryCommand)
      .resolves(accountSummary({ AccountMFAEnabled: 0, AccountPasswordPresent: 0 }));

    // Act
    const evaluation = only(rootMfa.evaluate(await gatherRoot(gatherContext()), {}));

    // Assess
    expect(evaluation.compliance).toBe('NOT_APPLICABLE');
    assertAnnotation(evaluation, ACCOUNT);
  });

  it('rejects with DataLoadError when the summary cannot be read', async () => {
    // Prepare
    iam.on(GetAccountSummaryCommand).rejects(new Error('throttled'));

    // Act
    const result = gatherRoot(gatherContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'DataLoadError' });
  });
});

describe('root-account-hardware-mfa', () => {
  it.each([
    [
      'no credentials',
      root({ hasCredentials: false, credentialsPresent: [] }),
      [],
      'NOT_APPLICABLE',
    ],
    ['no MFA', root({ mfaEnabled: false }), [], 'NON_COMPLIANT'],
    [
      'a virtual device on root',
      root(),
      ['arn:aws:iam::123456789012:mfa/root-account-mfa-device'],
      'NON_COMPLIANT',
    ],
    ['MFA and no virtual device', root(), [], 'COMPLIANT'],
  ] as const)('%s → %s', (_label, facts, devices, expected) => {
    // Prepare
    const input = { ...facts, rootVirtualDevices: [...devices] };

    // Act
    const evaluation = only(hardwareMfa.evaluate(input, {}));

    // Assess
    expect(evaluation.compliance).toBe(expected);
    expect(evaluation.resourceId).toBe(ACCOUNT);
    assertAnnotation(evaluation, ACCOUNT);
  });

  it('counts a virtual device assigned to the exact root ARN', async () => {
    // Prepare
    iam.on(GetAccountSummaryCommand).resolves(accountSummary());
    iam.on(ListVirtualMFADevicesCommand).resolves({
      VirtualMFADevices: [
        {
          SerialNumber: 'arn:aws:iam::123456789012:mfa/phone',
          User: { Arn: ROOT_ARN, UserName: '', UserId: ACCOUNT, Path: '/', CreateDate: new Date() },
        },
      ],
    });

    // Act
    const evaluation = only(
      hardwareMfa.evaluate(await hardwareMfa.gather(gatherContext(), { kind: 'all' }, {}), {}),
    );

    // Assess
    expect(evaluation.compliance).toBe('NON_COMPLIANT');
    expect(evaluation.annotation).toContain('arn:aws:iam::123456789012:mfa/phone');
    assertAnnotation(evaluation, ACCOUNT);
    expect(iam.commandCalls(ListVirtualMFADevicesCommand)[0]?.args[0].input).toEqual({
      AssignmentStatus: 'Assigned',
      MaxItems: 1000,
    });
  });

  it("does not count a device named 'root-account-mfa-device' assigned to an IAM user", async () => {
    // Prepare
    iam.on(GetAccountSummaryCommand).resolves(accountSummary());
    iam.on(ListVirtualMFADevicesCommand).resolves({
      VirtualMFADevices: [
        {
          SerialNumber: 'arn:aws:iam::123456789012:mfa/root-account-mfa-device',
          User: {
            Arn: `arn:aws:iam::${ACCOUNT}:user/root`,
            UserName: 'root',
            UserId: 'AIDAROOT',
            Path: '/',
            CreateDate: new Date(),
          },
        },
      ],
    });

    // Act
    const evaluation = only(
      hardwareMfa.evaluate(await hardwareMfa.gather(gatherContext(), { kind: 'all' }, {}), {}),
    );

    // Assess
    expect(evaluation.compliance).toBe('COMPLIANT');
    assertAnnotation(evaluation, ACCOUNT);
  });
});

describe('iam-user-console-mfa', () => {
  /** The parameters as Config's absent values parse: every default. */
  const CONSOLE_DEFAULTS = z.strictObject(consoleMfa.parameters).parse({});
  const facts = (users: UserFacts[], departed: UsersFacts['departed'] = []): UsersFacts => ({
    users,
    departed,
    reportGeneratedAt: REPORT_TIME,
    liveChecks: 0,
    newerOnRecord: 0,
    tagReads: 0,
  });

  it.each([
    ['no console password', user({ consolePassword: false, mfaActive: false }), 'NOT_APPLICABLE'],
    ['password and MFA', user({ consolePassword: true, mfaActive: true }), 'COMPLIANT'],
    ['password and no MFA', user({ consolePassword: true, mfaActive: false }), 'NON_COMPLIANT'],
    [
      'password and no MFA, checked live',
      user({ mfaActive: false, evidence: 'live' }),
      'NON_COMPLIANT',
    ],
    ['password and virtual MFA now', user({ evidence: 'virtual-mfa' }), 'COMPLIANT'],
  ] as const)('%s → %s', (_label, input, expected) => {
    // Prepare
    const all = facts([input]);

    // Act
    const evaluation = only(consoleMfa.evaluate(all, CONSOLE_DEFAULTS));

    // Assess
    expect(evaluation).toMatchObject({
      resourceType: 'AWS::IAM::User',
      resourceId: 'AIDAALICE',
      resourceName: 'alice',
      compliance: expected,
    });
    assertAnnotation(evaluation, 'alice');
  });

  it('names the report generation time without milliseconds', () => {
    // Act
    const evaluation = only(consoleMfa.evaluate(facts([user()]), CONSOLE_DEFAULTS));

    // Assess
    expect(evaluation.annotation).toContain('credential report of 2026-01-01T00:00:00Z');
  });

  it.each([
    [
      'both from the report',
      user({ consolePassword: false, mfaActive: false }),
      'both facts from the credential report of 2026-01-01T00:00:00Z',
      REPORT_TIME,
    ],
    [
      'password from the report, MFA a virtual device now',
      user({ evidence: 'virtual-mfa' }),
      'console password from the credential report of 2026-01-01T00:00:00Z; MFA: a virtual device assigned now',
      REPORT_TIME,
    ],
    [
      'both live',
      user({ consolePassword: false, evidence: 'live', evidenceAt: LIVE_TIME }),
      'both facts checked live at 2026-01-01T02:30:00Z',
      LIVE_TIME,
    ],
  ] as const)(
    'says exactly where each fact came from (%s) and carries its time',
    (_label, input, source, at) => {
      // Act
      const evaluation = only(consoleMfa.evaluate(facts([input]), CONSOLE_DEFAULTS));

      // Assess
      expect(evaluation.annotation).toContain(`(${source})`);
      expect(evaluation[EVIDENCE_AT]).toEqual(at);
      if (input.evidence !== 'live') expect(evaluation.annotation).not.toContain('live');
    },
  );

  it('gives a departed user the time IAM said so', () => {
    // Act
    const evaluation = only(
      consoleMfa.evaluate(
        facts(
          [],
          [{ userId: 'AIDAGONE', userName: 'gone', reason: 'no longer exists', at: LIVE_TIME }],
        ),
        CONSOLE_DEFAULTS,
      ),
    );

    // Assess
    expect(evaluation[EVIDENCE_AT]).toEqual(LIVE_TIME);
    expect(evaluation.annotation).toContain('2026-01-01T02:30:00Z');
  });

  it('reports a departed user NOT_APPLICABLE by id, with its name when known', () => {
    // Prepare
    const all = facts(
      [],
      [
        { userId: 'AIDAGONE', userName: 'gone', reason: 'no longer exists', at: LIVE_TIME },
        { userId: 'AIDANONAME', userName: undefined, reason: 'no longer exists', at: LIVE_TIME },
      ],
    );

    // Act
    const evaluations = consoleMfa.evaluate(all, CONSOLE_DEFAULTS);

    // Assess
    expect(evaluations).toEqual([
      expect.objectContaining({
        resourceId: 'AIDAGONE',
        resourceName: 'gone',
        compliance: 'NOT_APPLICABLE',
      }),
      expect.objectContaining({
        resourceId: 'AIDANONAME',
        resourceName: 'AIDANONAME',
        compliance: 'NOT_APPLICABLE',
      }),
    ]);
    for (const evaluation of evaluations) assertAnnotation(evaluation, '');
  });

  it('still names a 64-character user once the annotation is clamped for Config', () => {
    // Prepare
    const name = 'n'.repeat(64);
    const input = user({ userName: name, mfaActive: false });

    // Act
    const evaluation = only(consoleMfa.evaluate(facts([input]), CONSOLE_DEFAULTS));
    const sent = clampAnnotation(evaluation.annotation);

    // Assess
    // The raw annotation exceeds 256 characters for long names (reported as a bug); the runtime
    // clamps it before PutEvaluations, and the clamped text still names the user.
    expect(evaluation.compliance).toBe('NON_COMPLIANT');
    expect(sent.length).toBeLessThanOrEqual(256);
    expect(sent).toContain(name);
  });
});
