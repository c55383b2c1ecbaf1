/**
 * Who is privileged, decided from what the account's identity policies allow (pure), on the one
 * bulk read iam-user-hardware-mfa makes (GetAccountAuthorizationDetails: users, groups, roles and
 * the managed policies with their versions). No per-user call.
 *
 * A principal (user or role) is ADMINISTRATOR-EQUIVALENT when the identity policies that apply to
 * it — inline on it, inline on one of its groups, the default version of a managed policy attached
 * to it or to one of its groups, AWS- or customer-managed, whatever the name — allow, after the
 * Denies and the permissions boundary below, at least one of the PERMISSION-REWRITING actions of
 * ESCALATION_ACTIONS on the resource named there. `"*"` allows all of them, and so does every
 * wildcard or NotAction that covers one (`iam:*`, `iam:Put*`, `*Policy*`, NotAction `s3:*`).
 *
 * Evaluation follows IAM's policy evaluation logic for identity-based policies
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * an explicit Deny overrides an Allow, and a permissions boundary limits the identity policies to
 * what it also allows (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
 * Here, a Deny counts only without a Condition (whether one holds is not known), and a conditioned
 * Allow still grants, named as conditioned. A document that cannot be read makes its principal
 * privileged (fail closed); a boundary that cannot be read is not applied.
 *
 * A user is also privileged THROUGH A ROLE it may assume whose own policies make the role
 * administrator-equivalent: the role's trust policy admits the user (its ARN, `*`, or the account,
 * `arn:…:root` or the account id, with no unconditional Deny of it), and, unless the trust names
 * the user itself, the user's identity policies allow `sts:AssumeRole` on the role (by its ARN or
 * a pattern). A trust that names the user needs no identity permission within the account, only
 * one the user's boundary allows (IAM User Guide, "Update a role trust policy": "If a user is
 * listed as the principal in a role's trust policy but cannot assume the role, check the user's
 * permissions boundary": https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html).
 *
 * What this does not see: service control policies and resource control policies (an SCP can only
 * take power away, so a user is never missed because of one, but one may be flagged whom an SCP
 * disarms); resource-based policies other than role trust policies; whether a condition holds;
 * multi-step escalation — `iam:PassRole` with a compute service into a stronger role, a chain of
 * roles, taking over one named other user, or removing one's own Deny policy — and
 * administrator-like power that rewrites no permission (PowerUserAccess is not
 * administrator-equivalent by this definition: list it in PrivilegedPolicyArns to count it).
 */
import type { GroupDetail, ManagedPolicyDetail, RoleDetail, UserDetail } from '@aws-sdk/client-iam';
import {
  admitsPrincipal,
  coveringAction,
  coversResource,
  parsePolicy,
  type PolicyParse,
  type PolicyVariables,
  type Statement,
} from './policy';
import { sameTagKey } from '../runtime/tags';

/** Where a policy that applies to a principal comes from. */
export type PolicySource =
  | { kind: 'inline'; name: string; group?: string }
  | { kind: 'managed'; arn: string; name: string; owner: 'aws' | 'customer'; group?: string };

/**
 * A resource a permission-rewriting action must reach: the principal itself; one of the user's
 * groups; any user other than the principal, any group, role or managed policy (a wildcard that
 * reaches ones not named); a customer-managed policy that applies to the principal.
 */
export type Reach =
  'self' | 'own-groups' | 'any-user' | 'any-group' | 'any-role' | 'any-policy' | 'own-policies';

export interface EscalationAction {
  action: string;
  /** For a user principal, and for a role principal. */
  reach: { user: readonly Reach[]; role: readonly Reach[] };
  /** Only when the principal has a permissions boundary (removing or replacing it). */
  withBoundaryOnly?: boolean;
  why: string;
}

/**
 * The permission-rewriting actions: each one lets its holder give itself (or, for the
 * credentials actions, take over) any permission the account can grant. Chosen from the IAM
 * actions that attach or write policies, change group membership, rewrite a managed policy or a
 * role's trust, replace a permissions boundary, or create credentials for another user; the same
 * families privilege-escalation research lists (Rhino Security Labs' "AWS IAM Privilege
 * Escalation – Methods and Mitigation"; Cloudsplaining's privilege-escalation checks), minus the
 * multi-step ones that need a compute service (`iam:PassRole` with Lambda, EC2, Glue, …).
 */
export const ESCALATION_ACTIONS: readonly EscalationAction[] = [
  {
    action: 'iam:PutUserPolicy',
    reach: { user: ['self'], role: ['any-user'] },
    why: 'writes an inline policy on a user',
  },
  {
    action: 'iam:AttachUserPolicy',
    reach: { user: ['self'], role: ['any-user'] },
    why: 'attaches any managed policy to a user',
  },
  {
    action: 'iam:PutGroupPolicy',
    reach: { user: ['own-groups', 'any-group'], role: ['any-group'] },
    why: 'writes an inline policy on a group',
  },
  {
    action: 'iam:AttachGroupPolicy',
    reach: { user: ['own-groups', 'any-group'], role: ['any-group'] },
    why: 'attaches any managed policy to a group',
  },
  {
    action: 'iam:AddUserToGroup',
    reach: { user: ['any-group'], role: ['any-group'] },
    why: 'adds a user to any group',
  },
  {
    action: 'iam:PutRolePolicy',
    reach: { user: ['any-role'], role: ['self', 'any-role'] },
    why: 'writes an inline policy on a role',
  },
  {
    action: 'iam:AttachRolePolicy',
    reach: { user: ['any-role'], role: ['self', 'any-role'] },
    why: 'attaches any managed policy to a role',
  },
  {
    action: 'iam:UpdateAssumeRolePolicy',
    reach: { user: ['any-role'], role: ['any-role'] },
    why: "rewrites a role's trust policy",
  },
  {
    action: 'iam:CreatePolicyVersion',
    reach: { user: ['own-policies', 'any-policy'], role: ['own-policies', 'any-policy'] },
    why: 'rewrites a managed policy',
  },
  {
    action: 'iam:SetDefaultPolicyVersion',
    reach: { user: ['own-policies', 'any-policy'], role: ['own-policies', 'any-policy'] },
    why: "makes an older version of a managed policy the policy's effective one",
  },
  {
    action: 'iam:CreateAccessKey',
    reach: { user: ['any-user'], role: ['any-user'] },
    why: "creates another user's access keys",
  },
  {
    action: 'iam:CreateLoginProfile',
    reach: { user: ['any-user'], role: ['any-user'] },
    why: 'gives another user a console password',
  },
  {
    action: 'iam:UpdateLoginProfile',
    reach: { user: ['any-user'], role: ['any-user'] },
    why: "resets another user's console password",
  },
  {
    action: 'iam:DeleteUserPermissionsBoundary',
    reach: { user: ['self'], role: [] },
    withBoundaryOnly: true,
    why: 'removes its own permissions boundary',
  },
  {
    action: 'iam:PutUserPermissionsBoundary',
    reach: { user: ['self'], role: [] },
    withBoundaryOnly: true,
    why: 'replaces its own permissions boundary',
  },
  {
    action: 'iam:DeleteRolePermissionsBoundary',
    reach: { user: [], role: ['self'] },
    withBoundaryOnly: true,
    why: 'removes its own permissions boundary',
  },
  {
    action: 'iam:PutRolePermissionsBoundary',
    reach: { user: [], role: ['self'] },
    withBoundaryOnly: true,
    why: 'replaces its own permissions boundary',
  },
];

const ASSUME_ROLE = 'sts:AssumeRole';
/** A name no policy can spell (IAM names never hold U+0000): reached only by wildcards. */
const ANY_NAME = '\u0000any';

/** A policy as it applies to one principal: where it comes from, and its statements. */
export interface AppliedPolicy {
  source: PolicySource;
  parse: PolicyParse;
}

/** One permission-rewriting action a principal holds, and the statement that grants it. */
export interface Grant {
  action: string;
  source: PolicySource;
  /** The Action pattern that covers the action (`"*"`, `iam:*`), or `all but …` for NotAction. */
  pattern: string;
  conditioned: boolean;
}

/** What makes a user privileged (several may hold at once; the annotation names the first). */
export type PrivilegePath =
  | { kind: 'grant'; grant: Grant }
  | {
      kind: 'role';
      roleName: string;
      roleArn: string;
      /** What makes the role administrator-equivalent. */
      via: Grant | { unreadable: PolicySource; problem: string };
      trustConditioned: boolean;
    }
  | { kind: 'unreadable'; source: PolicySource; problem: string }
  | { kind: 'policy'; policyArn: string; via?: string }
  | { kind: 'tag'; tagKey: string };

/** What was examined to decide, for the annotation of a user found not privileged. */
export interface Examined {
  policies: number;
  groups: number;
  assumableRoles: number;
  /** A boundary that removed permission-rewriting actions the identity policies allow. */
  boundary?: { name: string; removed: string[] };
  /** A boundary whose document could not be read, and so was not applied. */
  unreadableBoundary?: string;
}

export interface UserPrivilege {
  userName: string;
  userId: string;
  arn: string;
  /** Empty: not privileged. */
  privilege: PrivilegePath[];
  examined: Examined;
  /** The user's tags, keys as IAM keeps them (match keys as IAM does: runtime/tags.ts). */
  tags: readonly { Key?: string | undefined; Value?: string | undefined }[];
}

export interface PrivilegeSettings {
  /** Managed policy ARNs that make a user privileged when attached (besides what they allow). */
  privilegedPolicyArns: readonly string[];
  /** Tag key whose value `true` (any case) makes a user privileged; undefined: off. */
  privilegedTagKey: string | undefined;
}

export interface AccountDetails {
  accountId: string;
  partition: string;
  users: readonly UserDetail[];
  groups: readonly GroupDetail[];
  roles: readonly RoleDetail[];
  policies: readonly ManagedPolicyDetail[];
}

/** Every user with what makes it privileged (pure). Throws on a user or group IAM half-returned. */
export function usersWithPrivilege(
  details: AccountDetails,
  settings: PrivilegeSettings,
): UserPrivilege[] {
  const analysis = new Analysis(details);
  return details.users.map((user) => analysis.user(user, settings));
}

interface PrincipalContext {
  kind: 'user' | 'role';
  arn: string;
  name: string;
  policies: AppliedPolicy[];
  boundary?: { name: string; parse: PolicyParse } | { name: string; missing: true };
  variables: PolicyVariables;
  /** Targets of each reach for this principal. */
  targets: Record<Reach, readonly string[]>;
}

/** A principal's statements sorted for evaluation, computed once per principal. */
interface Statements {
  allows: { source: PolicySource; statement: Statement }[];
  /** Unconditioned Denies of its policies and its boundary: the only ones that surely apply. */
  denies: Statement[];
  /** The Allows of a readable boundary; undefined: no boundary applied. */
  boundaryAllows: Statement[] | undefined;
}

function statementsOf(who: PrincipalContext): Statements {
  const allows: Statements['allows'] = [];
  const denies: Statement[] = [];
  for (const policy of who.policies) {
    if (!policy.parse.ok) continue;
    for (const statement of policy.parse.statements) {
      if (statement.effect === 'Allow') allows.push({ source: policy.source, statement });
      else if (!statement.conditioned) denies.push(statement);
    }
  }
  let boundaryAllows: Statement[] | undefined;
  if (who.boundary && 'parse' in who.boundary && who.boundary.parse.ok) {
    boundaryAllows = [];
    for (const statement of who.boundary.parse.statements) {
      if (statement.effect === 'Allow') boundaryAllows.push(statement);
      else if (!statement.conditioned) denies.push(statement);
    }
  }
  return { allows, denies, boundaryAllows };
}

class Analysis {
  private readonly managed = new Map<string, ManagedPolicyDetail>();
  private readonly parsedManaged = new Map<string, PolicyParse>();
  private readonly groups = new Map<string, GroupDetail>();
  private readonly roles: { role: RoleDetail; trust: Statement[] | undefined }[] = [];
  private readonly roleVerdicts = new Map<string, RoleVerdict>();

  constructor(private readonly details: AccountDetails) {
    for (const policy of details.policies) if (policy.Arn) this.managed.set(policy.Arn, policy);
    for (const group of details.groups) {
      if (!group.GroupName) throw new Error('IAM returned a group without a name');
      this.groups.set(group.GroupName, group);
    }
    for (const role of details.roles) {
      const trust = parsePolicy(role.AssumeRolePolicyDocument);
      // An unreadable trust policy admits no one we can name: its role is judged by who may
      // assume it, which is unknown, so it is left out (its own power is still visible if a
      // readable trust admits someone). A role without a name or ARN is not a role to assume.
      if (role.Arn && role.RoleName) {
        this.roles.push({ role, trust: trust.ok ? trust.statements : undefined });
      }
    }
  }

  private sentinel(resource: string): string {
    return `arn:${this.details.partition}:iam::${this.details.accountId}:${resource}/${ANY_NAME}`;
  }

  private managedPolicy(arn: string, group?: string): AppliedPolicy {
    const detail = this.managed.get(arn);
    const name = arn.slice(arn.lastIndexOf('/') + 1);
    const owner = /^arn:[\w-]+:iam::aws:policy\//.test(arn) ? 'aws' : 'customer';
    const source: PolicySource = { kind: 'managed', arn, name, owner, ...(group ? { group } : {}) };
    let parse = this.parsedManaged.get(arn);
    if (!parse) {
      parse = parseManaged(detail);
      this.parsedManaged.set(arn, parse);
    }
    return { source, parse };
  }

  private boundaryOf(
    boundary: { PermissionsBoundaryArn?: string | undefined } | undefined,
  ): PrincipalContext['boundary'] {
    const arn = boundary?.PermissionsBoundaryArn;
    if (!arn) return undefined;
    const name = arn.slice(arn.lastIndexOf('/') + 1);
    const detail = this.managed.get(arn);
    if (!detail) return { name, missing: true };
    return { name, parse: this.managedPolicy(arn).parse };
  }

  user(user: UserDetail, settings: PrivilegeSettings): UserPrivilege {
    if (!user.UserName || !user.UserId || !user.Arn) {
      throw new Error('IAM returned a user without a name, id or ARN');
    }
    const policies: AppliedPolicy[] = [];
    const listed = new Set(settings.privilegedPolicyArns);
    const paths: PrivilegePath[] = [];
    const groupArns: string[] = [];
    for (const inline of user.UserPolicyList ?? []) {
      policies.push({
        source: { kind: 'inline', name: inline.PolicyName ?? '?' },
        parse: parsePolicy(inline.PolicyDocument),
      });
    }
    for (const attached of user.AttachedManagedPolicies ?? []) {
      if (!attached.PolicyArn) continue;
      policies.push(this.managedPolicy(attached.PolicyArn));
      if (listed.has(attached.PolicyArn))
        paths.push({ kind: 'policy', policyArn: attached.PolicyArn });
    }
    for (const groupName of user.GroupList ?? []) {
      const group = this.groups.get(groupName);
      if (!group) {
        throw new Error(
          `user ${user.UserId} is in group ${groupName}, which GetAccountAuthorizationDetails did not return`,
        );
      }
      if (group.Arn) groupArns.push(group.Arn);
      for (const inline of group.GroupPolicyList ?? []) {
        policies.push({
          source: { kind: 'inline', name: inline.PolicyName ?? '?', group: groupName },
          parse: parsePolicy(inline.PolicyDocument),
        });
      }
      for (const attached of group.AttachedManagedPolicies ?? []) {
        if (!attached.PolicyArn) continue;
        policies.push(this.managedPolicy(attached.PolicyArn, groupName));
        if (listed.has(attached.PolicyArn)) {
          paths.push({ kind: 'policy', policyArn: attached.PolicyArn, via: groupName });
        }
      }
    }
    const boundary = this.boundaryOf(user.PermissionsBoundary);
    const context: PrincipalContext = {
      kind: 'user',
      arn: user.Arn,
      name: user.UserName,
      policies,
      ...(boundary ? { boundary } : {}),
      variables: new Map([
        ['aws:username', user.UserName],
        ['aws:userid', user.UserId],
        ['aws:principalaccount', this.details.accountId],
        ['aws:principaltype', 'User'],
      ]),
      targets: this.targets(user.Arn, groupArns, policies),
    };
    const statements = statementsOf(context);
    const own = this.evaluate(context, statements);
    const roles = this.assumable(context, statements);
    const privileged: PrivilegePath[] = [
      ...own.grants.map((grant): PrivilegePath => ({ kind: 'grant', grant })),
      ...roles.privileged,
      ...own.unreadable.map((u): PrivilegePath => ({
        kind: 'unreadable',
        source: u.source,
        problem: u.problem,
      })),
      ...paths,
    ];
    const tags = user.Tags ?? [];
    const tagKey = settings.privilegedTagKey;
    const tag =
      tagKey === undefined ? undefined : tags.find((t) => sameTagKey(t.Key ?? '', tagKey));
    if (tag?.Key !== undefined && (tag.Value ?? '').trim().toLowerCase() === 'true') {
      privileged.push({ kind: 'tag', tagKey: tag.Key });
    }
    return {
      userName: user.UserName,
      userId: user.UserId,
      arn: user.Arn,
      privilege: privileged,
      examined: {
        policies: policies.length,
        groups: (user.GroupList ?? []).length,
        assumableRoles: roles.count,
        ...(own.removedByBoundary.length > 0 && boundary
          ? { boundary: { name: boundary.name, removed: own.removedByBoundary } }
          : {}),
        ...(boundary && 'missing' in boundary ? { unreadableBoundary: boundary.name } : {}),
      },
      tags,
    };
  }

  private targets(
    arn: string,
    groupArns: readonly string[],
    policies: readonly AppliedPolicy[],
  ): Record<Reach, readonly string[]> {
    const ownPolicies = policies.flatMap((policy) =>
      policy.source.kind === 'managed' && policy.source.owner === 'customer'
        ? [policy.source.arn]
        : [],
    );
    return {
      self: [arn],
      'own-groups': groupArns,
      'any-user': [this.sentinel('user')],
      'any-group': [this.sentinel('group')],
      'any-role': [this.sentinel('role')],
      'any-policy': [this.sentinel('policy')],
      'own-policies': [...new Set(ownPolicies)],
    };
  }

  /** The permission-rewriting actions `who` holds after Denies and its boundary. */
  private evaluate(
    who: PrincipalContext,
    statements: Statements,
  ): {
    grants: Grant[];
    removedByBoundary: string[];
    unreadable: { source: PolicySource; problem: string }[];
  } {
    const unreadable = who.policies.flatMap((policy) =>
      policy.parse.ok ? [] : [{ source: policy.source, problem: policy.parse.problem }],
    );
    const grants: Grant[] = [];
    const removedByBoundary: string[] = [];
    const seenSources = new Set<string>();
    // Actions on the principal itself first: the annotation names the most direct one.
    const ordered = [
      ...ESCALATION_ACTIONS.filter((e) => e.reach[who.kind].includes('self')),
      ...ESCALATION_ACTIONS.filter((e) => !e.reach[who.kind].includes('self')),
    ];
    for (const escalation of ordered) {
      if (escalation.withBoundaryOnly && !who.boundary) continue;
      const targets = escalation.reach[who.kind].flatMap((reach) => who.targets[reach]);
      for (const target of targets) {
        const allowed = allowedFor(who, statements, escalation.action, target);
        if (allowed === 'boundary') {
          if (!removedByBoundary.includes(escalation.action)) {
            removedByBoundary.push(escalation.action);
          }
          continue;
        }
        if (!allowed) continue;
        // One grant per policy is enough to name it; the first (most direct) action wins.
        const key = sourceKey(allowed.source);
        if (!seenSources.has(key)) {
          seenSources.add(key);
          grants.push({ action: escalation.action, ...allowed });
        }
        break;
      }
    }
    grants.sort((a, b) => rankGrant(a) - rankGrant(b));
    return { grants, removedByBoundary, unreadable };
  }

  /** The roles `user` may assume, and the administrator-equivalent ones among them. */
  private assumable(
    user: PrincipalContext,
    statements: Statements,
  ): { count: number; privileged: PrivilegePath[] } {
    const who = {
      arn: user.arn,
      accountId: this.details.accountId,
      partition: this.details.partition,
    };
    const privileged: PrivilegePath[] = [];
    let count = 0;
    // Without any Allow of sts:AssumeRole, only trusts naming the user (or anyone) can admit it.
    const mayAssumeSome = statements.allows.some(
      ({ statement }) => coveringAction(statement.action, ASSUME_ROLE) !== undefined,
    );
    for (const { role, trust } of this.roles) {
      if (!trust || !role.Arn || !role.RoleName) continue;
      const admitted = admission(trust, who);
      if (!admitted || (admitted.how === 'account' && !mayAssumeSome)) continue;
      const allowed = allowedFor(user, statements, ASSUME_ROLE, role.Arn);
      // A trust naming the user (or anyone) needs no identity permission, only no Deny and a
      // boundary that allows it; a trust naming the account needs the identity permission.
      const may =
        admitted.how === 'account'
          ? allowed !== undefined && allowed !== 'boundary'
          : allowed !== 'boundary' && !deniesOrOutside(user, statements, ASSUME_ROLE, role.Arn);
      if (!may) continue;
      count += 1;
      const verdict = this.role(role);
      if (verdict) {
        privileged.push({
          kind: 'role',
          roleName: role.RoleName,
          roleArn: role.Arn,
          via: verdict,
          trustConditioned: admitted.conditioned,
        });
      }
    }
    return { count, privileged };
  }

  /** What makes a role administrator-equivalent, if anything (computed once per role). */
  private role(role: RoleDetail): RoleVerdict {
    const arn = role.Arn ?? '';
    if (this.roleVerdicts.has(arn)) return this.roleVerdicts.get(arn);
    const policies: AppliedPolicy[] = [
      ...(role.RolePolicyList ?? []).map((inline): AppliedPolicy => ({
        source: { kind: 'inline', name: inline.PolicyName ?? '?' },
        parse: parsePolicy(inline.PolicyDocument),
      })),
      ...(role.AttachedManagedPolicies ?? []).flatMap((attached) =>
        attached.PolicyArn ? [this.managedPolicy(attached.PolicyArn)] : [],
      ),
    ];
    const boundary = this.boundaryOf(role.PermissionsBoundary);
    const context: PrincipalContext = {
      kind: 'role',
      arn,
      name: role.RoleName ?? '',
      policies,
      ...(boundary ? { boundary } : {}),
      variables: new Map([
        ['aws:principalaccount', this.details.accountId],
        ['aws:principaltype', 'AssumedRole'],
      ]),
      targets: this.targets(arn, [], policies),
    };
    const result = this.evaluate(context, statementsOf(context));
    const [unreadable] = result.unreadable;
    const [grant] = result.grants;
    const verdict: RoleVerdict = unreadable
      ? { unreadable: unreadable.source, problem: unreadable.problem }
      : grant;
    this.roleVerdicts.set(arn, verdict);
    return verdict;
  }
}

type RoleVerdict = Grant | { unreadable: PolicySource; problem: string } | undefined;

/**
 * Whether `who` may call `action` on `target`: the Allow that grants it (unconditioned preferred),
 * `'boundary'` when only its permissions boundary stops it, undefined when nothing allows it or an
 * unconditional Deny stops it.
 */
function allowedFor(
  who: PrincipalContext,
  statements: Statements,
  action: string,
  target: string,
): Omit<Grant, 'action'> | 'boundary' | undefined {
  let best: Omit<Grant, 'action'> | undefined;
  for (const { source, statement } of statements.allows) {
    const pattern = coveringAction(statement.action, action);
    if (pattern === undefined) continue;
    if (!coversResource(statement.resource, target, who.variables, 'Allow')) continue;
    if (!best || (best.conditioned && !statement.conditioned)) {
      best = { source, pattern, conditioned: statement.conditioned };
      if (!statement.conditioned) break;
    }
  }
  if (!best) return undefined;
  if (denied(who, statements, action, target)) return undefined;
  if (statements.boundaryAllows && !within(who, statements.boundaryAllows, action, target)) {
    return 'boundary';
  }
  return best;
}

function denied(
  who: PrincipalContext,
  statements: Statements,
  action: string,
  target: string,
): boolean {
  return statements.denies.some(
    (statement) =>
      coveringAction(statement.action, action) !== undefined &&
      coversResource(statement.resource, target, who.variables, 'Deny'),
  );
}

function within(
  who: PrincipalContext,
  boundaryAllows: readonly Statement[],
  action: string,
  target: string,
): boolean {
  return boundaryAllows.some(
    (statement) =>
      coveringAction(statement.action, action) !== undefined &&
      coversResource(statement.resource, target, who.variables, 'Allow'),
  );
}

/** Stopped by an unconditional Deny, or outside a readable boundary. */
function deniesOrOutside(
  who: PrincipalContext,
  statements: Statements,
  action: string,
  target: string,
): boolean {
  if (statements.boundaryAllows && !within(who, statements.boundaryAllows, action, target)) {
    return true;
  }
  return denied(who, statements, action, target);
}

/** Whether a trust policy admits `who`, how, and whether the admitting statement is conditioned. */
function admission(
  trust: readonly Statement[],
  who: { arn: string; accountId: string; partition: string },
): { how: 'user' | 'account' | 'any'; conditioned: boolean } | undefined {
  let found: { how: 'user' | 'account' | 'any'; conditioned: boolean } | undefined;
  for (const statement of trust) {
    if (coveringAction(statement.action, ASSUME_ROLE) === undefined) continue;
    const how = admitsPrincipal(statement.principal, who, statement.effect);
    if (!how) continue;
    if (statement.effect === 'Deny') {
      if (!statement.conditioned) return undefined;
      continue;
    }
    const better =
      !found ||
      (found.conditioned && !statement.conditioned) ||
      (found.how === 'account' && how !== 'account');
    if (better) found = { how, conditioned: statement.conditioned };
  }
  return found;
}

/** The default version's document of a managed policy, or why it cannot be read. */
function parseManaged(detail: ManagedPolicyDetail | undefined): PolicyParse {
  if (!detail) return { ok: false, problem: 'its document was not returned' };
  const versions = detail.PolicyVersionList ?? [];
  const current =
    versions.find((version) => version.IsDefaultVersion === true) ??
    versions.find((version) => version.VersionId === detail.DefaultVersionId);
  if (!current?.Document) return { ok: false, problem: 'no default version document' };
  return parsePolicy(current.Document);
}

function sourceKey(source: PolicySource): string {
  return source.kind === 'inline'
    ? `inline\u0000${source.group ?? ''}\u0000${source.name}`
    : `managed\u0000${source.group ?? ''}\u0000${source.arn}`;
}

/** Unconditioned first, then all actions (`"*"`), then the user's own policies before a group's. */
function rankGrant(grant: Grant): number {
  return (
    (grant.conditioned ? 4 : 0) +
    (grant.pattern === '*' ? 0 : 2) +
    (grant.source.group === undefined ? 0 : 1)
  );
}
