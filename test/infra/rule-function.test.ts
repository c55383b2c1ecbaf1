/**
 * RuleFunction, as the default app synthesizes it: runtime, architecture, bundling, log group,
 * asynchronous invocation, exact role permissions; and each bundle loading on its own.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { findRule, RULE_METADATA } from '../../rules/catalog';
import { formatFrameworksShort } from '../../rules/frameworks';
import { ClientProvider } from '../../rules/runtime/clients';
import { CONFIG_ACTION_SCOPES, IAM_ACTION_SCOPES } from '../../rules/runtime/grants';
import { createHandler } from '../../rules/runtime/handler';
import { scheduledEvent } from '../support/events';
import { seedUsers, setRootState, TEST_ACCOUNT_ID } from '../support/moto';
import { useMoto } from '../support/use-moto';
import { logicalIdOf } from '../../infra/conformance-pack-template';
import { grantedActions, rulePermissions, type ResourceScope } from '../../infra/permissions';
import { BUNDLING, ESM_REQUIRE_BANNER } from '../../infra/rule-function';
import {
  ASYNC_MAX_EVENT_AGE_SECONDS,
  ASYNC_MAX_RETRY_ATTEMPTS,
  centralRoleName,
  DEFAULT_EXECUTION_ROLE_NAME,
  DEFAULT_LOG_RETENTION_DAYS,
  LAMBDA_RUNTIME,
} from '../../infra/settings';
import {
  functionAssetDir,
  REPO_ROOT,
  resourceOf,
  synthesizeOrgApp,
  tempDir,
  TEST_ORGANIZATION_ID,
  templateOf,
  type SynthesizedWithOrganization,
} from './support/synth';

/** Target size of each bundle; the load test prints a bundle's size only when it is above. */
const BUNDLE_TARGET_BYTES = 500 * 1024;
const OPTIONAL_SIGNERS = ['@aws-sdk/signature-v4-crt', '@aws-sdk/signature-v4a'];
/** Regression ceiling the suite enforces. */
const BUNDLE_CEILING_BYTES = 1024 * 1024;

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
const partition = { Ref: 'AWS::Partition' };
const account = { Ref: 'AWS::AccountId' };
const region = { Ref: 'AWS::Region' };
const EXPECTED_RESOURCES: Record<ResourceScope, unknown> = {
  any: '*',
  'iam-user': join('arn:', partition, ':iam::', account, ':user/*'),
  'config-rule': join('arn:', partition, ':config:', region, ':', account, ':config-rule/*'),
};

const actionsOf = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

function roleStatements(template: Template, ruleName: string): Statement[] {
  const role = resourceOf(template, 'AWS::IAM::Role', `Pack${logicalIdOf(ruleName)}Role`);
  expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  const policies = role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[];
  expect(policies).toHaveLength(1);
  return policies[0]?.PolicyDocument.Statement ?? [];
}

let synth: SynthesizedWithOrganization;
let account_: Template;
let organization: Template;

const motoEndpoint = useMoto();

/** A periodic event in test mode, and a Lambda-like context naming the test account. */
function periodicRun(rule: string) {
  const event = scheduledEvent(rule, {
    resultToken: 'TESTMODE',
    parameters: {},
    notificationCreationTime: '2026-03-01T10:00:00.000Z',
  });
  const functionArn = `arn:aws:lambda:us-east-1:${TEST_ACCOUNT_ID}:function:${rule}`;
  return { event, functionArn };
}

/** Runs a bundle's handler once in a fresh `node` with only `env`; prints its return value as JSON. */
function runBundle(file: string, rule: string, env: Record<string, string>) {
  const { event, functionArn } = periodicRun(rule);
  const script = [
    `const { handler } = await import(${JSON.stringify(`file://${file}`)});`,
    'const deadline = Date.now() + 60_000;',
    `const summary = await handler(${JSON.stringify(event)}, {`,
    '  getRemainingTimeInMillis: () => deadline - Date.now(),',
    `  invokedFunctionArn: ${JSON.stringify(functionArn)},`,
    '});',
    'process.stdout.write(JSON.stringify(summary));',
  ].join('\n');
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: path.dirname(file),
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: tempDir('home'), ...env },
  });
}

beforeAll(() => {
  synth = synthesizeOrgApp();
  account_ = templateOf(synth.account);
  organization = templateOf(synth.organization);
});

describe.each(RULE_METADATA.map((rule) => [rule.name, rule] as const))(
  '%s function',
  (name, rule) => {
    const id = logicalIdOf(name);

    it(`runs ${LAMBDA_RUNTIME} on arm64 with the sizing of its metadata, named with its controls`, () => {
      for (const template of [account_, organization]) {
        const fn = resourceOf(template, 'AWS::Lambda::Function', `Pack${id}Function`);
        expect(fn.Properties).toEqual(
          expect.objectContaining({
            Runtime: 'nodejs24.x',
            Architectures: ['arm64'],
            Handler: 'index.handler',
            MemorySize: rule.sizing.memoryMiB,
            Timeout: rule.sizing.timeoutSeconds,
            Description: `AWS Config rule ${name}: ${rule.title} (${formatFrameworksShort(rule)})`,
          }),
        );
      }
    });

    it('logs to its own log group, with retention, and may write only there', () => {
      const fn = resourceOf(account_, 'AWS::Lambda::Function', `Pack${id}Function`);
      const logGroup = resourceOf(account_, 'AWS::Logs::LogGroup', `Pack${id}LogGroup`);
      expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: logGroup.id } });
      expect(logGroup.Properties.RetentionInDays).toBe(DEFAULT_LOG_RETENTION_DAYS);
      const logs = roleStatements(account_, name).find((s) => s.Sid === 'OwnLogGroup');
      expect(logs).toEqual({
        Sid: 'OwnLogGroup',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [logGroup.id, 'Arn'] },
      });
    });

    it('retries a failed asynchronous invocation once and drops events older than an hour', () => {
      const fn = resourceOf(account_, 'AWS::Lambda::Function', `Pack${id}Function`);
      account_.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fn.id },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: ASYNC_MAX_RETRY_ATTEMPTS,
        MaximumEventAgeInSeconds: ASYNC_MAX_EVENT_AGE_SECONDS,
      });
      expect(ASYNC_MAX_RETRY_ATTEMPTS).toBe(1);
      expect(ASYNC_MAX_EVENT_AGE_SECONDS).toBe(3600);
    });

    it('account stack: its role holds exactly the actions the rule calls, each narrowly scoped', () => {
      const statements = roleStatements(account_, name).filter((s) => s.Sid !== 'OwnLogGroup');
      const actions = statements.flatMap(actionsOf).sort();
      expect(actions).toEqual(
        [
          ...rule.iamActions,
          'config:PutEvaluations',
          'config:GetComplianceDetailsByConfigRule',
        ].sort(),
      );
      expect(actions).toEqual(grantedActions(rulePermissions(rule)));
      for (const action of [...actions, 'logs:CreateLogStream']) expect(action).not.toContain('*');
      for (const grant of rulePermissions(rule)) {
        const statement = statements.find((s) =>
          grant.actions.every((action) => actionsOf(s).includes(action)),
        );
        expect(statement?.Resource).toEqual(EXPECTED_RESOURCES[grant.scope]);
      }
      // Resource "*" only for actions without a resource type.
      const star = statements.filter((s) => s.Resource === '*').flatMap(actionsOf);
      expect(star.sort()).toEqual(
        actions.filter((a) => (IAM_ACTION_SCOPES[a] ?? CONFIG_ACTION_SCOPES[a]) === 'any').sort(),
      );
      // The per-user reads never run on "*".
      for (const perUser of ['iam:ListMFADevices', 'iam:GetLoginProfile', 'iam:ListUserTags']) {
        expect(star).not.toContain(perUser);
      }
    });

    it('organization stack: its fixed-name role may only assume the execution role in the org', () => {
      const role = resourceOf(organization, 'AWS::IAM::Role', `Pack${id}Role`);
      expect(role.Properties.RoleName).toBe(centralRoleName(name));
      const statements = roleStatements(organization, name).filter((s) => s.Sid !== 'OwnLogGroup');
      expect(statements).toEqual([
        {
          Sid: 'AssumeExecutionRoleInOrganization',
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Resource: join('arn:', partition, `:iam::*:role/${DEFAULT_EXECUTION_ROLE_NAME}`),
          Condition: { StringEquals: { 'aws:ResourceOrgID': TEST_ORGANIZATION_ID } },
        },
      ]);
    });

    it('is bundled as one ESM file with the require banner and the AWS SDK inside', () => {
      const fn = resourceOf(account_, 'AWS::Lambda::Function', `Pack${id}Function`);
      const dir = functionAssetDir(synth.outdir, fn.Properties);
      expect(fs.readdirSync(dir)).toEqual(['index.mjs']);
      const code = fs.readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      // Every static import and require() names a Node.js built-in: the SDK and every other
      // dependency are inside the bundle (the optional SigV4a signers, which IAM, STS and Config
      // never use, only appear in the SDK's error messages).
      const imported = [...code.matchAll(/(?:\bfrom|\bimport)\s*["']([^"']+)["']/g)].map(
        (m) => m[1],
      );
      const required = [...code.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]);
      const external = [...imported, ...required].filter(
        (spec) => spec !== undefined && !isBuiltin(spec) && !OPTIONAL_SIGNERS.includes(spec),
      );
      expect(external).toEqual([]);
      expect(imported.length).toBeGreaterThan(0);
    });

    it('runs as deployed with environment credentials only: the verdicts of the source', async () => {
      // Prepare: an account with every kind of user, and the same run through the source.
      const endpoint = motoEndpoint();
      await seedUsers(endpoint, TEST_ACCOUNT_ID, [
        { name: 'no-mfa', consolePassword: true },
        { name: 'virtual', consolePassword: true, mfa: 'virtual' },
        { name: 'hardware', consolePassword: true, mfa: 'hardware' },
        { name: 'api-only' },
      ]);
      await setRootState(endpoint, { mfaEnabled: true, passwordPresent: true });
      const fn = resourceOf(account_, 'AWS::Lambda::Function', `Pack${id}Function`);
      const bundle = path.join(functionAssetDir(synth.outdir, fn.Properties), 'index.mjs');
      const source = findRule(name);
      if (!source) throw new Error(`${name} is not in the catalog`);
      const saved = { ...process.env };
      Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
      });
      const { event, functionArn } = periodicRun(name);
      const expected = await createHandler(source, {
        clients: new ClientProvider({ endpoint, region: 'us-east-1' }),
      })(event, { getRemainingTimeInMillis: () => 60_000, invokedFunctionArn: functionArn });
      process.env = saved;
      const env = {
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: endpoint,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      };

      // Act
      const withKeys = runBundle(bundle, name, {
        ...env,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_SESSION_TOKEN: 'session',
      });
      const withoutKeys = runBundle(bundle, name, env);

      // Assess
      expect(withKeys.status).toBe(0);
      // The deployed handler returns counts only: the same counts as in-process, nothing else.
      const summary = JSON.parse(withKeys.stdout) as Record<string, unknown>;
      expect(summary.counts).toEqual(expected.counts);
      expect(summary.evaluations).toBe(
        source.metadata.resourceTypes.includes('AWS::IAM::User') ? 4 : 1,
      );
      expect(Object.keys(summary).sort()).toEqual(Object.keys(expected).sort());
      expect(withoutKeys.status).not.toBe(0);
      expect(withoutKeys.stdout).toBe('');
      expect(withoutKeys.stderr).toMatch(/Unable to find environment variable credentials/);
    });

    it('loads on its own from an empty directory and exports handler (size reported)', () => {
      const fn = resourceOf(account_, 'AWS::Lambda::Function', `Pack${id}Function`);
      const source = path.join(functionAssetDir(synth.outdir, fn.Properties), 'index.mjs');
      const dir = tempDir('bundle');
      for (let up = dir; up !== path.dirname(up); up = path.dirname(up)) {
        expect(fs.existsSync(path.join(up, 'node_modules'))).toBe(false);
      }
      const target = path.join(dir, 'index.mjs');
      fs.copyFileSync(source, target);
      const url = `file://${target}`;
      const run = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(url)}); if (typeof m.handler !== 'function') process.exit(1)`,
        ],
        {
          cwd: dir,
          encoding: 'utf8',
          // A hang catcher: importing the bundle takes a second or two, more on a busy machine.
          timeout: 300_000,
          env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' },
        },
      );
      expect(run.stderr).not.toMatch(/Error|Cannot find/);
      expect(run.status).toBe(0);
      const size = fs.statSync(target).size;
      if (size > BUNDLE_TARGET_BYTES) {
        console.warn(
          `${name}: bundle ${(size / 1024).toFixed(1)} KiB, above its target of ${BUNDLE_TARGET_BYTES / 1024} KiB`,
        );
      }
      expect(size).toBeLessThanOrEqual(BUNDLE_CEILING_BYTES);
    });
  },
);

describe('house bundling options', () => {
  it('bundle ESM, minified, tree-shaken, SDK included, ESM-safe require', () => {
    expect(BUNDLING).toEqual(
      expect.objectContaining({
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner:
          "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        minify: true,
        bundleAwsSDK: true,
        externalModules: [],
        forceDockerBundling: false,
      }),
    );
    expect(BUNDLING.esbuildArgs).toEqual(expect.objectContaining({ '--tree-shaking': 'true' }));
  });

  it("replaces the SDK's default credential chain with the Lambda one (an existing file)", () => {
    const target = path.join(REPO_ROOT, 'rules', 'runtime', 'lambda-credentials.ts');
    expect(BUNDLING.esbuildArgs?.['--alias']).toEqual([
      `@aws-sdk/credential-provider-node=${target}`,
    ]);
    expect(fs.existsSync(target)).toBe(true);
  });
});
