/**
 * The pack across an AWS Organization, deployed in the management account or a delegated
 * administrator account (the "central" account):
 *
 *   - one rule function per rule, with reserved concurrency, whose role may only assume
 *     `<executionRoleName>` roles inside the organization (`aws:ResourceOrgID`); the rules pass
 *     `ExecutionRoleName`, so each function reads every account (its own included) through that
 *     role, narrowed by a session policy to its rule's actions; the runtime refuses an event for
 *     another rule, and one whose account is not the account of the role it assumed;
 *   - a service-managed StackSet (auto-deployed to new accounts, one Region: IAM is global) that
 *     creates the execution role in every account of the target OUs;
 *   - the management account, which service-managed StackSets never deploy to: when the stack runs
 *     there (`callAs: 'SELF'`), it creates the execution role itself; from a delegated
 *     administrator (`callAs: 'DELEGATED_ADMIN'`) it cannot, so the management account is
 *     excluded from the organization pack (deploy the account stack there instead);
 *   - an `AWS::Config::OrganizationConformancePack` whose rules invoke the functions.
 *
 * Invoke permissions: Lambda function policies accept only SourceAccount, SourceArn and
 * PrincipalOrgID conditions, PrincipalOrgID does not apply to the AWS Config service principal,
 * and SourceArn must name a 12-digit account (Lambda and CloudFormation reject
 * `arn:…:config:<region>:*:config-rule/*`). So: with `memberAccountIds`, one permission per
 * account (`SourceAccount`); without, one permission for AWS Config of any account, relying on
 * the compensating controls above (an outside account's event names its own account, whose role
 * the central role may not assume: it fails at its first call and is logged as a refused account)
 * and on the reserved concurrency, which bounds what such events can use (README, "Who may invoke
 * the functions").
 */
import { Annotations, Aws, Stack, Token } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as config from 'aws-cdk-lib/aws-config';
import { Construct } from 'constructs';
import {
  operationsOptions,
  packInputParameters,
  ruleParameterInputs,
  packRules,
  ruleFunctionOptions,
  validatePackProps,
  type PackCommonProps,
} from './account-pack';
import { MfaConfigRulesOperations } from './operations';
import {
  conformancePackTemplateBody,
  EXECUTION_ROLE_PARAMETER,
  logicalIdOf,
} from './conformance-pack-template';
import {
  CENTRAL_ACCOUNT_PARAMETER,
  ExecutionRole,
  executionRoleTemplate,
  ORGANIZATION_PARAMETER,
} from './execution-role';
import { RuleFunction } from './rule-function';
import {
  centralRoleName,
  DEFAULT_EXECUTION_FREQUENCY,
  DEFAULT_EXECUTION_ROLE_NAME,
  DEFAULT_PACK_NAME,
  DEFAULT_STACK_SET_NAME,
  EXAMPLE_ORGANIZATION_IDS,
  ORGANIZATION_ID_PATTERN,
} from './settings';

/** Where the stack is deployed from (the StackSet's `CallAs`). */
export const CALL_AS_VALUES = ['SELF', 'DELEGATED_ADMIN'] as const;
export type CallAs = (typeof CALL_AS_VALUES)[number];

/** Beyond about this many per-account statements a Lambda function policy nears its 20 KB cap. */
export const MAX_SOURCE_ACCOUNT_PERMISSIONS = 50;

export interface MfaConfigRulesOrganizationPackProps extends PackCommonProps {
  /** AWS Organizations id (`o-…`): member roles trust only principals of this organization. */
  readonly organizationId: string;
  /** OUs (or the root, `r-…`) whose accounts get the execution role. Use the root for all. */
  readonly targetOrganizationalUnitIds: readonly string[];
  /**
   * `SELF` (default): deployed in the management account. `DELEGATED_ADMIN`: deployed in an
   * account registered as delegated administrator for CloudFormation StackSets and AWS Config.
   */
  readonly callAs?: CallAs;
  /** Required with `DELEGATED_ADMIN`: excluded from the organization pack (see above). */
  readonly managementAccountId?: string;
  /**
   * Every account AWS Config may invoke the functions from (one `SourceAccount` permission each;
   * this stack's account is always added). Absent: `SourceArn` on Config rules of any account.
   */
  readonly memberAccountIds?: readonly string[];
  /** Default: settings.DEFAULT_EXECUTION_ROLE_NAME. */
  readonly executionRoleName?: string;
  /** Default: settings.DEFAULT_STACK_SET_NAME. */
  readonly stackSetName?: string;
}

const OU_ID = /^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/;
const ACCOUNT_ID = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

function check(scope: Construct, ok: boolean, message: string): void {
  if (!ok) throw new Error(`${scope.node.path}: ${message}`);
}

export class MfaConfigRulesOrganizationPack extends Construct {
  readonly functions: readonly RuleFunction[];
  readonly stackSet: cloudformation.CfnStackSet;
  readonly organizationConformancePack: config.CfnOrganizationConformancePack;
  /** The management account's execution role (only with `callAs: 'SELF'`). */
  readonly managementAccountRole?: ExecutionRole;
  /**
   * Alarms, failure queues, alerts and Security Hub automation rules (infra/operations.ts). The
   * compliance-change rule sees this account's Config events only: see the README on routing
   * member accounts' events centrally.
   */
  readonly operations: MfaConfigRulesOperations;

  constructor(scope: Construct, id: string, props: MfaConfigRulesOrganizationPackProps) {
    super(scope, id);
    validatePackProps(this, props);
    const stack = Stack.of(this);
    const rules = packRules(this, props);
    const callAs = props.callAs ?? 'SELF';
    const roleName = props.executionRoleName ?? DEFAULT_EXECUTION_ROLE_NAME;
    const literal = (value: string) => !Token.isUnresolved(value);

    check(
      this,
      !literal(props.organizationId) || ORGANIZATION_ID_PATTERN.test(props.organizationId),
      `organizationId '${props.organizationId}' is not an AWS Organizations id (o- and 10-32 lowercase letters or digits)`,
    );
    check(
      this,
      !EXAMPLE_ORGANIZATION_IDS.includes(props.organizationId),
      `organizationId '${props.organizationId}' is the AWS documentation's example, not your organization: give yours (aws organizations describe-organization)`,
    );
    check(this, ROLE_NAME.test(roleName), `invalid executionRoleName '${roleName}'`);
    // A stack parameter's list (`CfnParameter.valueAsList`) is one encoded token: nothing to check.
    if (!Token.isUnresolved(props.targetOrganizationalUnitIds)) {
      check(
        this,
        props.targetOrganizationalUnitIds.length > 0,
        'targetOrganizationalUnitIds is empty (use the root id r-… to cover the organization)',
      );
      for (const ou of props.targetOrganizationalUnitIds) {
        check(
          this,
          !literal(ou) || OU_ID.test(ou),
          `'${ou}' is not an OU id (ou-…) or root id (r-…)`,
        );
      }
    }
    check(
      this,
      (CALL_AS_VALUES as readonly string[]).includes(callAs),
      `invalid callAs '${callAs}'`,
    );
    if (callAs === 'DELEGATED_ADMIN') {
      check(
        this,
        props.managementAccountId !== undefined,
        "callAs 'DELEGATED_ADMIN' needs managementAccountId: the StackSet cannot create the execution role in the management account, so the pack excludes it",
      );
    }
    if (props.managementAccountId !== undefined) {
      check(
        this,
        !literal(props.managementAccountId) || ACCOUNT_ID.test(props.managementAccountId),
        `managementAccountId '${props.managementAccountId}' is not a 12-digit account id`,
      );
    }
    for (const account of props.memberAccountIds ?? []) {
      check(
        this,
        !literal(account) || ACCOUNT_ID.test(account),
        `'${account}' is not a 12-digit account id`,
      );
    }

    // Central functions: fixed role names (member trust policies name them), AssumeRole only.
    this.functions = rules.map(
      (rule) =>
        new RuleFunction(this, logicalIdOf(rule.name), {
          rule,
          roleName: centralRoleName(rule.name),
          executionRole: { roleName, organizationId: props.organizationId },
          ...ruleFunctionOptions(props, rule),
        }),
    );
    this.grantInvoke(props, callAs);

    const roleSpec = {
      roleName,
      centralRoleNames: rules.map((rule) => centralRoleName(rule.name)),
      rules,
    };
    if (callAs === 'SELF') {
      this.managementAccountRole = new ExecutionRole(this, 'ManagementAccountExecutionRole', {
        ...roleSpec,
        organizationId: props.organizationId,
      });
    }

    this.stackSet = new cloudformation.CfnStackSet(this, 'ExecutionRoleStackSet', {
      stackSetName: props.stackSetName ?? DEFAULT_STACK_SET_NAME,
      description: `Creates ${roleName}, the role the mfa-config-rules functions assume in each account.`,
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      callAs,
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: {
        regionConcurrencyType: 'PARALLEL',
        maxConcurrentPercentage: 100,
        failureTolerancePercentage: 10,
      },
      parameters: [
        { parameterKey: CENTRAL_ACCOUNT_PARAMETER, parameterValue: stack.account },
        { parameterKey: ORGANIZATION_PARAMETER, parameterValue: props.organizationId },
      ],
      // IAM is global: one Region creates the role once per account.
      stackInstancesGroup: [
        {
          deploymentTargets: { organizationalUnitIds: [...props.targetOrganizationalUnitIds] },
          regions: [Aws.REGION],
        },
      ],
      templateBody: JSON.stringify(executionRoleTemplate(roleSpec)),
    });

    this.organizationConformancePack = new config.CfnOrganizationConformancePack(
      this,
      'OrganizationConformancePack',
      {
        organizationConformancePackName: props.packName ?? DEFAULT_PACK_NAME,
        templateBody: conformancePackTemplateBody(rules),
        conformancePackInputParameters: [
          ...packInputParameters(
            this.functions,
            props.maximumExecutionFrequency ?? DEFAULT_EXECUTION_FREQUENCY,
          ),
          { parameterName: EXECUTION_ROLE_PARAMETER, parameterValue: roleName },
          ...ruleParameterInputs(props),
        ],
        ...(callAs === 'DELEGATED_ADMIN' && props.managementAccountId
          ? { excludedAccounts: [props.managementAccountId] }
          : {}),
      },
    );
    // Roles and invoke permissions first, so the first evaluations find them.
    this.organizationConformancePack.node.addDependency(this.stackSet);
    for (const fn of this.functions) {
      this.organizationConformancePack.node.addDependency(...fn.invokePermissions);
    }
    if (this.managementAccountRole) {
      this.organizationConformancePack.node.addDependency(this.managementAccountRole);
    }
    this.operations = new MfaConfigRulesOperations(this, 'Operations', {
      functions: this.functions,
      ...operationsOptions(props),
    });
    // Member accounts' compliance changes arrive in the members: forward them here.
    this.operations.routeOrganizationEvents({
      organizationId: props.organizationId,
      targetOrganizationalUnitIds: props.targetOrganizationalUnitIds,
      callAs,
    });
  }

  private grantInvoke(props: MfaConfigRulesOrganizationPackProps, callAs: CallAs): void {
    const stack = Stack.of(this);
    if (props.memberAccountIds === undefined) {
      for (const fn of this.functions) {
        fn.allowConfigInvoke('ConfigInvokeFromAnyAccount', { anyAccount: true });
      }
      Annotations.of(this).addWarningV2(
        'mfa-config-rules:invokeNotBoundToAccounts',
        `AWS Config of any account may invoke the rule functions (no memberAccountIds given): an outside account's event fails at its first call (its roles are outside the organization) and reads nothing, but uses up to the functions' reserved concurrency and can delay the organization's own evaluations. Give memberAccountIds to bind each permission to an account.`,
      );
      return;
    }
    const excluded = callAs === 'DELEGATED_ADMIN' ? props.managementAccountId : undefined;
    const accounts = [...new Set(props.memberAccountIds)].filter(
      (account) => account !== excluded && account !== stack.account,
    );
    if (accounts.length + 1 > MAX_SOURCE_ACCOUNT_PERMISSIONS) {
      Annotations.of(this).addWarningV2(
        'mfa-config-rules:manySourceAccounts',
        `${accounts.length + 1} per-account invoke permissions per function may exceed the 20 KB Lambda function policy limit; omit memberAccountIds to use one SourceArn permission instead.`,
      );
    }
    for (const fn of this.functions) {
      fn.allowConfigInvoke('ConfigInvokeFromCentralAccount', { sourceAccount: stack.account });
      for (const account of accounts) {
        fn.allowConfigInvoke(`ConfigInvokeFrom${account}`, { sourceAccount: account });
      }
    }
  }
}
