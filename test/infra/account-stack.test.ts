/** MfaConfigRules-Account: functions and conformance pack in one account, cdk-nag clean. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RULE_METADATA } from '../../rules/catalog';
import {
  conformancePackTemplateBody,
  EXECUTION_ROLE_PARAMETER,
  functionArnParameter,
  logicalIdOf,
} from '../../infra/conformance-pack-template';
import * as lib from '../../infra';
import { buildApp } from '../../infra/app-builder';
import { ACCOUNT_STACK_NAME, DEFAULT_PACK_NAME, functionSizing } from '../../infra/settings';
import {
  annotationsOf,
  cdkJsonContext,
  quietly,
  resourceOf,
  synthesizeApp,
  tempDir,
  templateOf,
  type Synthesized,
} from './support/synth';

const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });

let synth: Synthesized;
let template: Template;

beforeAll(() => {
  synth = synthesizeApp();
  template = templateOf(synth.account);
});

describe('account stack', () => {
  it(`is synthesized by default as ${ACCOUNT_STACK_NAME}`, () => {
    expect(synth.account.stackName).toBe(ACCOUNT_STACK_NAME);
    expect(synth.assembly.getStackByName(ACCOUNT_STACK_NAME).template).toBeDefined();
  });

  it('deploys the generated pack as an AWS::Config::ConformancePack with the function ARNs', () => {
    template.resourceCountIs('AWS::Config::ConformancePack', 1);
    const pack = resourceOf(template, 'AWS::Config::ConformancePack', 'ConformancePack');
    expect(pack.Properties.ConformancePackName).toBe(DEFAULT_PACK_NAME);
    expect(pack.Properties.TemplateBody).toBe(conformancePackTemplateBody());
    const expected = [
      { ParameterName: 'MaximumExecutionFrequency', ParameterValue: 'TwentyFour_Hours' },
      ...RULE_METADATA.map((rule) => ({
        ParameterName: functionArnParameter(rule.name),
        ParameterValue: {
          'Fn::GetAtt': [
            resourceOf(template, 'AWS::Lambda::Function', `Pack${logicalIdOf(rule.name)}Function`)
              .id,
            'Arn',
          ],
        },
      })),
    ];
    expect(pack.Properties.ConformancePackInputParameters).toEqual(expected);
    // The functions read their own account: no execution role is passed.
    const names = (
      pack.Properties.ConformancePackInputParameters as { ParameterName: string }[]
    ).map((p) => p.ParameterName);
    expect(names).not.toContain(EXECUTION_ROLE_PARAMETER);
  });

  it("lets only this account's AWS Config invoke each function (SourceAccount and SourceArn)", () => {
    template.resourceCountIs('AWS::Lambda::Permission', RULE_METADATA.length);
    const pack = resourceOf(template, 'AWS::Config::ConformancePack', 'ConformancePack');
    for (const rule of RULE_METADATA) {
      const fn = resourceOf(
        template,
        'AWS::Lambda::Function',
        `Pack${logicalIdOf(rule.name)}Function`,
      );
      const permission = resourceOf(
        template,
        'AWS::Lambda::Permission',
        `Pack${logicalIdOf(rule.name)}FunctionConfigInvoke`,
      );
      expect(permission.Properties).toEqual({
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [fn.id, 'Arn'] },
        Principal: 'config.amazonaws.com',
        SourceAccount: { Ref: 'AWS::AccountId' },
        SourceArn: join(
          'arn:',
          { Ref: 'AWS::Partition' },
          ':config:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':config-rule/*',
        ),
      });
      // The pack waits for the permission, so the first evaluation is not refused.
      expect(pack.DependsOn).toContain(permission.id);
    }
  });

  it('has no unacknowledged cdk-nag (AwsSolutions) finding and no error annotation', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(
      synth.account,
    );
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
    expect(
      annotationsOf(synth.account).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ).toEqual([]);
    expect(annotationsOf(synth.account).findError('*', Match.anyValue())).toEqual([]);
  });

  it('acknowledges each wildcard resource with a specific reason', () => {
    const acknowledged = synth.account.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) {
      expect(id.replace(/^annotation::/i, '')).toMatch(
        // LambdaEventSourceMappingDestination: the event path's SQS mapping (issue 22), whose
        // failures go to the queue's dead-letter queue (Lambda has no SQS on-failure destination).
        /^(AwsSolutions-(IAM5\[Resource::|SQS3$)|Serverless-(Lambda(StarPermissions|DLQ|Tracing|EventSourceMappingDestination)|SQSRedrivePolicy|SNSRedrivePolicy|EventBusDLQ)$)/,
      );
      expect(reason.length).toBeGreaterThan(40);
    }
  });
});

describe('cdk-nag wiring', () => {
  it('does report an unacknowledged wildcard (the check is live)', () => {
    const stack = new Stack(new App({ outdir: tempDir('probe') }), 'Probe');
    const role = new iam.Role(stack, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.success).toBe(false);
    expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-IAM5[Resource::*]');
  });

  it('runs on every synthesis of the app: a finding fails synth', () => {
    const file = path.join(synth.outdir, 'validation-report.json');
    const report = fs.existsSync(file)
      ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { pluginReports: { conclusion: string }[] })
      : { pluginReports: [] };
    expect(report.pluginReports.filter((p) => p.conclusion !== 'success')).toEqual([]);

    const app = new App({ outdir: tempDir('nag-probe'), context: cdkJsonContext() });
    buildApp(app);
    const probe = new Stack(app, 'Probe');
    new iam.Role(probe, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    }).addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    expect(() => quietly(() => app.synth())).toThrow(/AwsSolutions-IAM5\[Resource::\*\]/);
  });
});

describe('construct library (infra/index.ts)', () => {
  it("adds the account pack to a team's own stack", () => {
    const app = new App({ outdir: tempDir('library'), context: cdkJsonContext() });
    const stack = new Stack(app, 'TeamStack');
    const pack = new lib.MfaConfigRulesAccountPack(stack, 'MfaRules', {
      packName: 'team-mfa-rules',
      maximumExecutionFrequency: 'Twelve_Hours',
    });
    expect(pack.functions.map((fn) => fn.rule.name)).toEqual(RULE_METADATA.map((r) => r.name));
    const t = templateOf(stack);
    // One per rule, and the event path's freshness function (issue 22).
    t.resourceCountIs('AWS::Lambda::Function', RULE_METADATA.length + 1);
    t.hasResourceProperties('AWS::Config::ConformancePack', {
      ConformancePackName: 'team-mfa-rules',
      ConformancePackInputParameters: Match.arrayWith([
        { ParameterName: 'MaximumExecutionFrequency', ParameterValue: 'Twelve_Hours' },
      ]),
    });
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  it('exports the constructs and stacks; sizes each function from its rule', () => {
    expect(typeof lib.MfaConfigRulesOrganizationPack).toBe('function');
    expect(typeof lib.MfaConfigRulesAccountStack).toBe('function');
    expect(typeof lib.MfaConfigRulesOrganizationStack).toBe('function');
    for (const m of RULE_METADATA) expect(functionSizing(m.name)).toEqual(m.sizing);
    expect(() => functionSizing('no-such-rule')).toThrow("unknown rule 'no-such-rule'");
  });
});
