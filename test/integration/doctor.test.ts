/**
 * `mfa-config-rules doctor` (the built CLI, as a pipeline runs it) against the extended moto:
 * passes on a prepared account, fails naming the fix on an account without a recorder, one
 * recording no IAM users, one whose Lambda quota cannot hold the reservation; organization and
 * deployed checks. moto serves every API doctor calls; Lambda GetAccountSettings and Config
 * DescribeConfigRuleEvaluationStatus come from test/moto/server.py (section j), the rest is moto's.
 */
import {
  ConfigServiceClient,
  PutConfigRuleCommand,
  PutConfigurationAggregatorCommand,
  PutConfigurationRecorderCommand,
  PutDeliveryChannelCommand,
  StartConfigurationRecorderCommand,
} from '@aws-sdk/client-config-service';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  EnableAWSServiceAccessCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { EnableSecurityHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { RULE_METADATA } from '../../rules/catalog';
import { runCli, type Outcome } from '../support/cli';
import { motoClientConfig, TEST_ACCOUNT_ID } from '../support/moto';
import { useMoto } from '../support/use-moto';

const endpoint = useMoto();
const REGION = 'us-east-1';

interface Check {
  id: string;
  status: 'pass' | 'fail' | 'warn';
  read: string;
  fix?: string;
}

const doctor = (...args: string[]): Promise<Outcome> =>
  runCli(['doctor', '--endpoint-url', endpoint(), '--region', REGION, ...args]);

async function doctorJson(
  ...args: string[]
): Promise<{ code: number | null; checks: Check[]; ok: boolean }> {
  const out = await doctor(...args, '--output', 'json');
  expect(out.stderr).toBe('');
  const parsed = JSON.parse(out.stdout) as {
    ok: boolean;
    checks: Check[];
    accountId: string;
    region: string;
  };
  expect(parsed.accountId).toBe(TEST_ACCOUNT_ID);
  expect(parsed.region).toBe(REGION);
  return { code: out.code, checks: parsed.checks, ok: parsed.ok };
}

/** `expect.stringContaining`, typed (it returns `any`). */
const containing = (text: string): string => expect.stringContaining(text) as string;

const check = (checks: readonly Check[], id: string): Check => {
  const found = checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}: ${checks.map((c) => c.id).join(', ')}`);
  return found;
};

const clients = () => {
  const cfg = motoClientConfig(endpoint());
  return {
    config: new ConfigServiceClient(cfg),
    configIn: (region: string) => new ConfigServiceClient({ ...cfg, region }),
    iam: new IAMClient(cfg),
    lambda: new LambdaClient(cfg),
    organizations: new OrganizationsClient(cfg),
    securityHub: new SecurityHubClient(cfg),
  };
};

/** An account ready for the account stack: recorder (IAM users included) recording, channel, Security Hub. */
async function prepare(
  recordingGroup: Record<string, unknown> = {
    allSupported: true,
    includeGlobalResourceTypes: true,
  },
): Promise<void> {
  const { config, securityHub } = clients();
  await config.send(
    new PutConfigurationRecorderCommand({
      ConfigurationRecorder: {
        name: 'default',
        roleARN: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/config`,
        recordingGroup,
      },
    }),
  );
  await config.send(
    new PutDeliveryChannelCommand({
      DeliveryChannel: { name: 'default', s3BucketName: 'config-bucket' },
    }),
  );
  await config.send(
    new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }),
  );
  await securityHub.send(new EnableSecurityHubCommand({}));
}

async function setQuota(quota: number): Promise<void> {
  const response = await fetch(`${endpoint()}/moto-ext/lambda-concurrency`, {
    method: 'POST',
    body: JSON.stringify({ accountId: TEST_ACCOUNT_ID, quota }),
  });
  expect(response.ok).toBe(true);
}

async function post(path: string, body: unknown): Promise<void> {
  const response = await fetch(`${endpoint()}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${await response.text()}`);
}

describe('doctor, one account', () => {
  it('passes on a prepared account: every check a line with ✔ (or ! for a warning), exit 0', async () => {
    // Prepare
    await prepare();

    // Act
    const out = await doctor('--rule-deployment', 'configRules');

    // Assess
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`mfa-config-rules doctor — account ${TEST_ACCOUNT_ID}, Region ${REGION}`);
    expect(lines.slice(1, -1).every((line) => line.startsWith('✔ '))).toBe(true);
    expect(lines.at(-1)).toBe('7 checks: 7 passed, 0 failed, 0 warnings');
    const { checks, ok } = await doctorJson('--rule-deployment', 'configRules');
    expect(ok).toBe(true);
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['config-recorder', 'pass'],
      ['config-records-iam-users', 'pass'],
      ['config-global-one-region', 'pass'],
      ['config-delivery-channel', 'pass'],
      ['lambda-concurrency', 'pass'],
      ['security-hub', 'pass'],
      ['iam-credential-report', 'pass'],
    ]);
  });

  it('fails without a recorder, naming the fix', async () => {
    // Act
    const out = await doctor();
    const { checks } = await doctorJson();

    // Assess
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(
      '✘ AWS Config recorder records: DescribeConfigurationRecorders in 123456789012 us-east-1: no configuration recorder',
    );
    expect(check(checks, 'config-recorder')).toMatchObject({
      status: 'fail',
      fix: containing('put-configuration-recorder'),
    });
    expect(check(checks, 'config-delivery-channel').status).toBe('fail');
  });

  it('fails on a recorder that records no IAM users, naming the fix', async () => {
    // Prepare
    await prepare({
      allSupported: false,
      includeGlobalResourceTypes: false,
      resourceTypes: ['AWS::S3::Bucket'],
    });

    // Act
    const { code, checks } = await doctorJson();

    // Assess
    expect(code).toBe(1);
    expect(check(checks, 'config-recorder').status).toBe('pass');
    expect(check(checks, 'config-records-iam-users')).toMatchObject({
      status: 'fail',
      read: containing('does not record AWS::IAM::User'),
      fix: containing('includeGlobalResourceTypes=true'),
    });
  });

  it('fails when the Lambda quota cannot hold the reservation, naming the quota to ask for', async () => {
    // Prepare: one function per rule × 10 reserved, plus the 100 Lambda keeps unreserved, need
    // more than the account's 120.
    const reserved = RULE_METADATA.length * 10;
    const needed = 100 + reserved;
    await prepare();
    await setQuota(120);

    // Act
    const low = await doctorJson('--reserved-concurrency', '10');
    const none = await doctorJson();

    // Assess
    expect(low.code).toBe(1);
    expect(check(low.checks, 'lambda-concurrency')).toMatchObject({
      status: 'fail',
      read: containing(
        `account quota 120, unreserved 120; the stack reserves ${String(reserved)}: only ${String(120 - reserved)} would stay unreserved`,
      ),
      fix: containing(`--desired-value ${String(needed)}`),
    });
    // The account stack's default reserves nothing: any quota works.
    expect(check(none.checks, 'lambda-concurrency').status).toBe('pass');
    await setQuota(needed);
    expect(
      check((await doctorJson('--reserved-concurrency', '10')).checks, 'lambda-concurrency').status,
    ).toBe('pass');
  });

  it('fails when IAM global resources are also recorded in another Region', async () => {
    // Prepare
    await prepare();
    await clients()
      .configIn('eu-west-1')
      .send(
        new PutConfigurationRecorderCommand({
          ConfigurationRecorder: {
            name: 'default',
            roleARN: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/config`,
            recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
          },
        }),
      );

    // Act
    const { checks } = await doctorJson();

    // Assess
    expect(check(checks, 'config-global-one-region')).toMatchObject({
      status: 'fail',
      read: containing('also recorded in eu-west-1'),
    });
  });

  it('Security Hub automation needs Security Hub enabled', async () => {
    // Prepare: a recorder but no Security Hub.
    const { config } = clients();
    await config.send(
      new PutConfigurationRecorderCommand({
        ConfigurationRecorder: {
          name: 'default',
          roleARN: 'arn:aws:iam::123456789012:role/c',
          recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
        },
      }),
    );

    // Act
    const plain = await doctorJson();
    const automation = await doctorJson('--security-hub-automation');

    // Assess
    expect(check(plain.checks, 'security-hub').status).toBe('warn');
    expect(check(automation.checks, 'security-hub')).toMatchObject({
      status: 'fail',
      fix: containing('enable-security-hub'),
    });
  });

  it.each([
    [['--target-ous', 'r-ab12'], '--target-ous needs --organization'],
    [
      ['--reserved-concurrency', 'ten'],
      "--reserved-concurrency must be a whole number of at least 1, not 'ten'",
    ],
    [['--organization', '--target-ous', 'ou-1'], "--target-ous: 'ou-1' is not an OU id"],
    [['--output', 'yaml'], "option '--output <format>' argument 'yaml' is invalid"],
  ])('usage error %j: exit 2, one line, nothing on stdout', async (args, message) => {
    const out = await doctor(...args);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(out.stderr).toContain(message);
  });
});

describe('doctor --organization', () => {
  it('checks trusted access, who deploys, the organization and OU ids', async () => {
    // Prepare
    await prepare();
    const { organizations } = clients();
    const org = await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const root = (await organizations.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    const ou = await organizations.send(
      new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'workloads' }),
    );
    const ouId = ou.OrganizationalUnit?.Id ?? '';
    const args = [
      '--organization',
      '--organization-id',
      org.Organization?.Id ?? '',
      '--target-ous',
      `${root},${ouId}`,
    ];

    // Act
    const before = await doctorJson(...args);
    for (const principal of [
      'config-multiaccountsetup.amazonaws.com',
      'member.org.stacksets.cloudformation.amazonaws.com',
    ]) {
      await organizations.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: principal }));
    }
    const after = await doctorJson(...args);
    const wrong = await doctorJson(
      '--organization',
      '--organization-id',
      'o-zzzzzzzzzz',
      '--target-ous',
      'ou-zzzz-zzzzzzzz',
    );

    // Assess
    expect(check(before.checks, 'org-trusted-access')).toMatchObject({
      status: 'fail',
      fix: containing(
        'enable-aws-service-access --service-principal config-multiaccountsetup.amazonaws.com',
      ),
    });
    expect(after.code).toBe(0);
    expect(
      after.checks.filter((c) => c.id.startsWith('org-')).map((c) => [c.id, c.status]),
    ).toEqual([
      ['org-organization', 'pass'],
      ['org-trusted-access', 'pass'],
      ['org-caller', 'pass'],
      ['org-targets', 'pass'],
    ]);
    expect(check(after.checks, 'org-caller').read).toBe(
      'this is the management account (callAs SELF)',
    );
    expect(check(wrong.checks, 'org-organization')).toMatchObject({
      status: 'fail',
      fix: `deploy with -c organizationId=${org.Organization?.Id ?? ''}`,
    });
    expect(check(wrong.checks, 'org-targets')).toMatchObject({
      status: 'fail',
      read: 'not in the organization: ou-zzzz-zzzzzzzz',
    });
  });
});

/** Deploys what the account stack would, in moto: a function per rule, its Config rule, its invoke permission. */
async function deployRules(options: { sourceAccounts?: readonly string[] } = {}): Promise<void> {
  const { iam, lambda, config } = clients();
  const role = await iam.send(
    new CreateRoleCommand({ RoleName: 'rule', AssumeRolePolicyDocument: '{}' }),
  );
  // The smallest valid zip archive (an empty one): moto stores the code, nothing runs it.
  const zip = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...Array<number>(18).fill(0)]);
  for (const rule of RULE_METADATA) {
    const fn = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: `fn-${rule.name}`,
        Runtime: 'nodejs22.x',
        Role: role.Role?.Arn ?? '',
        Handler: 'index.handler',
        Code: { ZipFile: zip },
        Description: `AWS Config rule ${rule.name}: ${rule.title}`,
      }),
    );
    for (const account of options.sourceAccounts ?? [TEST_ACCOUNT_ID]) {
      await lambda.send(
        new AddPermissionCommand({
          FunctionName: fn.FunctionName ?? '',
          StatementId: `config-${account}`,
          Action: 'lambda:InvokeFunction',
          Principal: 'config.amazonaws.com',
          SourceAccount: account,
        }),
      );
    }
    await config.send(
      new PutConfigRuleCommand({
        ConfigRule: {
          ConfigRuleName: rule.name,
          Source: {
            Owner: 'CUSTOM_LAMBDA',
            SourceIdentifier: fn.FunctionArn ?? '',
            SourceDetails: [
              {
                EventSource: 'aws.config',
                MessageType: 'ScheduledNotification',
                MaximumExecutionFrequency: 'TwentyFour_Hours',
              },
            ],
          },
        },
      }),
    );
  }
}

const now = () => Date.now() / 1000;

describe('doctor --deployed', () => {
  it('account: every rule present, last invocation succeeded, results; a failed last run names its error', async () => {
    // Prepare
    await prepare();
    await deployRules();
    for (const rule of RULE_METADATA) {
      await post('/moto-ext/rule-status', {
        accountId: TEST_ACCOUNT_ID,
        region: REGION,
        rule: rule.name,
        lastSuccessful: now() - 60,
      });
      await post('/moto-ext/evaluations', {
        accountId: TEST_ACCOUNT_ID,
        region: REGION,
        rule: rule.name,
        evaluations: [
          {
            resourceType: 'AWS::::Account',
            resourceId: TEST_ACCOUNT_ID,
            complianceType: 'COMPLIANT',
          },
        ],
      });
    }

    // Act
    const good = await doctorJson('--deployed', '--rule-deployment', 'configRules');
    await post('/moto-ext/rule-status', {
      accountId: TEST_ACCOUNT_ID,
      region: REGION,
      rule: 'iam-user-mfa',
      lastSuccessful: now() - 3600,
      lastFailed: now() - 60,
      errorCode: 'DeadlineError',
      errorMessage: 'stopped before the Lambda timeout',
    });
    const bad = await doctorJson('--deployed', '--rule-deployment', 'configRules');

    // Assess
    expect(good.code).toBe(0);
    expect(good.checks.slice(-3).map((c) => [c.id, c.status])).toEqual([
      ['rules-exist', 'pass'],
      ['rules-last-invocation', 'pass'],
      ['results', 'pass'],
    ]);
    expect(bad.code).toBe(1);
    expect(check(bad.checks, 'rules-last-invocation')).toMatchObject({
      status: 'fail',
      read: 'last invocation failed: iam-user-mfa (DeadlineError: stopped before the Lambda timeout)',
    });
  });

  it('account: a rule missing and rules without results are named', async () => {
    // Prepare
    await prepare();

    // Act
    const { checks } = await doctorJson('--deployed');

    // Assess
    expect(check(checks, 'rules-exist')).toMatchObject({
      status: 'fail',
      read: `no Config rule for ${RULE_METADATA.map((r) => r.name).join(', ')} in ${TEST_ACCOUNT_ID} ${REGION}`,
    });
  });

  it('organization: lists the accounts in scope with no results and those whose Config may not invoke', async () => {
    // Prepare: an organization of the management account and three members, one added after the
    // stack's memberAccountIds were written.
    await prepare();
    const { organizations, config } = clients();
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const root = (await organizations.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    const ou =
      (
        await organizations.send(
          new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'members' }),
        )
      ).OrganizationalUnit?.Id ?? '';
    const members: string[] = [];
    for (const name of ['a', 'b', 'late']) {
      const created = await organizations.send(
        new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }),
      );
      const id = created.CreateAccountStatus?.AccountId ?? '';
      await organizations.send(
        new MoveAccountCommand({ AccountId: id, SourceParentId: root, DestinationParentId: ou }),
      );
      members.push(id);
    }
    const [a, b, late] = members as [string, string, string];
    await deployRules({ sourceAccounts: [TEST_ACCOUNT_ID, a, b] });
    await config.send(
      new PutConfigurationAggregatorCommand({
        ConfigurationAggregatorName: 'org',
        OrganizationAggregationSource: {
          RoleArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/agg`,
          AllAwsRegions: true,
        },
      }),
    );
    for (const account of [TEST_ACCOUNT_ID, a]) {
      await post('/moto-ext/evaluations', {
        accountId: account,
        region: REGION,
        rule: 'root-account-mfa',
        evaluations: [
          { resourceType: 'AWS::::Account', resourceId: account, complianceType: 'NON_COMPLIANT' },
        ],
      });
    }

    // Act
    const { code, checks } = await doctorJson(
      '--deployed',
      '--organization',
      '--target-ous',
      ou,
      '--aggregator',
      'org',
      '--rule-deployment',
      'configRules',
    );

    // Assess
    expect(code).toBe(1);
    expect(check(checks, 'org-invoke-permissions')).toMatchObject({
      status: 'fail',
      read: containing(`AWS Config of ${late} may not invoke the functions`),
    });
    const results = check(checks, 'org-results');
    expect(results.status).toBe('fail');
    expect(results.read).toContain(
      `2 of 4 accounts in scope have no results in aggregator 'org' (${REGION}): ${[b, late].sort().join(', ')}`,
    );
  });
});
