/**
 * The event path (issue 22) against moto: each verdict-changing IAM call, as a CloudTrail-shaped
 * event delivered to the freshness function, leads to exactly one re-evaluation request per affected
 * rule and account; the re-evaluation's run reads the changed user live whatever the (frozen)
 * credential report says; a burst costs one re-evaluation per rule and account per window.
 */
import {
  CreateLoginProfileCommand,
  IAMClient,
  PutUserPolicyCommand,
  TagUserCommand,
  UntagUserCommand,
} from '@aws-sdk/client-iam';
import { RULE_METADATA } from '../../rules/catalog';
import { RULE_NAME_LIST, type RuleName } from '../../rules/rule-names';
import { VERDICT_CHANGING_CALLS } from '../../rules/runtime/freshness/iam-events';
import { logger } from '../../rules/runtime/logger';
import { registryPipeInputTemplate } from '../../infra/freshness';
import { cloudTrailEvent, EventPath, PACK_SUFFIX } from '../support/event-path';
import { motoClientConfig, seedUsers, TEST_ACCOUNT_ID } from '../support/moto';
import { useMoto } from '../support/use-moto';

beforeAll(() => {
  logger.setLogLevel('SILENT');
});

const ALL_RULES: RuleName[] = [...RULE_NAME_LIST];

/** Request parameters a call of each kind carries (a user named where the call names one). */
function requestFor(call: string): Record<string, unknown> {
  const effect = VERDICT_CHANGING_CALLS[call];
  if (call === 'TagUser')
    return { userName: 'someone', tags: [{ key: 'MFA-Exemption', value: 'x' }] };
  if (call === 'UntagUser') return { userName: 'someone', tagKeys: ['mfa-exemption'] };
  if (call === 'UpdateUser') return { userName: 'someone', newUserName: 'someone-else' };
  if (call === 'DeleteVirtualMFADevice') return { serialNumber: 'arn:aws:iam::123456789012:mfa/x' };
  return effect?.namesUser ? { userName: 'someone' } : { groupName: 'admins' };
}

describe('each verdict-changing IAM call', () => {
  const endpoint = useMoto({ env: { MOTO_EXT_REPORT_DELAY_MS: '0' } });

  it.each(Object.keys(VERDICT_CHANGING_CALLS))(
    '%s: one re-evaluation request per affected rule, in the event account, by deployed name',
    async (call) => {
      // Prepare
      const path = new EventPath(endpoint(), { rules: ALL_RULES, windowSeconds: 60 });
      await path.deploy();
      const event = cloudTrailEvent({ eventName: call, requestParameters: requestFor(call) });

      // Act
      const { result, reevaluations } = await path.deliver([event, event]);

      // Assess: the catalog says which rules the call concerns.
      const expected = [...(VERDICT_CHANGING_CALLS[call]?.rules ?? [])].sort();
      const requested = reevaluations.flatMap((r) => r.rules).sort();
      expect(requested).toEqual(expected.map((rule) => `${rule}${PACK_SUFFIX}`));
      expect(
        reevaluations.every((r) => r.accountId === TEST_ACCOUNT_ID && r.rules.length === 1),
      ).toBe(true);
      expect(result.batchItemFailures).toEqual([]);
      // The same event twice (SQS delivers at least once) records each user once; a call that
      // concerns no rule (a user's access key) records nobody.
      const namesUser = VERDICT_CHANGING_CALLS[call]?.namesUser === true && expected.length > 0;
      expect(result.usersRecorded).toBe(namesUser ? (call === 'UpdateUser' ? 2 : 1) : 0);
    },
  );

  it.each(
    Object.entries(VERDICT_CHANGING_CALLS)
      .filter(([, effect]) => effect.withoutUser)
      .map(([call]) => call),
  )(
    '%s naming no user (the root user, or a root session of centralized root access): every rule of the root user, from the catalog',
    async (call) => {
      // Prepare
      const path = new EventPath(endpoint(), { rules: ALL_RULES, windowSeconds: 60 });
      await path.deploy();
      const event = cloudTrailEvent({ eventName: call, requestParameters: {} });

      // Act
      const { result, reevaluations } = await path.deliver([event]);

      // Assess
      const rootRules = RULE_METADATA.filter((m) =>
        (m.resourceTypes as readonly string[]).includes('AWS::::Account'),
      ).map((m) => `${m.name}${PACK_SUFFIX}`);
      expect(rootRules.length).toBeGreaterThan(0);
      expect(reevaluations.flatMap((r) => r.rules).sort()).toEqual(rootRules.sort());
      // No user to read live: the root rules read the account summary on every run.
      expect(result).toMatchObject({ usersRecorded: 0, batchItemFailures: [] });
    },
  );

  it('a failed call (errorCode) and a tag key that is neither the exemption nor the privilege key start nothing', async () => {
    // Prepare
    const path = new EventPath(endpoint(), { rules: ALL_RULES, windowSeconds: 60 });
    await path.deploy();

    // Act
    const { result, reevaluations } = await path.deliver([
      cloudTrailEvent({
        eventName: 'DeactivateMFADevice',
        requestParameters: { userName: 'someone', serialNumber: 'GAHT1' },
        errorCode: 'AccessDenied',
      }),
      cloudTrailEvent({
        eventName: 'TagUser',
        requestParameters: { userName: 'someone', tags: [{ key: 'cost-centre', value: '42' }] },
      }),
    ]);

    // Assess
    expect(reevaluations).toEqual([]);
    expect(result).toMatchObject({ changes: 0, usersRecorded: 0, batchItemFailures: [] });
  });

  it('a message that is not an IAM event of the list is a batch item failure (to the dead-letter queue), the rest is handled', async () => {
    // Prepare
    const path = new EventPath(endpoint(), { rules: ALL_RULES, windowSeconds: 60 });
    await path.deploy();
    const good = cloudTrailEvent({
      eventName: 'CreateLoginProfile',
      requestParameters: { userName: 'a' },
    });
    const bad = { ...cloudTrailEvent({ eventName: 'ListUsers' }) };

    // Act
    const { result, reevaluations } = await path.deliver([good, bad]);

    // Assess
    expect(result.unrecognised).toBe(1);
    expect(result.batchItemFailures).toHaveLength(1);
    expect(reevaluations.flatMap((r) => r.rules)).toEqual([`iam-user-console-mfa${PACK_SUFFIX}`]);
  });
});

describe('the re-evaluation reads the changed user live (the report is frozen)', () => {
  const endpoint = useMoto({ env: { MOTO_EXT_REPORT_DELAY_MS: '0' } });

  it('a new console password without MFA → NON_COMPLIANT (the report says no password)', async () => {
    // Prepare: the report is generated while the user has no console password.
    const path = new EventPath(endpoint());
    await path.deploy();
    const [user] = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [{ name: 'newcomer' }]);
    await path.run('iam-user-console-mfa');
    const before = await path.verdicts('iam-user-console-mfa');
    const iam = new IAMClient(motoClientConfig(endpoint()));
    await iam.send(
      new CreateLoginProfileCommand({ UserName: 'newcomer', Password: 'Newcomer-Passw0rd!' }),
    );
    iam.destroy();

    // Act
    const { reevaluations } = await path.deliver([
      cloudTrailEvent({
        eventName: 'CreateLoginProfile',
        requestParameters: { userName: 'newcomer' },
      }),
    ]);
    const after = await path.verdicts('iam-user-console-mfa');

    // Assess
    expect(before).toEqual([expect.objectContaining({ compliance: 'NOT_APPLICABLE' })]);
    expect(reevaluations.flatMap((r) => r.rules)).toEqual([`iam-user-console-mfa${PACK_SUFFIX}`]);
    expect(after).toEqual([
      expect.objectContaining({
        resourceId: user?.userId,
        compliance: 'NON_COMPLIANT',
        annotation: expect.stringContaining('both facts checked live') as unknown,
      }),
    ]);
  });

  it('a new administrator with a virtual device → NON_COMPLIANT on the hardware rule', async () => {
    // Prepare
    const path = new EventPath(endpoint());
    await path.deploy();
    const [user] = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
      { name: 'promoted', consolePassword: true, mfa: 'virtual' },
    ]);
    await path.run('iam-user-hardware-mfa');
    const before = await path.verdicts('iam-user-hardware-mfa');
    const iam = new IAMClient(motoClientConfig(endpoint()));
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    });
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'promoted',
        PolicyName: 'admin',
        PolicyDocument: document,
      }),
    );
    iam.destroy();

    // Act
    const { reevaluations } = await path.deliver([
      cloudTrailEvent({
        eventName: 'PutUserPolicy',
        requestParameters: { userName: 'promoted', policyName: 'admin', policyDocument: document },
      }),
    ]);
    const after = await path.verdicts('iam-user-hardware-mfa');

    // Assess
    expect(before).toEqual([expect.objectContaining({ compliance: 'NOT_APPLICABLE' })]);
    expect(reevaluations.flatMap((r) => r.rules)).toEqual([`iam-user-hardware-mfa${PACK_SUFFIX}`]);
    expect(after).toEqual([
      expect.objectContaining({ resourceId: user?.userId, compliance: 'NON_COMPLIANT' }),
    ]);
  });

  it('an exemption tag removed → the finding is back on both user rules that honour it', async () => {
    // Prepare: exempt until ten days from now.
    const path = new EventPath(endpoint(), { rules: ['iam-user-console-mfa', 'iam-user-mfa'] });
    await path.deploy();
    const [user] = await seedUsers(endpoint(), TEST_ACCOUNT_ID, [
      { name: 'exempt', consolePassword: true },
    ]);
    const until = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    const iam = new IAMClient(motoClientConfig(endpoint()));
    await iam.send(
      new TagUserCommand({
        UserName: 'exempt',
        Tags: [{ Key: 'mfa-exemption', Value: `${until} token on order` }],
      }),
    );
    await path.run('iam-user-console-mfa');
    await path.run('iam-user-mfa');
    const before = [
      ...(await path.verdicts('iam-user-console-mfa')),
      ...(await path.verdicts('iam-user-mfa')),
    ];
    await iam.send(new UntagUserCommand({ UserName: 'exempt', TagKeys: ['mfa-exemption'] }));
    iam.destroy();

    // Act
    const { reevaluations } = await path.deliver([
      cloudTrailEvent({
        eventName: 'UntagUser',
        requestParameters: { userName: 'exempt', tagKeys: ['mfa-exemption'] },
      }),
    ]);
    const after = [
      ...(await path.verdicts('iam-user-console-mfa')),
      ...(await path.verdicts('iam-user-mfa')),
    ];

    // Assess
    expect(before.map((e) => e.compliance)).toEqual(['NOT_APPLICABLE', 'NOT_APPLICABLE']);
    expect(reevaluations.flatMap((r) => r.rules).sort()).toEqual([
      `iam-user-console-mfa${PACK_SUFFIX}`,
      `iam-user-mfa${PACK_SUFFIX}`,
    ]);
    expect(after).toEqual([
      expect.objectContaining({ resourceId: user?.userId, compliance: 'NON_COMPLIANT' }),
      expect.objectContaining({ resourceId: user?.userId, compliance: 'NON_COMPLIANT' }),
    ]);
  });
});

describe('debounce', () => {
  // Config's once-a-minute limit, scaled down with the 2-second window of this test.
  const endpoint = useMoto({
    env: { MOTO_EXT_REPORT_DELAY_MS: '0', MOTO_EXT_REEVALUATION_INTERVAL_MS: '1000' },
  });

  it('a burst costs one re-evaluation per rule and account; a change within the window is retried, not lost, and started once the window has passed', async () => {
    // Prepare
    const path = new EventPath(endpoint(), { windowSeconds: 2 });
    await path.deploy();
    const burst = Array.from({ length: 40 }, (_, i) =>
      cloudTrailEvent({
        eventName: i % 2 ? 'DeactivateMFADevice' : 'EnableMFADevice',
        requestParameters: { userName: `user-${i % 8}`, serialNumber: `GAHT${i}` },
      }),
    );
    const late = cloudTrailEvent({
      eventName: 'CreateLoginProfile',
      requestParameters: { userName: 'late' },
    });

    // Act
    const first = await path.freshness({
      Records: burst.map((event, i) => ({ messageId: `m${i}`, body: JSON.stringify(event) })),
    });
    const again = await path.freshness({
      Records: [{ messageId: 'late', body: JSON.stringify(late) }],
    });
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const retried = await path.freshness({
      Records: [{ messageId: 'late', body: JSON.stringify(late) }],
    });

    // Assess
    expect(first.started.map((s) => s.rule).sort()).toEqual([
      'iam-user-console-mfa',
      'iam-user-hardware-mfa',
      'iam-user-mfa',
    ]);
    expect(first.usersRecorded).toBe(40);
    expect(again).toMatchObject({
      started: [],
      deferred: 1,
      batchItemFailures: [{ itemIdentifier: 'late' }],
    });
    expect(retried).toMatchObject({ deferred: 0, batchItemFailures: [] });
    expect(retried.started.map((s) => s.rule)).toEqual(['iam-user-console-mfa']);
    const changed = await path.changeLog.changes(TEST_ACCOUNT_ID);
    expect(new Set(changed.map((c) => c.userName))).toEqual(
      new Set([...Array.from({ length: 8 }, (_, i) => `user-${i}`), 'late']),
    );
  });
});

/**
 * What EventBridge Pipes does with the input template: each `<$.path>` replaced by the record's
 * value there (the template quotes strings itself).
 */
function applyPipeTemplate(template: string, record: Record<string, unknown>): unknown {
  const text = template.replace(/<\$\.([\w.]+)>/g, (_match, path: string) => {
    let value: unknown = record;
    for (const part of path.split('.')) value = (value as Record<string, unknown>)[part];
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new Error(`no string or number at ${path} in the stream record`);
    }
    return String(value);
  });
  return JSON.parse(text) as unknown;
}

/** A DynamoDB stream record of the registry (keys only), as DynamoDB Streams documents it. */
function registryStreamRecord(eventName: string, entry: string): Record<string, unknown> {
  return {
    eventID: `c4ca4238a0b923820dcc509a6f75849b-${eventName}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: 1_796_000_000,
      Keys: { accountId: { S: TEST_ACCOUNT_ID }, entry: { S: entry } },
      SequenceNumber: '111',
      SizeBytes: 26,
      StreamViewType: 'KEYS_ONLY',
    },
    eventSourceARN: `arn:aws:dynamodb:us-east-1:${TEST_ACCOUNT_ID}:table/mfa-config-rules-exemptions/stream/2026-12-05T00:00:00.000`,
  };
}

describe('exemption registry changes (the stream → the pipe → the freshness queue)', () => {
  const endpoint = useMoto({ env: { MOTO_EXT_REPORT_DELAY_MS: '0' } });
  const USER_ID = 'AIDAEXEMPTUSER000001';

  it.each([
    ['REMOVE', `${USER_ID}#iam-user-mfa`, ['iam-user-mfa']],
    ['INSERT', `${USER_ID}#iam-user-hardware-mfa`, ['iam-user-hardware-mfa']],
    [
      'MODIFY',
      `${USER_ID}#*`,
      RULE_METADATA.filter((m) =>
        (m.resourceTypes as readonly string[]).includes('AWS::IAM::User'),
      ).map((m) => m.name),
    ],
  ])(
    'an entry %s (%s) re-evaluates the rules it covers in its account, once, and the user is read live',
    async (eventName, entry, rules) => {
      // Prepare
      const path = new EventPath(endpoint(), { rules: ALL_RULES, windowSeconds: 60 });
      await path.deploy();
      const message = applyPipeTemplate(
        registryPipeInputTemplate(),
        registryStreamRecord(eventName, entry),
      ) as Record<string, unknown>;

      // Act: delivered twice (at least once)
      const { result, reevaluations } = await path.deliver([message, message]);

      // Assess
      expect(result).toMatchObject({ batchItemFailures: [], unrecognised: 0, usersRecorded: 1 });
      expect(reevaluations.flatMap((r) => r.rules).sort()).toEqual(
        rules.map((rule) => `${rule}${PACK_SUFFIX}`).sort(),
      );
      expect(reevaluations.every((r) => r.accountId === TEST_ACCOUNT_ID)).toBe(true);
    },
  );

  it('a message that names no rule of the pack, or a malformed entry, goes to the dead-letter queue', async () => {
    // Prepare
    const path = new EventPath(endpoint(), { rules: ALL_RULES, windowSeconds: 60 });
    await path.deploy();
    const bad = [`${USER_ID}#root-account-mfx`, 'no-hash', `${USER_ID}#`].map((entry) =>
      applyPipeTemplate(registryPipeInputTemplate(), registryStreamRecord('REMOVE', entry)),
    ) as Record<string, unknown>[];

    // Act
    const { result, reevaluations } = await path.deliver(bad);

    // Assess
    expect(result.unrecognised).toBe(3);
    expect(result.batchItemFailures).toHaveLength(3);
    expect(reevaluations).toEqual([]);
  });
});
