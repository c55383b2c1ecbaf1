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
 * and on the reserved concurrency, which bounds what such events can use (docs/security-model.md, "Who may invoke
 * the functions").
 */
import { Annotations, Aws, CfnOutput, Stack, Token } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as config from 'aws-cdk-lib/aws-config';
import { Construct } from 'constructs';
import {
  checkWriters,
  exemptionOptions,
  takesExemptionSource,
  operationsOptions,
  packInputParameters,
  ruleParameterInputs,
  packRules,
  ruleFunctionOptions,
  ruleParameterValues,
  validatePackProps,
  type PackCommonProps,
} from './account-pack';
import {
  isRuleDeployment,
  plainConfigRules,
  RULE_DEPLOYMENTS,
  type RuleDeployment,
} from './plain-rules';
import { MfaConfigRulesOperations } from './operations';
import { ExemptionRegistry } from './exemption-registry';
import {
  ORGANIZATION_EXEMPTION_SOURCE,
  readsRegistrySource,
  type ExemptionSource,
} from '../rules/runtime/exemption-source';
import {
  conformancePackTemplateBody,
  EXECUTION_ROLE_PARAMETER,
  logicalIdOf,
} from './conformance-pack-template';
import {
  CENTRAL_ACCOUNT_PARAMETER,
  ExecutionRole,
  executionRoleProtectionScp,
  executionRoleTemplate,
  ORGANIZATION_PARAMETER,
} from './execution-role';
import { RuleFunction } from './rule-function';
import { FRESHNESS_ROLE_NAME, freshnessMode, MfaConfigRulesFreshness } from './freshness';
import { ORGANIZATION_PACK_SPEC, validateProps } from './validate';
import type { RuleMetadata } from '../rules/runtime/types';
import {
  centralRoleName,
  DEFAULT_EXECUTION_FREQUENCY,
  DEFAULT_EXECUTION_ROLE_NAME,
  DEFAULT_PACK_NAME,
  DEFAULT_STACK_SET_NAME,
  EXAMPLE_ORGANIZATION_IDS,
  MAX_RESERVED_CONCURRENCY,
  ORGANIZATION_ID_PATTERN,
  reservationPlan,
  type ReservationPlan,
} from './settings';

/** Name of the StackSet that deploys the plain Config rules (`ruleDeployment: 'configRules'`). */
export const DEFAULT_RULES_STACK_SET_NAME = 'mfa-config-rules-config-rules';

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
  /**
   * `conformancePack` (default): one `AWS::Config::OrganizationConformancePack`. `configRules`:
   * plain `AWS::Config::ConfigRule` custom Lambda rules, named exactly as the rules, in every
   * account of the target OUs (a service-managed StackSet) and in this account when it is the
   * management account (`callAs: 'SELF'`), invoking the central functions: their results reach
   * Security Hub, which receives no evaluations of organization (service-linked) rules.
   */
  readonly ruleDeployment?: RuleDeployment;
  /** Default: `DEFAULT_RULES_STACK_SET_NAME` (`ruleDeployment: 'configRules'` only). */
  readonly rulesStackSetName?: string;
  /**
   * How many accounts the pack evaluates: each function's reserved concurrency is sized to clear
   * a periodic run of all of them together (settings.ts `sizedReservation`), and the stack outputs
   * the Lambda concurrency quota that needs. Default: the number of `memberAccountIds` (with this
   * account); without either, nothing is reserved (and the synth warns). `reservedConcurrency`
   * overrides the sizing.
   */
  readonly expectedAccounts?: number;
  /**
   * Whether this (central) account is the organization's Security Hub administrator. Security Hub
   * automation rules (`securityHub`) can only be created there ("Only the Security Hub
   * administrator account can run this command": AWS CLI reference, create-automation-rule), and a
   * refused create rolls the whole stack back, StackSets included; so `securityHub` in this pack is
   * refused at synth unless this is `true`. Default: false.
   */
  readonly securityHubAdministrator?: boolean;
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
  /** The organization conformance pack (absent with `ruleDeployment: 'configRules'`). */
  readonly organizationConformancePack?: config.CfnOrganizationConformancePack;
  /** `ruleDeployment: 'configRules'`: the StackSet of plain rules in every member account. */
  readonly rulesStackSet?: cloudformation.CfnStackSet;
  /** `ruleDeployment: 'configRules'` with `callAs: 'SELF'`: this account's plain rules. */
  readonly centralConfigRules: readonly config.CfnConfigRule[];
  /** Each function's reserved concurrency and the quota it needs. */
  readonly reservation: ReservationPlan;
  /** The management account's execution role (only with `callAs: 'SELF'`). */
  readonly managementAccountRole?: ExecutionRole;
  /**
   * Alarms, failure queues, alerts and Security Hub automation rules (infra/operations.ts). The
   * compliance-change rule sees this account's Config events only: see docs/operating.md on routing
   * member accounts' events centrally.
   */
  readonly operations: MfaConfigRulesOperations;
  /** The role the functions assume in each account. */
  readonly executionRoleName: string;
  /** Where the user rules take exemptions from (default `registry`). */
  readonly exemptionSource: ExemptionSource;
  /** The central exemption registry (absent with `exemptionSource: 'tags'`). */
  readonly exemptionRegistry?: ExemptionRegistry;
  /** The event path (absent with `freshness: 'schedule'`). */
  readonly freshness?: MfaConfigRulesFreshness;

  constructor(scope: Construct, id: string, props: MfaConfigRulesOrganizationPackProps) {
    super(scope, id);
    validateProps(this, props, ORGANIZATION_PACK_SPEC);
    // The organization's default: only the central registry exempts (README, exemptions).
    props = { ...props, exemptionSource: props.exemptionSource ?? ORGANIZATION_EXEMPTION_SOURCE };
    validatePackProps(this, props);
    const stack = Stack.of(this);
    const rules = packRules(this, props);
    const callAs = props.callAs ?? 'SELF';
    const roleName = props.executionRoleName ?? DEFAULT_EXECUTION_ROLE_NAME;
    this.executionRoleName = roleName;
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

    const deployment = props.ruleDeployment ?? 'conformancePack';
    check(
      this,
      isRuleDeployment(deployment),
      `invalid ruleDeployment '${deployment}' (${RULE_DEPLOYMENTS.join(' or ')})`,
    );
    check(
      this,
      !props.securityHub || props.securityHubAdministrator === true,
      'securityHub (automation rules) needs securityHubAdministrator: true: only the Security Hub administrator account may create automation rules, and a refused create rolls back the whole stack; deploy them in the administrator account instead (docs/security-hub.md)',
    );
    if (props.expectedAccounts !== undefined) {
      check(
        this,
        Number.isInteger(props.expectedAccounts) && props.expectedAccounts >= 1,
        `expectedAccounts must be a whole number of accounts (1 or more), not ${String(props.expectedAccounts)}`,
      );
    }

    const source = props.exemptionSource ?? ORGANIZATION_EXEMPTION_SOURCE;
    checkWriters(this, props, source);
    this.exemptionSource = source;
    this.exemptionRegistry = readsRegistrySource(source)
      ? new ExemptionRegistry(this, 'ExemptionRegistry', {
          ...(props.exemptionWriterArns ? { writerPrincipalArns: props.exemptionWriterArns } : {}),
        })
      : undefined;
    const registry = this.exemptionRegistry;

    // Central functions: fixed role names (member trust policies name them), AssumeRole only.
    this.reservation = this.planReservation(props, rules, callAs);
    this.functions = rules.map(
      (rule) =>
        new RuleFunction(this, logicalIdOf(rule.name), {
          rule,
          roleName: centralRoleName(rule.name),
          executionRole: { roleName, organizationId: props.organizationId },
          ...ruleFunctionOptions(props, rule),
          ...(this.reservation.perRule[rule.name] !== undefined
            ? { reservedConcurrency: this.reservation.perRule[rule.name] }
            : {}),
          ...exemptionOptions(rule, source, registry),
        }),
    );
    // The registry is read with the functions' own (central) credentials, never a member's.
    if (registry) {
      for (const fn of this.functions) if (takesExemptionSource(fn.rule)) registry.grantQuery(fn);
    }
    this.grantInvoke(props, callAs);

    const events = freshnessMode(this, props.freshness) === 'events';
    const roleSpec = {
      roleName,
      // The freshness function re-evaluates the rules in each account through the same role.
      centralRoleNames: [
        ...rules.map((rule) => centralRoleName(rule.name)),
        ...(events ? [FRESHNESS_ROLE_NAME] : []),
      ],
      rules,
      reevaluation: events,
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

    const frequency = props.maximumExecutionFrequency ?? DEFAULT_EXECUTION_FREQUENCY;
    if (deployment === 'configRules') {
      const plain = this.deployPlainRules(props, rules, roleName, callAs);
      this.rulesStackSet = plain.stackSet;
      this.centralConfigRules = plain.central;
    } else {
      const pack = new config.CfnOrganizationConformancePack(this, 'OrganizationConformancePack', {
        organizationConformancePackName: props.packName ?? DEFAULT_PACK_NAME,
        templateBody: conformancePackTemplateBody(rules),
        conformancePackInputParameters: [
          ...packInputParameters(this.functions, frequency),
          { parameterName: EXECUTION_ROLE_PARAMETER, parameterValue: roleName },
          ...ruleParameterInputs(props),
        ],
        ...(callAs === 'DELEGATED_ADMIN' && props.managementAccountId
          ? { excludedAccounts: [props.managementAccountId] }
          : {}),
      });
      // Roles and invoke permissions first, so the first evaluations find them.
      pack.node.addDependency(this.stackSet);
      for (const fn of this.functions) pack.node.addDependency(...fn.invokePermissions);
      if (this.managementAccountRole) pack.node.addDependency(this.managementAccountRole);
      this.organizationConformancePack = pack;
      this.centralConfigRules = [];
    }
    new CfnOutput(this, 'LambdaConcurrencyQuotaNeeded', {
      description:
        'Lambda concurrency quota this account and Region need for the reserved concurrency of the rule functions (their sum + 100 unreserved; 0: nothing reserved). Check with: mfa-config-rules doctor.',
      value: String(this.reservation.quotaNeeded),
    });
    this.operations = new MfaConfigRulesOperations(this, 'Operations', {
      functions: this.functions,
      rulesReachSecurityHub: deployment === 'configRules',
      ...operationsOptions(props),
    });
    // Member accounts' compliance changes arrive in the members: forward them here.
    this.operations.routeOrganizationEvents({
      organizationId: props.organizationId,
      targetOrganizationalUnitIds: props.targetOrganizationalUnitIds,
      callAs,
    });
    if (events) {
      this.freshness = new MfaConfigRulesFreshness(this, 'Freshness', {
        rules,
        functions: this.functions,
        ruleParameters: ruleParameterValues(props),
        ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
        ...(props.logRemovalPolicy !== undefined
          ? { logRemovalPolicy: props.logRemovalPolicy }
          : {}),
        ...(props.reevaluationWindowSeconds !== undefined
          ? { windowSeconds: props.reevaluationWindowSeconds }
          : {}),
        organization: {
          executionRoleName: roleName,
          organizationId: props.organizationId,
          targetOrganizationalUnitIds: props.targetOrganizationalUnitIds,
          callAs,
        },
      });
      // Members' execution roles must trust the freshness role before it starts re-evaluations.
      this.freshness.node.addDependency(this.stackSet);
      // A granted or revoked exemption re-evaluates the rules it covers in its account.
      if (this.exemptionRegistry) this.freshness.watchRegistry(this.exemptionRegistry.table);
    }
  }

  /**
   * The service control policy that protects this pack in member accounts (infra/execution-role.ts
   * `executionRoleProtectionScp`), from this stack's own names: its execution role, its exemption
   * source, its forwarding rule when it forwards (notifications). `securityPrincipalArns`: the
   * security team's roles that may still stop a Config recorder and, when tags are trusted, write
   * the exemption tag. Attach it to the target OUs (docs/protection-scp.md).
   */
  protectionScp(
    securityPrincipalArns: readonly string[] = [],
    exemptionTagKey?: string,
  ): Record<string, unknown> {
    return executionRoleProtectionScp({
      executionRoleName: this.executionRoleName,
      exemptionSource: this.exemptionSource,
      forwarding: this.operations.forwardingStackSet !== undefined,
      iamEventForwarding: this.freshness?.forwardingStackSet !== undefined,
      securityPrincipalArns,
      ...(exemptionTagKey ? { exemptionTagKey } : {}),
    });
  }

  /**
   * Reserved concurrency: `reservedConcurrency` for every function, else sized for the accounts the
   * pack expects (`expectedAccounts`, else the account list), else none, with a warning: then
   * nothing bounds what invocations from outside the organization can use.
   */
  private planReservation(
    props: MfaConfigRulesOrganizationPackProps,
    rules: readonly RuleMetadata[],
    callAs: CallAs,
  ): ReservationPlan {
    if (props.reservedConcurrency !== undefined) {
      return reservationPlan(rules, { perFunction: props.reservedConcurrency });
    }
    const excluded = callAs === 'DELEGATED_ADMIN' ? props.managementAccountId : undefined;
    const listed =
      props.memberAccountIds === undefined
        ? undefined
        : new Set([...props.memberAccountIds, 'central'].filter((id) => id !== excluded)).size;
    const expected = props.expectedAccounts ?? listed;
    if (expected === undefined) {
      Annotations.of(this).addWarningV2(
        'mfa-config-rules:noReservedConcurrency',
        'No reserved concurrency on the rule functions (neither expectedAccounts, memberAccountIds nor reservedConcurrency given): the stack deploys whatever the account concurrency quota, but nothing bounds how many copies run at once. Give expectedAccounts (context expectedAccounts) to size it; the stack outputs the quota that needs.',
      );
      return reservationPlan(rules);
    }
    const plan = reservationPlan(rules, { expectedAccounts: expected });
    const largest = Math.max(...Object.values(plan.perRule));
    if (largest >= MAX_RESERVED_CONCURRENCY) {
      Annotations.of(this).addWarningV2(
        'mfa-config-rules:reservationCapped',
        `expectedAccounts ${String(expected)} asks for more than ${String(MAX_RESERVED_CONCURRENCY)} copies of a function; each is capped there, so a periodic run takes longer than the sizing target.`,
      );
    }
    return plan;
  }

  /**
   * `ruleDeployment: 'configRules'`: the pack's rules as plain custom Lambda rules named exactly as
   * the rules (the pack template's own definitions, so every deployment evaluates alike), with
   * `ExecutionRoleName` so each central function reads the account through its execution role.
   *
   *   - every account of the target OUs: a service-managed StackSet whose template is the pack
   *     template itself (plain `AWS::Config::ConfigRule` resources with parameters), given the
   *     central function ARNs, after the execution role StackSet;
   *   - this account, when it is the management account (`callAs: 'SELF'`, which service-managed
   *     StackSets never deploy to): the same rules here, read through its own execution role. From
   *     a delegated administrator the management account is not covered, as for the pack: deploy
   *     MfaConfigRules-Account there (`ruleDeployment: 'configRules'`).
   *
   * Custom rules in one account invoking a function in another is how AWS Config's organization
   * rules work (the member's rule names the central function ARN; the central function policy
   * admits `config.amazonaws.com` with `SourceAccount` of the member): see grantInvoke.
   */
  private deployPlainRules(
    props: MfaConfigRulesOrganizationPackProps,
    rules: readonly RuleMetadata[],
    roleName: string,
    callAs: CallAs,
  ): { stackSet: cloudformation.CfnStackSet; central: config.CfnConfigRule[] } {
    const frequency = props.maximumExecutionFrequency ?? DEFAULT_EXECUTION_FREQUENCY;
    const stackSet = new cloudformation.CfnStackSet(this, 'ConfigRulesStackSet', {
      stackSetName: props.rulesStackSetName ?? DEFAULT_RULES_STACK_SET_NAME,
      description: `Creates the mfa-config-rules AWS Config rules (${rules.map((r) => r.name).join(', ')}) in each account, invoking the central functions.`,
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      callAs,
      managedExecution: { Active: true },
      operationPreferences: {
        regionConcurrencyType: 'PARALLEL',
        maxConcurrentPercentage: 100,
        failureTolerancePercentage: 10,
      },
      parameters: [
        ...packInputParameters(this.functions, frequency),
        { parameterName: EXECUTION_ROLE_PARAMETER, parameterValue: roleName },
        ...ruleParameterInputs(props),
      ].map((p) => ({ parameterKey: p.parameterName, parameterValue: p.parameterValue })),
      stackInstancesGroup: [
        {
          deploymentTargets: { organizationalUnitIds: [...props.targetOrganizationalUnitIds] },
          regions: [Aws.REGION],
        },
      ],
      templateBody: conformancePackTemplateBody(rules),
    });
    // The execution role and the invoke permissions first, so the first evaluations find them.
    stackSet.node.addDependency(this.stackSet);
    for (const fn of this.functions) stackSet.node.addDependency(...fn.invokePermissions);
    if (callAs !== 'SELF') return { stackSet, central: [] };
    const central = plainConfigRules(this, this.functions, frequency, ruleParameterValues(props), {
      executionRoleName: roleName,
    });
    const role = this.managementAccountRole;
    if (role) for (const rule of central) rule.node.addDependency(role);
    return { stackSet, central };
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
