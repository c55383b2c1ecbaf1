/** The shared Lambda runtime's clients (clients.ts) through the handler: accounts and roles, identity from the Lambda context, the role cache, test mode. */
import {
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { rule as rootMfa } from '../../rules/root-account-mfa/rule';
import { parseFunctionArn } from '../../rules/runtime/clients';
import { AccountMismatchError, DataLoadError } from '../../rules/runtime/errors';
import { ACCOUNT } from './helpers';
import {
  config,
  createHandler,
  event,
  iam,
  mockRoot,
  OTHER,
  provider,
  sentBatches,
  sts,
} from './runtime-fixtures';

describe('accounts and roles', () => {
  it('assumes ExecutionRoleName in the event account', async () => {
    // Prepare
    mockRoot(true);
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const summary = await handler(
      event({ accountId: OTHER, ruleParameters: '{"ExecutionRoleName":"Auditor"}' }),
    );

    // Assess
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${OTHER}:role/Auditor`,
    });
    expect(summary.accountId).toBe(OTHER);
    expect(sentBatches().flat()).toEqual([
      expect.objectContaining({ ComplianceResourceId: OTHER, ComplianceType: 'COMPLIANT' }),
    ]);
  });

  it('refuses another account without a role (AccountMismatchError)', async () => {
    // Prepare
    mockRoot(true);
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const result = handler(event({ accountId: OTHER }));

    // Assess
    await expect(result).rejects.toBeInstanceOf(AccountMismatchError);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
    expect(iam.calls()).toHaveLength(0);
  });

  it('refuses an assumed role that belongs to another account', async () => {
    // Prepare
    mockRoot(true);
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'AKIA',
        SecretAccessKey: 'secret',
        SessionToken: 'session',
        Expiration: new Date(Date.now() + 3_600_000),
      },
      AssumedRoleUser: { Arn: 'arn:aws:sts::999999999999:assumed-role/Role/s', AssumedRoleId: 'x' },
    });
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const result = handler(
      event({ accountId: OTHER, ruleParameters: '{"ExecutionRoleName":"Auditor"}' }),
    );

    // Assess
    await expect(result).rejects.toBeInstanceOf(AccountMismatchError);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
    expect(iam.calls()).toHaveLength(0);
  });
});

describe('identity from the Lambda context', () => {
  const functionArn = (account: string) =>
    `arn:aws:lambda:us-east-1:${account}:function:mfa-config-rules-root:live`;

  it('takes the account from the function ARN and never calls STS', async () => {
    // Prepare
    mockRoot(true);
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const summary = await handler(event(), {
      getRemainingTimeInMillis: () => 60_000,
      invokedFunctionArn: functionArn(ACCOUNT),
    });

    // Assess
    expect(summary.counts.COMPLIANT).toBe(1);
    expect(sts.calls()).toHaveLength(0);
  });

  it('still refuses an event for another account without a role', async () => {
    // Prepare
    mockRoot(true);
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const result = handler(event({ accountId: OTHER }), {
      getRemainingTimeInMillis: () => 60_000,
      invokedFunctionArn: functionArn(ACCOUNT),
    });

    // Assess
    await expect(result).rejects.toBeInstanceOf(AccountMismatchError);
    expect(sts.calls()).toHaveLength(0);
    expect(iam.calls()).toHaveLength(0);
  });

  it('assumes the role with the partition of the function ARN, without GetCallerIdentity', async () => {
    // Prepare
    mockRoot(true);
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    await handler(event({ accountId: OTHER, ruleParameters: '{"ExecutionRoleName":"Auditor"}' }), {
      getRemainingTimeInMillis: () => 60_000,
      invokedFunctionArn: functionArn(ACCOUNT),
    });

    // Assess
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 0);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${OTHER}:role/Auditor`,
    });
  });

  it('parses function ARNs of every partition and refuses anything else', () => {
    expect(parseFunctionArn('arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:f')).toEqual(
      {
        partition: 'aws-us-gov',
        accountId: '111122223333',
        arn: 'arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:f',
      },
    );
    expect(
      parseFunctionArn(`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:f:$LATEST`).accountId,
    ).toBe(ACCOUNT);
    expect(() => parseFunctionArn(`arn:aws:iam::${ACCOUNT}:role/f`)).toThrow(DataLoadError);
  });
});

describe('role cache and test mode', () => {
  it('assumes the role once across two invocations of one container', async () => {
    // Prepare
    mockRoot(true);
    const handler = createHandler(rootMfa, { clients: provider });
    const input = event({ accountId: OTHER, ruleParameters: '{"ExecutionRoleName":"Auditor"}' });

    // Act
    await handler(input);
    await handler(input);

    // Assess
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
  });

  it('skips clean-up in test mode when the rule does not exist', async () => {
    // Prepare
    mockRoot(true);
    const missing = new Error('no rule');
    missing.name = 'NoSuchConfigRuleException';
    config.on(GetComplianceDetailsByConfigRuleCommand).rejects(missing);
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const summary = await handler(event({ resultToken: 'TESTMODE' }));

    // Assess
    expect(summary.cleared).toBe(0);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
  });

  it('fails outside test mode when the recorded evaluations cannot be read', async () => {
    // Prepare
    mockRoot(true);
    config.on(GetComplianceDetailsByConfigRuleCommand).rejects(new Error('denied'));
    const handler = createHandler(rootMfa, { clients: provider });

    // Act
    const result = handler(event());

    // Assess
    await expect(result).rejects.toBeInstanceOf(DataLoadError);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
  });
});
