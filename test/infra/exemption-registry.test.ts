/**
 * The exemption registry in the stacks (issue 18): the organization stack creates the table (PITR,
 * encryption, deletion protection, retained), the user rules' functions may only Query it, their
 * source is fixed in the environment and passed as the ExemptionSource rule parameter; the account
 * stack creates it only when asked; writers are enforced by a resource policy; bad settings fail
 * at synth with one line. cdk-nag and cfn-lint stay clean.
 */
import { CHANGE_LOG_TABLE_ENV } from '../../rules/runtime/freshness/change-log';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { RULE_METADATA } from '../../rules/catalog';
import { ruleParameter } from '../../infra/conformance-pack-template';
import { REGISTRY_WRITE_ACTIONS } from '../../infra/exemption-registry';
import { MfaConfigRulesAccountPack } from '../../infra/account-pack';
import {
  DEFAULT_EXEMPTION_TABLE,
  EXEMPTION_SOURCE_ENV,
  EXEMPTION_TABLE_ENV,
} from '../../rules/runtime/exemption-source';
import {
  annotationsOf,
  cfnLint,
  synthesizeApp,
  synthesizeOrgApp,
  tempDir,
  templateOf,
  writeTemplate,
  type SynthesizedWithOrganization,
} from './support/synth';

const USER_RULES = RULE_METADATA.filter((r) =>
  r.parameters.some((p) => p.name === 'ExemptionSource'),
);
const WRITER = 'arn:aws:iam::111122223333:role/SecurityExemptionWriters';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function resources(synth: SynthesizedWithOrganization, which: 'organization' | 'account') {
  return templateOf(synth[which]).toJSON().Resources as Resources;
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Every policy statement of every role and managed policy, with where it lives. */
function statements(all: Resources): { where: string; statement: Statement }[] {
  const out: { where: string; statement: Statement }[] = [];
  for (const [id, resource] of Object.entries(all)) {
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of (resource.Properties.Policies ?? []) as {
        PolicyDocument: { Statement: Statement[] };
      }[]) {
        for (const statement of policy.PolicyDocument.Statement) out.push({ where: id, statement });
      }
    }
    if (resource.Type === 'AWS::IAM::Policy') {
      const doc = resource.Properties.PolicyDocument as { Statement: Statement[] };
      const roles = resource.Properties.Roles as { Ref: string }[];
      for (const statement of doc.Statement) {
        out.push({ where: roles.map((r) => r.Ref).join(','), statement });
      }
    }
  }
  return out;
}

describe('organization stack: the central exemption registry', () => {
  let synth: SynthesizedWithOrganization;
  let all: Resources;

  beforeAll(() => {
    synth = synthesizeOrgApp({ exemptionWriterArns: WRITER });
    all = resources(synth, 'organization');
  });

  it('creates the table with PITR, encryption, deletion protection, retained, and only the named writers may write', () => {
    // (The event path's change log, issue 22, is the other table: test/infra/freshness.test.ts.)
    const tables = Object.entries(all).filter(
      ([, r]) =>
        r.Type === 'AWS::DynamoDB::Table' && r.Properties.TableName === DEFAULT_EXEMPTION_TABLE,
    );
    expect(tables).toHaveLength(1);
    const [id, table] = tables[0] ?? ['', { Type: '', Properties: {} }];
    const raw = templateOf(synth.organization).toJSON().Resources as Record<
      string,
      { DeletionPolicy?: string; UpdateReplacePolicy?: string }
    >;
    expect(raw[id]?.DeletionPolicy).toBe('Retain');
    expect(raw[id]?.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      TableName: DEFAULT_EXEMPTION_TABLE,
      KeySchema: [
        { AttributeName: 'accountId', KeyType: 'HASH' },
        { AttributeName: 'entry', KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
    const policy = (
      table.Properties.ResourcePolicy as { PolicyDocument: { Statement: Statement[] } }
    ).PolicyDocument.Statement;
    expect(policy).toHaveLength(1);
    expect(policy[0]).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Condition: { ArnNotLike: { 'aws:PrincipalArn': [WRITER] } },
    });
    expect(policy.flatMap(actionsOf).sort()).toEqual([...REGISTRY_WRITE_ACTIONS]);
  });

  it('grants the three user rules dynamodb:Query on the table alone, and nobody else anything on DynamoDB', () => {
    const tableId = Object.entries(all).find(
      ([, r]) =>
        r.Type === 'AWS::DynamoDB::Table' && r.Properties.TableName === DEFAULT_EXEMPTION_TABLE,
    )?.[0];
    const changeLogId = Object.entries(all).find(
      ([id, r]) => r.Type === 'AWS::DynamoDB::Table' && id !== tableId,
    )?.[0];
    // Every DynamoDB grant names one table; those on the change log (the event path) are
    // test/infra/freshness.test.ts's; every other one is below.
    const onChangeLog = (s: Statement) =>
      JSON.stringify(s.Resource) === JSON.stringify({ 'Fn::GetAtt': [changeLogId, 'Arn'] });
    const dynamo = statements(all).filter(
      ({ statement, where }) =>
        actionsOf(statement).some((a) => a.startsWith('dynamodb:')) &&
        !onChangeLog(statement) &&
        // The event path's pipe reads the table's stream, not the table (freshness.test.ts).
        !where.includes('RegistryPipeRole'),
    );
    expect(dynamo).toHaveLength(USER_RULES.length);
    for (const { statement } of dynamo) {
      expect(statement).toMatchObject({
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      });
      expect(statement.Condition).toBeUndefined();
    }
    // Each grant sits on the role of a user rule's function (those with an exemption source in
    // their environment); the root rules' roles have none.
    const userRoles = Object.values(all)
      .filter(
        (r) =>
          r.Type === 'AWS::Lambda::Function' &&
          (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)
            ?.Variables?.[EXEMPTION_SOURCE_ENV] !== undefined,
      )
      .map((r) => (r.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
    expect(userRoles).toHaveLength(USER_RULES.length);
    expect(dynamo.map((d) => d.where).sort()).toEqual([...userRoles].sort());
  });

  it("fixes the source in each user rule's environment and passes it as the ExemptionSource parameter", () => {
    const functions = Object.values(all).filter((r) => r.Type === 'AWS::Lambda::Function');
    const withSource = functions.filter(
      (f) =>
        (f.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)
          ?.Variables?.[EXEMPTION_SOURCE_ENV] !== undefined,
    );
    expect(withSource).toHaveLength(USER_RULES.length);
    for (const f of withSource) {
      // (The event path's change log, issue 22, is the other variable some of them hold.)
      const variables = Object.entries(
        (f.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
      ).filter(([key]) => key !== CHANGE_LOG_TABLE_ENV);
      expect(Object.fromEntries(variables)).toEqual({
        [EXEMPTION_SOURCE_ENV]: 'registry',
        [EXEMPTION_TABLE_ENV]: DEFAULT_EXEMPTION_TABLE,
      });
    }
    const pack = Object.values(all).find(
      (r) => r.Type === 'AWS::Config::OrganizationConformancePack',
    );
    const inputs = pack?.Properties.ConformancePackInputParameters as {
      ParameterName: string;
      ParameterValue: unknown;
    }[];
    for (const rule of USER_RULES) {
      expect(inputs).toContainEqual({
        ParameterName: ruleParameter(rule.name, 'ExemptionSource'),
        ParameterValue: 'registry',
      });
    }
  });

  it('has no unacknowledged cdk-nag finding', () => {
    for (const checks of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      expect(checks.validateScope(synth.organization).violations).toEqual([]);
    }
    expect(annotationsOf(synth.organization).findError('*', Match.anyValue())).toEqual([]);
  });

  it('passes cfn-lint', () => {
    const dir = tempDir('lint-registry');
    const file = writeTemplate(dir, 'org', templateOf(synth.organization).toJSON());
    const findings = cfnLint([file]).filter(
      (f) =>
        !(f.Level === 'Warning' && f.Rule.Id === 'W3005' && /Role[0-9A-F]{8}'/.test(f.Message)),
    );
    expect(findings.map((f) => `${path.basename(f.Filename)} ${f.Rule.Id} ${f.Message}`)).toEqual(
      [],
    );
  });
});

describe('account stack and props', () => {
  it('creates no registry by default (tags), and one with exemptionSource registry', () => {
    const plain = synthesizeApp();
    expect(
      Object.values(resources(plain as SynthesizedWithOrganization, 'account')).filter(
        (r) =>
          r.Type === 'AWS::DynamoDB::Table' && r.Properties.TableName === DEFAULT_EXEMPTION_TABLE,
      ),
    ).toHaveLength(0);
    const withRegistry = synthesizeApp({ accountExemptionSource: 'both' });
    const found = Object.values(
      resources(withRegistry as SynthesizedWithOrganization, 'account'),
    ).filter(
      (r) =>
        r.Type === 'AWS::DynamoDB::Table' && r.Properties.TableName === DEFAULT_EXEMPTION_TABLE,
    );
    expect(found).toHaveLength(1);
  });

  it.each([
    [{ exemptionSource: 'registyr' }, /exemptionSource must be one of 'tags', 'registry', 'both'/],
    [
      { ruleParameters: { 'iam-user-mfa': { ExemptionSource: 'tags' } } },
      /ruleParameters: iam-user-mfa sets ExemptionSource; set the pack's exemptionSource prop instead/,
    ],
    [{ exemptionWriterArns: [WRITER] }, /exemptionWriterArns .* does not create/],
    [
      { exemptionSource: 'registry', exemptionWriterArns: ['SecurityTeam'] },
      /exemption writer 'SecurityTeam' is not an IAM principal ARN/,
    ],
  ])('refuses %j with one line', (props, message) => {
    const stack = new Stack(new App(), 'S');
    expect(() => new MfaConfigRulesAccountPack(stack, 'P', props as never)).toThrow(message);
  });
});
