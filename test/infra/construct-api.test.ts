/**
 * The construct API a consumer imports: rules chosen by name, per-rule function settings with the
 * current defaults, tags on everything taggable, the package entry's exports (and what it must not
 * load or export).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as lib from '../../infra';
import { functionSizing } from '../../infra/settings';
import { REPO_ROOT } from './support/synth';

const ORGANIZATION = {
  organizationId: 'o-a1b2c3d4e5',
  targetOrganizationalUnitIds: ['r-ab12'],
};

function accountStack(props: lib.MfaConfigRulesAccountPackProps = {}): Stack {
  const stack = new Stack(new App(), 'Consumer');
  new lib.MfaConfigRulesAccountPack(stack, 'MfaRules', props);
  return stack;
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function functionsByRule(template: Template): Record<string, Record<string, unknown>> {
  const functions = template.findResources('AWS::Lambda::Function') as Resources;
  return Object.fromEntries(
    Object.values(functions)
      // The event path's freshness function (issue 22) is not a rule's.
      .filter((fn) => String(fn.Properties.Description).startsWith('AWS Config rule '))
      .map((fn) => {
        const rule = lib.RULE_NAMES.find((name) =>
          String(fn.Properties.Description).includes(`rule ${name}:`),
        );
        return [rule ?? '?', fn.Properties];
      }),
  );
}

describe('choosing rules', () => {
  it('deploys only the rules named, and the pack lists only them', () => {
    // Act
    const template = Template.fromStack(accountStack({ rules: ['root-account-mfa'] }));

    // Assess
    expect(Object.keys(functionsByRule(template))).toEqual(['root-account-mfa']);
    const pack = Object.values(template.findResources('AWS::Config::ConformancePack'))[0] as {
      Properties: { TemplateBody: string };
    };
    expect(pack.Properties.TemplateBody).toContain('root-account-mfa');
    expect(pack.Properties.TemplateBody).not.toContain('iam-user-console-mfa');
  });

  // What a JavaScript caller can pass (TypeScript refuses an unknown rule name at compile time).
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an empty list', { rules: [] }, /rules is empty/],
    [
      'an unknown name',
      { rules: ['root-mfa'] },
      /prop rules\[0\] must be a rule name \(root-account-mfa, .*not the string 'root-mfa'/,
    ],
    ['a repeated rule', { rules: ['root-account-mfa', 'root-account-mfa'] }, /listed twice/],
    [
      'options for a rule not deployed',
      { rules: ['root-account-mfa'], functionOptions: { 'iam-user-console-mfa': {} } },
      /functionOptions names 'iam-user-console-mfa'/,
    ],
    [
      'a memory size Lambda refuses',
      { functionOptions: { 'root-account-mfa': { memorySize: 64 } } },
      /memorySize 64/,
    ],
    [
      'a timeout over 15 minutes',
      { functionOptions: { 'root-account-mfa': { timeout: Duration.minutes(16) } } },
      /timeout/,
    ],
  ])('%s is a construction error', (_label, props, message) => {
    // Act / Assess
    expect(() => accountStack(props as lib.MfaConfigRulesAccountPackProps)).toThrow(message);
  });

  it('the organization pack refuses an empty rule list too', () => {
    // Prepare
    const stack = new Stack(new App(), 'Org');

    // Act / Assess
    expect(
      () =>
        new lib.MfaConfigRulesOrganizationPack(stack, 'MfaRules', { ...ORGANIZATION, rules: [] }),
    ).toThrow(/rules is empty/);
  });
});

describe('per-rule function settings', () => {
  it('defaults to each rule sizing and a one-year retention', () => {
    // Act
    const template = Template.fromStack(accountStack());

    // Assess
    const functions = functionsByRule(template);
    for (const rule of lib.RULE_NAMES) {
      expect(functions[rule]).toEqual(
        expect.objectContaining({
          MemorySize: functionSizing(rule).memoryMiB,
          Timeout: functionSizing(rule).timeoutSeconds,
        }),
      );
    }
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup') as Resources);
    // One per rule function and the event path's function (issue 22).
    expect(groups.map((group) => group.Properties.RetentionInDays)).toEqual(
      [...lib.RULE_NAMES, 'freshness'].map(() => 365),
    );
  });

  it('sets memory, timeout and log retention of one rule and leaves the others', () => {
    // Act
    const template = Template.fromStack(
      accountStack({
        logRetention: logs.RetentionDays.THREE_MONTHS,
        functionOptions: {
          'iam-user-console-mfa': {
            memorySize: 1024,
            timeout: Duration.minutes(10),
            logRetention: logs.RetentionDays.TWO_YEARS,
          },
        },
      }),
    );

    // Assess
    const functions = functionsByRule(template);
    expect(functions['iam-user-console-mfa']).toEqual(
      expect.objectContaining({ MemorySize: 1024, Timeout: 600 }),
    );
    expect(functions['root-account-mfa']).toEqual(
      expect.objectContaining({ MemorySize: 256, Timeout: 60 }),
    );
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup') as Resources);
    expect(groups.map((group) => group.Properties.RetentionInDays).sort()).toEqual([
      731,
      // The other rules' and the event path's function (the pack's retention).
      ...lib.RULE_NAMES.map(() => 90),
    ]);
  });
});

describe('tags', () => {
  it('reach every taggable resource of both packs', () => {
    // Prepare
    const app = new App();
    const account = new Stack(app, 'Account');
    new lib.MfaConfigRulesAccountPack(account, 'MfaRules', { tags: { owner: 'security' } });
    const organization = new Stack(app, 'Organization');
    new lib.MfaConfigRulesOrganizationPack(organization, 'MfaRules', {
      ...ORGANIZATION,
      tags: { owner: 'security' },
    });

    // Act
    const templates = [Template.fromStack(account), Template.fromStack(organization)];

    // Assess
    const taggable = [
      'AWS::Lambda::Function',
      'AWS::IAM::Role',
      'AWS::Logs::LogGroup',
      'AWS::CloudFormation::StackSet',
    ];
    let tagged = 0;
    for (const template of templates) {
      for (const type of taggable) {
        for (const resource of Object.values(template.findResources(type) as Resources)) {
          expect(resource.Properties.Tags).toEqual(
            expect.arrayContaining([{ Key: 'owner', Value: 'security' }]),
          );
          tagged += 1;
        }
      }
    }
    // A function, role and log group per rule and for the event path's function (issue 22) in
    // each pack; the management account's role; the StackSets (execution role, IAM events); the
    // organization pack's exemption registry pipe's role (the account pack has no registry).
    expect(tagged).toBe(2 * 3 * (lib.RULE_NAMES.length + 1) + 1 + 2 + 1);
    // The pipe itself takes tags as a map.
    const pipes = Object.values(templates[1]?.findResources('AWS::Pipes::Pipe') as Resources);
    expect(pipes).toHaveLength(1);
    for (const pipe of pipes) expect(pipe.Properties.Tags).toMatchObject({ owner: 'security' });
  });
});

describe('the package entry', () => {
  it('exports what a CDK user needs (constructs, stacks, rule names, metadata), no internals', () => {
    // Assess
    expect(lib.RULE_METADATA.map((rule) => rule.name)).toEqual(lib.RULE_NAMES);
    expect(lib.RULE_NAME_LIST).toEqual(lib.RULE_NAMES);
    const internals = [
      'BUNDLING',
      'ESM_REQUIRE_BANNER',
      'buildApp',
      'CONTEXT',
      'RULES',
      'findRule',
      'RuleFunction',
      'ExecutionRole',
      'conformancePackTemplate',
      'packPermissions',
      'rulePermissions',
      'functionSizing',
      'automationRuleProps',
      'complianceChangePattern',
    ];
    for (const internal of internals) expect(Object.keys(lib)).not.toContain(internal);
    expect(Object.keys(lib).length).toBeLessThanOrEqual(25);
  });

  it('built (dist/infra/index.js), loads without cdk-nag, esbuild or a TypeScript loader', () => {
    // Act
    const script = [
      `const lib = require(${JSON.stringify(path.join(REPO_ROOT, 'dist', 'infra', 'index.js'))});`,
      'const loaded = Object.keys(require.cache);',
      'const bad = loaded.filter((f) => /node_modules[\\\\/](cdk-nag|esbuild|tsx|ts-node|typescript)[\\\\/]/.test(f));',
      'process.stdout.write(JSON.stringify({ bad, rules: lib.RULE_NAMES, pack: typeof lib.MfaConfigRulesAccountPack }));',
    ].join('\n');
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });

    // Assess
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      bad: [],
      rules: lib.RULE_NAMES,
      pack: 'function',
    });
  });
});

describe('rule parameters', () => {
  const GRACE = { 'iam-user-console-mfa': { GracePeriodDays: '7', MaxExemptionDays: '90' } };

  function inputParameters(template: Template): Record<string, string> {
    const [pack] = Object.values(
      template.findResources('AWS::Config::ConformancePack') as Resources,
    );
    const list = (pack?.Properties.ConformancePackInputParameters ?? []) as {
      ParameterName: string;
      ParameterValue: unknown;
    }[];
    return Object.fromEntries(list.map((p) => [p.ParameterName, String(p.ParameterValue)]));
  }

  it('become the conformance pack input parameters of the rule', () => {
    // Act
    const template = Template.fromStack(accountStack({ ruleParameters: GRACE }));

    // Assess
    const inputs = inputParameters(template);
    expect(inputs.IamUserConsoleMfaGracePeriodDays).toBe('7');
    expect(inputs.IamUserConsoleMfaMaxExemptionDays).toBe('90');
    expect(inputs.IamUserConsoleMfaExemptionTagKey).toBeUndefined(); // the template's default
  });

  it('reach plain Config rules as InputParameters, with every default and no ExecutionRoleName', () => {
    // Act
    const template = Template.fromStack(
      accountStack({ ruleDeployment: 'configRules', ruleParameters: GRACE }),
    );

    // Assess
    const rules = Object.values(template.findResources('AWS::Config::ConfigRule') as Resources);
    const byName = Object.fromEntries(
      rules.map((rule) => [String(rule.Properties.ConfigRuleName), rule.Properties]),
    );
    expect(byName['iam-user-console-mfa']?.InputParameters).toEqual({
      GracePeriodDays: '7',
      ExemptionTagKey: 'mfa-exemption',
      MaxExemptionDays: '90',
      ExemptionSource: 'tags',
    });
    expect(byName['root-account-mfa']?.InputParameters).toBeUndefined();
  });

  it('reach the organization conformance pack', () => {
    // Prepare
    const stack = new Stack(new App(), 'Org');

    // Act
    new lib.MfaConfigRulesOrganizationPack(stack, 'MfaRules', {
      ...ORGANIZATION,
      ruleParameters: { 'iam-user-mfa': { ExemptionTagKey: 'security:waiver' } },
    });

    // Assess
    const [pack] = Object.values(
      Template.fromStack(stack).findResources(
        'AWS::Config::OrganizationConformancePack',
      ) as Resources,
    );
    expect(pack?.Properties.ConformancePackInputParameters).toEqual(
      expect.arrayContaining([
        { ParameterName: 'IamUserMfaExemptionTagKey', ParameterValue: 'security:waiver' },
      ]),
    );
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'a malformed value',
      { ruleParameters: { 'iam-user-console-mfa': { GracePeriodDays: 'seven' } } },
      /ruleParameters: invalid rule parameters for iam-user-console-mfa: GracePeriodDays must be a whole number/,
    ],
    [
      'a parameter the rule does not take',
      { ruleParameters: { 'iam-user-mfa': { GracePeriodDays: '7' } } },
      /iam-user-mfa takes no parameter 'GracePeriodDays'/,
    ],
    [
      'a rule not deployed',
      { rules: ['root-account-mfa'], ruleParameters: { 'iam-user-mfa': {} } },
      /ruleParameters names 'iam-user-mfa', which is not a deployed rule/,
    ],
    [
      'the runtime parameter, which the pack sets itself',
      { ruleParameters: { 'root-account-mfa': { ExecutionRoleName: 'x' } } },
      /root-account-mfa takes no parameter 'ExecutionRoleName' \(it takes: none\)/,
    ],
  ])('refuse %s at synth, naming it', (_label, props, message) => {
    expect(() => accountStack(props as lib.MfaConfigRulesAccountPackProps)).toThrow(message);
  });
});
