/**
 * MfaConfigRules-Organization: central functions, execution role StackSet (and the management
 * account's role), organization conformance pack, invoke permissions; default context and a
 * delegated-administrator configuration.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { RULE_METADATA } from '../../rules/catalog';
import { sessionPolicy } from '../../rules/runtime/grants';
import { buildApp, ORGANIZATION_STACK_SKIPPED } from '../../infra/app-builder';
import {
  conformancePackTemplateBody,
  EXECUTION_ROLE_PARAMETER,
  logicalIdOf,
} from '../../infra/conformance-pack-template';
import {
  EXECUTION_ROLE_POLICY_NAME,
  executionRoleProtectionScp,
  executionRoleTemplate,
} from '../../infra/execution-role';
import { FRESHNESS_ROLE_NAME } from '../../infra/freshness';
import { grantedActions, packPermissions } from '../../infra/permissions';
import {
  ACCOUNT_STACK_NAME,
  ASYNC_MAX_EVENT_AGE_SECONDS,
  centralRoleName,
  CLEAR_WITHIN_SECONDS,
  reservationPlan,
  sizedReservation,
  DEFAULT_EXECUTION_ROLE_NAME,
  DEFAULT_PACK_NAME,
  DEFAULT_STACK_SET_NAME,
  ORGANIZATION_STACK_NAME,
} from '../../infra/settings';
import { MfaConfigRulesOrganizationStack, TARGET_OUS_PARAMETER } from '../../infra/stacks';
import {
  annotationsOf,
  cdkJsonContext,
  REPO_ROOT,
  resourceOf,
  synthesizeApp,
  synthesizeOrgApp,
  tempDir,
  templateOf,
  TEST_ORGANIZATION_ID,
  type SynthesizedWithOrganization,
} from './support/synth';

const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
const partition = { Ref: 'AWS::Partition' };
const account = { Ref: 'AWS::AccountId' };

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
interface RoleResource {
  Type: string;
  Properties: {
    RoleName: string;
    AssumeRolePolicyDocument: { Statement: Statement[] };
    Policies: { PolicyName: string; PolicyDocument: { Statement: Statement[] } }[];
  };
}

const actionsOf = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

const MEMBERS = ['222222222222', '333333333333'];
const MANAGEMENT = '111111111111';
const DELEGATED_CONTEXT = {
  organizationId: 'o-b2c3d4e5f6',
  callAs: 'DELEGATED_ADMIN',
  managementAccountId: MANAGEMENT,
  memberAccountIds: [...MEMBERS, MANAGEMENT].join(','),
  targetOrganizationalUnitIds: 'ou-ab12-cdef3456,r-ab12',
  executionRoleName: 'CustomExecution',
  maximumExecutionFrequency: 'One_Hour',
};

let byDefault: SynthesizedWithOrganization;
let delegated: SynthesizedWithOrganization;
let template: Template;
let delegatedTemplate: Template;

beforeAll(() => {
  byDefault = synthesizeOrgApp();
  delegated = synthesizeOrgApp(DELEGATED_CONTEXT);
  template = templateOf(byDefault.organization);
  delegatedTemplate = templateOf(delegated.organization);
});

function stackSetTemplate(
  t: Template,
): { Resources: Record<string, RoleResource> } & Record<string, unknown> {
  const stackSet = resourceOf(t, 'AWS::CloudFormation::StackSet', 'ExecutionRoleStackSet');
  return JSON.parse(stackSet.Properties.TemplateBody as string) as {
    Resources: Record<string, RoleResource>;
  };
}

describe('organization stack (only organizationId given: management account)', () => {
  it(`is synthesized by default as ${ORGANIZATION_STACK_NAME}`, () => {
    expect(byDefault.organization.stackName).toBe(ORGANIZATION_STACK_NAME);
  });

  it('creates a service-managed, auto-deploying StackSet in one Region for the target OUs', () => {
    const stackSet = resourceOf(template, 'AWS::CloudFormation::StackSet', 'ExecutionRoleStackSet');
    expect(stackSet.Properties).toEqual(
      expect.objectContaining({
        StackSetName: DEFAULT_STACK_SET_NAME,
        PermissionModel: 'SERVICE_MANAGED',
        AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
        CallAs: 'SELF',
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        ManagedExecution: { Active: true },
        StackInstancesGroup: [
          {
            DeploymentTargets: { OrganizationalUnitIds: { Ref: TARGET_OUS_PARAMETER } },
            Regions: [{ Ref: 'AWS::Region' }],
          },
        ],
        Parameters: [
          { ParameterKey: 'CentralAccountId', ParameterValue: { Ref: 'AWS::AccountId' } },
          { ParameterKey: 'OrganizationId', ParameterValue: TEST_ORGANIZATION_ID },
        ],
      }),
    );
    template.hasParameter(TARGET_OUS_PARAMETER, { Type: 'CommaDelimitedList' });
  });

  it('StackSet body: the execution role, trusting the central roles by ARN and the org only', () => {
    const body = stackSetTemplate(template);
    expect(body).toEqual(
      JSON.parse(
        JSON.stringify(
          executionRoleTemplate({
            roleName: DEFAULT_EXECUTION_ROLE_NAME,
            // The rule functions, and the event path's freshness function (issue 22).
            centralRoleNames: [
              ...RULE_METADATA.map((rule) => centralRoleName(rule.name)),
              FRESHNESS_ROLE_NAME,
            ],
            rules: RULE_METADATA,
            reevaluation: true,
          }),
        ),
      ),
    );
    const role = body.Resources.ExecutionRole;
    expect(role?.Type).toBe('AWS::IAM::Role');
    expect(role?.Properties.RoleName).toBe(DEFAULT_EXECUTION_ROLE_NAME);
    expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Sid: 'CentralRuleFunctions',
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${CentralAccountId}:root' } },
        Action: 'sts:AssumeRole',
        Condition: {
          ArnEquals: {
            // The rule functions, and the event path's freshness function (issue 22).
            'aws:PrincipalArn': [
              ...RULE_METADATA.map((rule) => centralRoleName(rule.name)),
              FRESHNESS_ROLE_NAME,
            ].map((name) => ({
              'Fn::Sub': `arn:\${AWS::Partition}:iam::\${CentralAccountId}:role/${name}`,
            })),
          },
          StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } },
        },
      },
    ]);
  });

  it('StackSet body: the role may read exactly what the rules read, plus the two Config calls', () => {
    const role = stackSetTemplate(template).Resources.ExecutionRole;
    const statements = role?.Properties.Policies[0]?.PolicyDocument.Statement ?? [];
    const actions = statements.flatMap(actionsOf).sort();
    const expected = [
      ...new Set([
        ...RULE_METADATA.flatMap((rule) => rule.iamActions),
        'config:PutEvaluations',
        'config:GetComplianceDetailsByConfigRule',
        // The event path's re-evaluation (issue 22), used only in the freshness function's session.
        'config:DescribeConfigRules',
        'config:StartConfigRulesEvaluation',
      ]),
    ].sort();
    expect(actions).toEqual(expected);
    expect(actions).toEqual(grantedActions(packPermissions(RULE_METADATA, { reevaluation: true })));
    for (const action of actions) expect(action).not.toContain('*');
    const resourceOfAction = (action: string) =>
      statements.find((s) => actionsOf(s).includes(action))?.Resource;
    expect(resourceOfAction('iam:ListMFADevices')).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*',
    });
    expect(resourceOfAction('iam:GetLoginProfile')).toEqual(resourceOfAction('iam:ListMFADevices'));
    expect(resourceOfAction('iam:GetUser')).toEqual(resourceOfAction('iam:ListMFADevices'));
    expect(resourceOfAction('config:GetComplianceDetailsByConfigRule')).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:config:${AWS::Region}:${AWS::AccountId}:config-rule/*',
    });
    for (const action of [
      'iam:GetAccountSummary',
      'iam:ListUsers',
      'iam:ListVirtualMFADevices',
      'iam:GenerateCredentialReport',
      'iam:GetCredentialReport',
      'config:PutEvaluations',
    ]) {
      expect(resourceOfAction(action)).toBe('*');
    }
  });

  it('creates the same execution role in the management account itself (CallAs SELF)', () => {
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: { RoleName: DEFAULT_EXECUTION_ROLE_NAME },
    }) as Record<string, RoleResource>;
    const role = Object.values(roles)[0];
    expect(Object.keys(roles)).toHaveLength(1);
    expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: join('arn:', partition, ':iam::', account, ':root') },
        Action: 'sts:AssumeRole',
        Condition: {
          ArnEquals: {
            'aws:PrincipalArn': [
              ...RULE_METADATA.map((rule) => centralRoleName(rule.name)),
              FRESHNESS_ROLE_NAME,
            ].map((name) => join('arn:', partition, ':iam::', account, `:role/${name}`)),
          },
          StringEquals: { 'aws:PrincipalOrgID': TEST_ORGANIZATION_ID },
        },
      },
    ]);
    const policy = role?.Properties.Policies[0];
    expect(policy?.PolicyName).toBe(EXECUTION_ROLE_POLICY_NAME);
    expect((policy?.PolicyDocument.Statement ?? []).flatMap(actionsOf).sort()).toEqual(
      grantedActions(packPermissions(RULE_METADATA, { reevaluation: true })),
    );
  });

  it('central roles have the fixed names the member trust policies name', () => {
    for (const rule of RULE_METADATA) {
      template.hasResourceProperties('AWS::IAM::Role', { RoleName: centralRoleName(rule.name) });
    }
  });

  it('deploys the pack organization-wide with ExecutionRoleName, after the roles exist', () => {
    const pack = resourceOf(
      template,
      'AWS::Config::OrganizationConformancePack',
      'OrganizationConformancePack',
    );
    expect(pack.Properties.OrganizationConformancePackName).toBe(DEFAULT_PACK_NAME);
    expect(pack.Properties.TemplateBody).toBe(conformancePackTemplateBody());
    expect(pack.Properties.ConformancePackInputParameters).toEqual(
      expect.arrayContaining([
        { ParameterName: 'MaximumExecutionFrequency', ParameterValue: 'TwentyFour_Hours' },
        { ParameterName: EXECUTION_ROLE_PARAMETER, ParameterValue: DEFAULT_EXECUTION_ROLE_NAME },
        {
          ParameterName: 'IamUserConsoleMfaFunctionArn',
          ParameterValue: {
            'Fn::GetAtt': [
              resourceOf(template, 'AWS::Lambda::Function', 'PackIamUserConsoleMfaFunction').id,
              'Arn',
            ],
          },
        },
      ]),
    );
    expect(pack.Properties.ExcludedAccounts).toBeUndefined();
    const stackSet = resourceOf(template, 'AWS::CloudFormation::StackSet', 'ExecutionRoleStackSet');
    const managementRole = resourceOf(template, 'AWS::IAM::Role', 'ManagementAccountExecutionRole');
    expect(pack.DependsOn).toEqual(expect.arrayContaining([stackSet.id, managementRole.id]));
    for (const permission of Object.keys(template.findResources('AWS::Lambda::Permission'))) {
      expect(pack.DependsOn).toContain(permission);
    }
  });

  it('without an account list: one Config invoke permission per function, and a warning', () => {
    template.resourceCountIs('AWS::Lambda::Permission', RULE_METADATA.length);
    for (const rule of RULE_METADATA) {
      const fn = resourceOf(
        template,
        'AWS::Lambda::Function',
        `Pack${logicalIdOf(rule.name)}Function`,
      );
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'config.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [fn.id, 'Arn'] },
        SourceAccount: Match.absent(),
        SourceArn: Match.absent(),
      });
    }
    const annotations = annotationsOf(byDefault.organization);
    expect(
      annotations.findWarning('*', Match.stringLikeRegexp('AWS Config of any account may invoke')),
    ).toHaveLength(1);
  });

  it('has no unacknowledged cdk-nag (AwsSolutions) finding and no error annotation', () => {
    const report = new AwsSolutionsChecks().validateScope(byDefault.organization);
    expect(report.violations).toEqual([]);
    expect(
      annotationsOf(byDefault.organization).findError(
        '*',
        Match.stringLikeRegexp('AwsSolutions-.*'),
      ),
    ).toEqual([]);
    expect(annotationsOf(byDefault.organization).findError('*', Match.anyValue())).toEqual([]);
  });
});

describe('organization stack (delegated administrator, account list given)', () => {
  it('calls the StackSet as DELEGATED_ADMIN for the given OUs', () => {
    const stackSet = resourceOf(
      delegatedTemplate,
      'AWS::CloudFormation::StackSet',
      'ExecutionRoleStackSet',
    );
    expect(stackSet.Properties.CallAs).toBe('DELEGATED_ADMIN');
    expect(stackSet.Properties.StackInstancesGroup).toEqual([
      {
        DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cdef3456', 'r-ab12'] },
        Regions: [{ Ref: 'AWS::Region' }],
      },
    ]);
    expect(delegated.assembly.getStackByName(ORGANIZATION_STACK_NAME).template).not.toHaveProperty(
      `Parameters.${TARGET_OUS_PARAMETER}`,
    );
    expect(stackSetTemplate(delegatedTemplate).Resources.ExecutionRole?.Properties.RoleName).toBe(
      'CustomExecution',
    );
  });

  it('excludes the management account from the pack and creates no role there', () => {
    const pack = resourceOf(
      delegatedTemplate,
      'AWS::Config::OrganizationConformancePack',
      'OrganizationConformancePack',
    );
    expect(pack.Properties.ExcludedAccounts).toEqual([MANAGEMENT]);
    expect(pack.Properties.ConformancePackInputParameters).toEqual(
      expect.arrayContaining([
        { ParameterName: 'MaximumExecutionFrequency', ParameterValue: 'One_Hour' },
        { ParameterName: EXECUTION_ROLE_PARAMETER, ParameterValue: 'CustomExecution' },
      ]),
    );
    expect(
      Object.keys(
        delegatedTemplate.findResources('AWS::IAM::Role', {
          Properties: { RoleName: 'CustomExecution' },
        }),
      ),
    ).toEqual([]);
  });

  it('binds each invoke permission to one account (central + members, not management)', () => {
    template.resourceCountIs('AWS::Lambda::Permission', RULE_METADATA.length);
    delegatedTemplate.resourceCountIs('AWS::Lambda::Permission', RULE_METADATA.length * 3);
    for (const rule of RULE_METADATA) {
      const fn = resourceOf(
        delegatedTemplate,
        'AWS::Lambda::Function',
        `Pack${logicalIdOf(rule.name)}Function`,
      );
      const sources = Object.values(
        delegatedTemplate.findResources('AWS::Lambda::Permission', {
          Properties: { FunctionName: { 'Fn::GetAtt': [fn.id, 'Arn'] } },
        }) as Record<string, { Properties: Record<string, unknown> }>,
      ).map((p) => {
        expect(p.Properties.Principal).toBe('config.amazonaws.com');
        expect(p.Properties.SourceArn).toBeUndefined();
        return p.Properties.SourceAccount;
      });
      expect(sources).toEqual(expect.arrayContaining([{ Ref: 'AWS::AccountId' }, ...MEMBERS]));
      expect(sources).toHaveLength(3);
      expect(sources).not.toContain(MANAGEMENT);
    }
    expect(
      annotationsOf(delegated.organization).findWarning('*', Match.stringLikeRegexp('any account')),
    ).toEqual([]);
  });

  it('scopes the central roles to the custom role name inside the given organization', () => {
    for (const rule of RULE_METADATA) {
      delegatedTemplate.hasResourceProperties('AWS::IAM::Role', {
        RoleName: centralRoleName(rule.name),
        Policies: [
          {
            PolicyDocument: {
              Statement: Match.arrayWith([
                {
                  Sid: 'AssumeExecutionRoleInOrganization',
                  Effect: 'Allow',
                  Action: 'sts:AssumeRole',
                  Resource: join('arn:', partition, ':iam::*:role/CustomExecution'),
                  Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-b2c3d4e5f6' } },
                },
              ]),
            },
          },
        ],
      });
    }
  });

  it('applies the frequency to the account stack too', () => {
    templateOf(delegated.account).hasResourceProperties('AWS::Config::ConformancePack', {
      ConformancePackInputParameters: Match.arrayWith([
        { ParameterName: 'MaximumExecutionFrequency', ParameterValue: 'One_Hour' },
      ]),
    });
  });

  it('has no unacknowledged cdk-nag finding', () => {
    expect(new AwsSolutionsChecks().validateScope(delegated.organization).violations).toEqual([]);
  });
});

describe('organization stack inputs', () => {
  const build = (props: Record<string, unknown>) => () =>
    new MfaConfigRulesOrganizationStack(new App({ outdir: tempDir('inputs') }), 'Org', {
      organizationId: 'o-a1b2c3d4e5',
      targetOrganizationalUnitIds: ['r-ab12'],
      ...props,
    });

  it('refuses a delegated-admin deployment without the management account id', () => {
    expect(build({ callAs: 'DELEGATED_ADMIN' })).toThrow(/managementAccountId/);
  });

  it('refuses malformed ids', () => {
    expect(build({ organizationId: 'org-1' })).toThrow(/not an AWS Organizations id/);
    expect(build({ targetOrganizationalUnitIds: ['ou-1'] })).toThrow(/not an OU id/);
    expect(build({ targetOrganizationalUnitIds: [] })).toThrow(/empty/);
    expect(build({ memberAccountIds: ['12345'] })).toThrow(/12-digit/);
    expect(build({ executionRoleName: 'bad name' })).toThrow(/executionRoleName/);
  });

  it('refuses an unknown frequency in context', () => {
    expect(() => synthesizeApp({ maximumExecutionFrequency: 'Daily' })).toThrow(
      /not a Config frequency/,
    );
  });
});

describe('safe to deploy org-wide (issue 11)', () => {
  it('without organizationId: no organization stack, and the account stack synthesizes', () => {
    // Prepare
    expect(cdkJsonContext()).not.toHaveProperty('organizationId');

    // Act
    const plain = synthesizeApp();

    // Assess
    expect(plain.organization).toBeUndefined();
    expect(plain.assembly.stacks.map((s) => s.stackName)).toEqual([ACCOUNT_STACK_NAME]);
    expect(plain.assembly.getStackByName(ACCOUNT_STACK_NAME).template).toHaveProperty('Resources');
    expect(ORGANIZATION_STACK_SKIPPED).toMatch(/-c organizationId=o-/);
  });

  it.each([
    ['o-exampleorgid', /organizationId 'o-exampleorgid' is the AWS documentation's example/],
    ['o-123', /organizationId 'o-123' is not an AWS Organizations id/],
    ['O-ABCDEFGHIJ', /organizationId 'O-ABCDEFGHIJ' is not an AWS Organizations id/],
    ['o-' + 'a'.repeat(33), /organizationId 'o-a+' is not an AWS Organizations id/],
    ['exampleorgid', /organizationId 'exampleorgid' is not an AWS Organizations id/],
  ])('organizationId %s fails the organization stack, naming organizationId', (id, message) => {
    expect(() =>
      buildApp(new App({ outdir: tempDir('bad-org'), context: { organizationId: id } })),
    ).toThrow(message);
  });

  it('reserved concurrency: none in the account stack; the organization stack sizes it from the accounts it expects', () => {
    // Prepare
    const org = (props: Record<string, unknown>) =>
      templateOf(
        new MfaConfigRulesOrganizationStack(new App({ outdir: tempDir('rc') }), 'Org', {
          organizationId: TEST_ORGANIZATION_ID,
          targetOrganizationalUnitIds: ['r-ab12'],
          ...props,
        }),
      );
    const reservations = (t: Template) =>
      Object.values(
        t.findResources('AWS::Lambda::Function') as Record<
          string,
          { Properties: Record<string, unknown> }
        >,
      ).map((fn) => fn.Properties.ReservedConcurrentExecutions);

    // Act
    const account = reservations(templateOf(byDefault.account));
    const noSize = reservations(template);
    const sized = org({ expectedAccounts: 1000 });
    const explicit = reservations(org({ expectedAccounts: 1000, reservedConcurrency: 25 }));
    const listed = reservations(delegatedTemplate);

    // Assess
    expect(account).toEqual(RULE_METADATA.map(() => undefined));
    expect(noSize).toEqual(RULE_METADATA.map(() => undefined));
    expect(
      annotationsOf(byDefault.organization).findWarning(
        '*',
        Match.stringLikeRegexp('No reserved concurrency'),
      ),
    ).toHaveLength(1);
    const plan = reservationPlan(RULE_METADATA, { expectedAccounts: 1000 });
    expect(reservations(sized)).toEqual(RULE_METADATA.map((rule) => plan.perRule[rule.name]));
    expect(plan.quotaNeeded).toBe(plan.total + 100);
    sized.hasOutput('*', { Value: String(plan.quotaNeeded) });
    expect(explicit).toEqual(RULE_METADATA.map(() => 25));
    // The account list (2 members and the central account; the management account excluded).
    expect(listed).toEqual(RULE_METADATA.map((rule) => sizedReservation(rule, 3)));
    expect(() =>
      synthesizeApp({ organizationId: TEST_ORGANIZATION_ID, reservedConcurrency: '0' }),
    ).toThrow(/reservedConcurrency must be an integer from 1 to 1000/);
    expect(() =>
      synthesizeApp({ organizationId: TEST_ORGANIZATION_ID, expectedAccounts: 'many' }),
    ).toThrow(/expectedAccounts must be a whole number/);
  });

  it('the sized reservation clears every expected account within a twelfth of MaximumEventAge', () => {
    for (const accounts of [1, 20, 1000, 5000]) {
      for (const rule of RULE_METADATA) {
        const copies = sizedReservation(rule, accounts);
        const seconds = rule.resourceTypes.includes('AWS::IAM::User') ? 3 : 1;
        expect((accounts * seconds) / copies).toBeLessThanOrEqual(CLEAR_WITHIN_SECONDS);
        expect(CLEAR_WITHIN_SECONDS).toBe(ASYNC_MAX_EVENT_AGE_SECONDS / 12);
      }
    }
  });

  it.each([
    ['account stack', () => byDefault.account],
    ['organization stack, any account', () => byDefault.organization],
    ['organization stack, account list', () => delegated.organization],
  ])('%s: no unacknowledged cdk-nag AwsSolutions or Serverless finding', (_name, stack) => {
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      expect(pack.validateScope(stack()).violations).toEqual([]);
    }
  });

  it('every acknowledgment has a reason an auditor can check', () => {
    for (const stack of [byDefault.account, byDefault.organization, delegated.organization]) {
      const acknowledged = stack.node
        .findAll()
        .flatMap((c) => c.node.metadata)
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.entries(m.data as Record<string, string>));
      const ids = new Set(
        acknowledged.map(([id]) => id.replace(/^annotation::/i, '').replace(/\[.*$/, '')),
      );
      expect([...ids].sort()).toEqual(
        expect.arrayContaining([
          'AwsSolutions-IAM5',
          'Serverless-LambdaDLQ',
          'Serverless-LambdaTracing',
        ]),
      );
      for (const [, reason] of acknowledged) expect(reason.length).toBeGreaterThan(80);
    }
  });

  it("each rule's session policy holds exactly the actions the account stack grants its role", () => {
    const account = templateOf(byDefault.account);
    for (const rule of RULE_METADATA) {
      // Prepare
      const role = resourceOf(account, 'AWS::IAM::Role', `Pack${logicalIdOf(rule.name)}Role`);
      const policies = role.Properties.Policies as {
        PolicyDocument: { Statement: Statement[] };
      }[];
      const granted = (policies[0]?.PolicyDocument.Statement ?? [])
        .filter((s) => s.Sid !== 'OwnLogGroup')
        .flatMap(actionsOf)
        .sort();

      // Act
      const session = JSON.parse(
        sessionPolicy([rule], { partition: 'aws', accountId: '222222222222' }),
      ) as { Statement: Statement[] };

      // Assess
      expect(session.Statement.flatMap(actionsOf).sort()).toEqual(granted);
    }
  });

  it('outside accounts: the central roles may assume only the execution role inside the organization', () => {
    for (const rule of RULE_METADATA) {
      const role = resourceOf(template, 'AWS::IAM::Role', `Pack${logicalIdOf(rule.name)}Role`);
      const statements =
        (role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[])[0]
          ?.PolicyDocument.Statement ?? [];
      expect(statements.map((s) => s.Sid)).toEqual([
        'OwnLogGroup',
        'AssumeExecutionRoleInOrganization',
      ]);
      const assume = statements[1];
      expect(actionsOf(assume ?? { Effect: '', Action: [], Resource: '' })).toEqual([
        'sts:AssumeRole',
      ]);
      expect(assume?.Condition).toEqual({
        StringEquals: { 'aws:ResourceOrgID': TEST_ORGANIZATION_ID },
      });
    }
  });

  it("docs/protection-scp.md's SCP is the one the code generates, for the default role name", () => {
    const page = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'protection-scp.md'), 'utf8');
    const scp = executionRoleProtectionScp(DEFAULT_EXECUTION_ROLE_NAME);
    expect(page).toContain(JSON.stringify(scp, null, 2));
    const statement = (scp.Statement as (Statement & { Sid: string })[]).find(
      (s) => s.Sid === 'ProtectMfaConfigRulesExecutionRole',
    );
    expect(statement?.Effect).toBe('Deny');
    expect(statement?.Resource).toEqual([
      `arn:*:iam::*:role/${DEFAULT_EXECUTION_ROLE_NAME}`,
      `arn:*:iam::*:role/*/${DEFAULT_EXECUTION_ROLE_NAME}`,
    ]);
    expect(actionsOf(statement ?? { Effect: '', Action: [], Resource: '' })).toEqual(
      expect.arrayContaining(['iam:DeleteRole', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy']),
    );
  });
});
