/**
 * No silent no-ops (issue 19): every construct checks its props at run time, for JavaScript
 * callers, and the app checks every context key. Each mistake is one line naming the prop (or key)
 * and what to write instead. (test/consumer runs the same mistakes in a packed JavaScript app.)
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lib from '../../infra';
import { RULE_METADATA } from '../../rules/catalog';
import { buildApp } from '../../infra/app-builder';
import { RuleFunction, type RuleFunctionProps } from '../../infra/rule-function';
import { cdkJsonContext, tempDir } from './support/synth';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const ORG = { organizationId: 'o-a1b2c3d4e5', targetOrganizationalUnitIds: ['r-ab12'] };

function error(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('no error');
}

const stack = () => new Stack(new App({ outdir: tempDir('props') }), 'S');
const accountPack = (props: Record<string, unknown>) => () =>
  new lib.MfaConfigRulesAccountPack(stack(), 'P', props);
const orgPack = (props: Record<string, unknown>) => () =>
  new lib.MfaConfigRulesOrganizationPack(
    stack(),
    'P',
    props as unknown as lib.MfaConfigRulesOrganizationPackProps,
  );

describe('construct props, as a JavaScript caller passes them', () => {
  it.each<[string, () => unknown, RegExp]>([
    [
      'notificationEmails (the context key) on the account pack',
      accountPack({ notificationEmails: ['sec@example.com'] }),
      /^S\/P: unknown prop notificationEmails: that is the context key; as a prop write notifications: \{ emails: \['…'\] \} \(valid: packName, .*\)$/,
    ],
    [
      'securityHubAutomation (the context key) on the organization pack',
      orgPack({ ...ORG, securityHubAutomation: true }),
      /^S\/P: unknown prop securityHubAutomation: that is the context key; as a prop write securityHub: true \(valid: .*securityHubAdministrator\)$/,
    ],
    [
      'a misspelt prop',
      accountPack({ reservedConcurency: 5 }),
      /unknown prop reservedConcurency: did you mean 'reservedConcurrency'\?/,
    ],
    [
      'timeout: 600 (a number, not a Duration)',
      accountPack({ functionOptions: { 'iam-user-mfa': { timeout: 600 } } }),
      /^S\/P: prop functionOptions\['iam-user-mfa'\]\.timeout must be a Duration \(e\.g\. Duration\.seconds\(600\), from aws-cdk-lib\), not the number 600$/,
    ],
    [
      "emails: 'a@b.c' (a string, not a list)",
      accountPack({ notifications: { emails: 'a@b.c' } }),
      /^S\/P: prop notifications\.emails must be an array of strings, not the string 'a@b\.c'$/,
    ],
    [
      'a missing targetOrganizationalUnitIds',
      orgPack({ organizationId: 'o-a1b2c3d4e5' }),
      /^S\/P: prop targetOrganizationalUnitIds is required$/,
    ],
    [
      'functionOptions for a rule that does not exist',
      accountPack({ functionOptions: { 'iam-user-mfaa': {} } }),
      /prop functionOptions has the key 'iam-user-mfaa', which is not one of root-account-mfa, /,
    ],
    [
      'an unknown ruleDeployment',
      orgPack({ ...ORG, ruleDeployment: 'plain' }),
      /prop ruleDeployment must be one of 'conformancePack', 'configRules', not the string 'plain'/,
    ],
    [
      'securityHub on the organization pack without securityHubAdministrator',
      orgPack({ ...ORG, securityHub: true }),
      /securityHub \(automation rules\) needs securityHubAdministrator: true/,
    ],
    [
      'props that are not an object',
      accountPack('root-account-mfa' as unknown as Record<string, unknown>),
      /props must be an object, not the string 'root-account-mfa'/,
    ],
    [
      'a stack prop misspelt on the stack',
      () =>
        new lib.MfaConfigRulesAccountStack(new App(), 'A', {
          stackname: 'x',
        } as unknown as lib.MfaConfigRulesAccountStackProps),
      /^A: unknown prop stackname: did you mean 'stackName'\?/,
    ],
    [
      'a RuleFunction without its rule',
      () => new RuleFunction(stack(), 'F', {} as unknown as RuleFunctionProps),
      /^S\/F: prop rule is required$/,
    ],
  ])('%s: one line naming it', (_label, build, message) => {
    const text = error(build);
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });

  it('accepts what the README documents, stack props included', () => {
    const app = new App({ outdir: tempDir('props-ok'), context: NO_BUNDLING });
    expect(
      () =>
        new lib.MfaConfigRulesOrganizationStack(app, 'Org', {
          ...ORG,
          env: { region: 'eu-west-1' },
          description: 'x',
          tags: { owner: 'security' },
          ruleDeployment: 'configRules',
          expectedAccounts: 40,
          functionOptions: { 'iam-user-mfa': { timeout: Duration.minutes(10) } },
          ruleParameters: { 'iam-user-console-mfa': { GracePeriodDays: '7' } },
          notifications: { emails: ['sec@example.com'] },
        }),
    ).not.toThrow();
  });
});

describe('context keys', () => {
  const build = (context: Record<string, unknown>) => () =>
    buildApp(
      new App({
        outdir: tempDir('ctx'),
        context: { ...cdkJsonContext(), ...NO_BUNDLING, ...context },
      }),
    );

  it('a misspelt key fails with one line naming the closest known key', () => {
    const text = error(build({ notificationEmail: 'sec@example.com' }));
    expect(text).toMatch(
      /^unknown context key 'notificationEmail': did you mean 'notificationEmails'\? \(the app reads: /,
    );
    expect(text).not.toContain('\n');
    expect(error(build({ organisationId: 'o-a1b2c3d4e5' }))).toMatch(
      /did you mean 'organizationId'/,
    );
  });

  it("leaves the CDK's own keys (feature flags, CLI settings, lookups) alone", () => {
    expect(
      build({
        'aws:cdk:enable-path-metadata': true,
        'acknowledged-issue-numbers': [1],
        'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a'],
      }),
    ).not.toThrow();
  });

  it('securityHubAutomation on the organization stack needs securityHubAdministrator=true', () => {
    const org = { organizationId: 'o-a1b2c3d4e5', targetOrganizationalUnitIds: 'r-ab12' };
    const text = error(build({ ...org, securityHubAutomation: 'true' }));
    expect(text).toMatch(
      /^context securityHubAutomation=true: the organization stack can create Security Hub automation rules only in the Security Hub administrator account .*-c securityHubAdministrator=true.*-c securityHubAutomation=account/,
    );
    expect(text).not.toContain('\n');
    // Per stack: the account stack alone, or the organization stack in the administrator account.
    const accountOnly = build({ ...org, securityHubAutomation: 'account' })();
    expect(accountOnly.account.pack.operations.automationRules).toHaveLength(RULE_METADATA.length);
    expect(accountOnly.organization?.pack.operations.automationRules).toEqual([]);
    const admin = build({
      ...org,
      securityHubAutomation: 'true',
      securityHubAdministrator: 'true',
    })();
    expect(admin.organization?.pack.operations.automationRules).toHaveLength(RULE_METADATA.length);
  });
});
