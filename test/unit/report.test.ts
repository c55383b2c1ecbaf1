/** report --aggregator's reading logic with a mocked Config client: errors, paging, concurrency. */
import {
  ConfigServiceClient,
  DescribeAggregateComplianceByConfigRulesCommand,
  GetAggregateComplianceDetailsByConfigRuleCommand,
} from '@aws-sdk/client-config-service';
import { config } from './aws-mocks';
import { buildOrganizationReport, runReport } from '../../cli/report';

const ctx = () => ({
  config: new ConfigServiceClient({ region: 'us-east-1' }),
  accountId: '999999999999',
  region: 'us-east-1',
  now: () => new Date('2026-01-01T00:00:00Z'),
});
const named = (name: string, message = name) => Object.assign(new Error(message), { name });

beforeEach(() => {
  config.reset();
});

describe('report --aggregator (unit)', () => {
  it('turns missing permissions into one line that names the actions needed', async () => {
    // Prepare
    config
      .on(DescribeAggregateComplianceByConfigRulesCommand)
      .rejects(
        named('AccessDeniedException', 'User: arn:aws:iam::999999999999:user/x is not authorized'),
      );

    // Act
    const run = buildOrganizationReport(
      ctx(),
      { aggregator: 'org', output: 'json' },
      { stdout: () => undefined },
    );

    // Assess
    await expect(run).rejects.toThrow(
      /^not allowed to read aggregator 'org': the credentials need config:DescribeAggregateComplianceByConfigRules and config:GetAggregateComplianceDetailsByConfigRule \(AccessDeniedException: User: .* is not authorized\)$/,
    );
  });

  it('follows NextToken, queries only COMPLIANT/NON_COMPLIANT and bounds requests in flight', async () => {
    // Prepare: 10 accounts with the pack's user rule, on two pages of the listing
    const accounts = Array.from({ length: 10 }, (_, i) => String(100000000000 + i));
    const listing = accounts.map((a) => ({
      ConfigRuleName: `iam-user-console-mfa-conformance-pack-${a}`,
      AccountId: a,
      AwsRegion: 'us-east-1',
      Compliance: { ComplianceType: 'NON_COMPLIANT' as const },
    }));
    config
      .on(DescribeAggregateComplianceByConfigRulesCommand)
      .resolvesOnce({ AggregateComplianceByConfigRules: listing.slice(0, 5), NextToken: 't1' })
      .resolvesOnce({ AggregateComplianceByConfigRules: listing.slice(5) });
    let inFlight = 0;
    let peak = 0;
    config
      .on(GetAggregateComplianceDetailsByConfigRuleCommand)
      .callsFake(async (input: { AccountId: string; ComplianceType: string }) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
        return {
          AggregateEvaluationResults: [
            {
              EvaluationResultIdentifier: {
                EvaluationResultQualifier: {
                  ResourceType: 'AWS::IAM::User',
                  ResourceId: `AIDA${input.AccountId}`,
                  ConfigRuleName: 'x',
                },
              },
              ComplianceType: input.ComplianceType,
              Annotation: 'User u …',
              AccountId: input.AccountId,
              AwsRegion: 'us-east-1',
              ResultRecordedTime: new Date('2025-12-31T00:00:00Z'),
            },
          ],
        };
      });
    const out: string[] = [];

    // Act
    const code = await runReport(
      ctx(),
      { aggregator: 'org', output: 'json', concurrency: '3' },
      { stdout: (t) => out.push(t) },
    );

    // Assess
    expect(code).toBe(1);
    expect(config.commandCalls(DescribeAggregateComplianceByConfigRulesCommand)).toHaveLength(2);
    const details = config.commandCalls(GetAggregateComplianceDetailsByConfigRuleCommand);
    expect(details).toHaveLength(20);
    expect(new Set(details.map((c) => c.args[0].input.ComplianceType))).toEqual(
      new Set(['NON_COMPLIANT', 'COMPLIANT']),
    );
    for (const call of details) expect(call.args[0].input.Limit).toBe(100);
    expect(peak).toBeLessThanOrEqual(3);
    const doc = JSON.parse(out.join('')) as { rows: { recordedAt: string }[] };
    expect(doc.rows).toHaveLength(20);
    expect(doc.rows[0]?.recordedAt).toBe('2025-12-31T00:00:00.000Z');
  });

  it('refuses a bad --concurrency', async () => {
    await expect(
      buildOrganizationReport(
        ctx(),
        { aggregator: 'org', output: 'json', concurrency: '0' },
        { stdout: () => undefined },
      ),
    ).rejects.toThrow('--concurrency must be a whole number from 1 to 32');
  });
});
