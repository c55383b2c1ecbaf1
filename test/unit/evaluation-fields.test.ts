/**
 * The structured fields an evaluation carries besides its verdict (the exemption read for it, where
 * its facts came from): filled by the shared runtime, read by the CLI's reports, never sent to
 * AWS Config.
 */
import {
  applyExemption,
  exemptionSettings,
  type ExemptionTag,
} from '../../rules/runtime/exemptions';
import { toConfigEvaluation } from '../../rules/runtime/report';
import {
  EVIDENCE_AT,
  EVIDENCE_SOURCE,
  EXEMPTION,
  type Evaluation,
} from '../../rules/runtime/types';
import { userEvaluations } from '../../rules/runtime/user-evaluations';

const NOW = new Date('2026-11-30T10:00:00Z');
const DEFAULTS = exemptionSettings({});
const FAILING = {
  compliance: 'NON_COMPLIANT' as const,
  annotation: 'User alice has a console password and no MFA device (both facts checked live).',
};
const tag = (value: string | undefined): ExemptionTag => ({ read: true, value, at: NOW });

describe('the exemption record', () => {
  it.each([
    [
      'honoured',
      '2027-03-31 break-glass, SEC-42',
      {
        source: 'tag',
        key: 'mfa-exemption',
        status: 'honoured',
        until: '2027-03-31',
        reason: 'break-glass, SEC-42',
        replaced: 'NON_COMPLIANT',
      },
      'NOT_APPLICABLE',
    ],
    [
      'expired',
      '2026-11-29 ended yesterday',
      {
        source: 'tag',
        key: 'mfa-exemption',
        status: 'expired',
        until: '2026-11-29',
        reason: 'ended yesterday',
      },
      'NON_COMPLIANT',
    ],
    [
      'too-long',
      '2030-01-01 far away',
      {
        source: 'tag',
        key: 'mfa-exemption',
        status: 'too-long',
        until: '2030-01-01',
        reason: 'far away',
      },
      'NON_COMPLIANT',
    ],
    [
      'unreadable',
      'forever',
      { source: 'tag', key: 'mfa-exemption', status: 'unreadable' },
      'NON_COMPLIANT',
    ],
  ])('%s: says so beside the verdict it gives', (_label, value, record, compliance) => {
    // Act
    const result = applyExemption(FAILING, tag(value), DEFAULTS, 'alice');

    // Assess
    expect(result.compliance).toBe(compliance);
    expect(result[EXEMPTION]).toEqual(record);
  });

  it('is absent where no exemption was read, or the verdict was not NON_COMPLIANT', () => {
    // Act
    const untagged = applyExemption(FAILING, tag(undefined), DEFAULTS, 'alice');
    const passing = applyExemption(
      { compliance: 'COMPLIANT', annotation: 'ok' },
      tag('2027-01-01 ok'),
      DEFAULTS,
      'alice',
    );

    // Assess
    expect(untagged[EXEMPTION]).toBeUndefined();
    expect(passing[EXEMPTION]).toBeUndefined();
  });
});

describe('userEvaluations', () => {
  const REPORT_TIME = new Date('2026-11-30T06:00:00Z');

  it('carries each user evidence source and time, and the exemption, as symbols', () => {
    // Prepare
    const users = [
      { userId: 'AIDA1', userName: 'from-report', evidence: 'credential-report' as const },
      { userId: 'AIDA2', userName: 'exempt', evidence: 'live' as const },
      // A rule whose facts carry no `evidence` reads every fact live (privileged users).
      { userId: 'AIDA3', userName: 'privileged' },
    ];

    // Act
    const evaluations = userEvaluations(
      {
        users,
        departed: [{ userId: 'AIDA4', userName: 'gone', reason: 'no longer exists', at: NOW }],
      },
      (user) => ({
        verdict:
          user.userName === 'exempt' ? FAILING : { compliance: 'COMPLIANT', annotation: 'ok' },
        tag: user.userName === 'exempt' ? tag('2027-01-01 waiting for a key') : { read: false },
        evidenceAt: user.userName === 'from-report' ? REPORT_TIME : NOW,
      }),
      DEFAULTS,
    );

    // Assess
    expect(
      evaluations.map((e) => [e.resourceName, e[EVIDENCE_SOURCE], e[EVIDENCE_AT]?.toISOString()]),
    ).toEqual([
      ['from-report', 'credential-report', REPORT_TIME.toISOString()],
      ['exempt', 'live', NOW.toISOString()],
      ['privileged', 'live', NOW.toISOString()],
      ['gone', 'live', NOW.toISOString()],
    ]);
    expect(evaluations[1]?.[EXEMPTION]).toMatchObject({ status: 'honoured', until: '2027-01-01' });
    // Out of Object.keys and JSON: the printed and logged shapes stay as they were.
    for (const evaluation of evaluations) {
      expect(Object.keys(evaluation).sort()).toEqual(
        ['annotation', 'compliance', 'resourceId', 'resourceName', 'resourceType'].sort(),
      );
    }
  });
});

describe('PutEvaluations', () => {
  it('sends only its five fields, whatever else an evaluation carries', () => {
    // Prepare
    const evaluation: Evaluation = {
      resourceType: 'AWS::IAM::User',
      resourceId: 'AIDA1',
      resourceName: 'alice',
      compliance: 'NOT_APPLICABLE',
      annotation: 'User alice is exempt until 2027-01-01.',
      [EVIDENCE_AT]: NOW,
      [EVIDENCE_SOURCE]: 'live',
      [EXEMPTION]: {
        source: 'tag',
        key: 'mfa-exemption',
        status: 'honoured',
        until: '2027-01-01',
        reason: 'r',
        replaced: 'NON_COMPLIANT',
      },
    };

    // Act
    const sent = toConfigEvaluation(evaluation, new Date(0));

    // Assess
    expect(Reflect.ownKeys(sent).sort()).toEqual(
      [
        'Annotation',
        'ComplianceResourceId',
        'ComplianceResourceType',
        'ComplianceType',
        'OrderingTimestamp',
      ].sort(),
    );
    expect(sent.OrderingTimestamp).toEqual(NOW);
  });
});
