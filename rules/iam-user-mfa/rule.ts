/**
 * iam-user-mfa — Security Hub IAM.19 (no CIS AWS Foundations recommendation; see rules/frameworks.ts).
 *
 * | IAM user                                              | verdict        |
 * | ----------------------------------------------------- | -------------- |
 * | ≥ 1 MFA device (any kind), console password or not    | COMPLIANT      |
 * | no MFA device                                         | NON_COMPLIANT  |
 * | … with a valid exemption tag (runtime/exemptions.ts)  | NOT_APPLICABLE |
 * | named by an event but no longer exists                | NOT_APPLICABLE |
 *
 * The same reads and freshness as iam-user-console-mfa (runtime/facts/users.ts), minus the console
 * password: a user the credential report shows without MFA, and no virtual device assigned now
 * clears, gets ListMFADevices live, so a user who adds MFA after the report is COMPLIANT on the
 * next run. Resources are identified by the user's unique id (`AIDA…`).
 */
import { securityHub } from '../frameworks';
import {
  EXEMPTION_PARAMETER_DOCS,
  exemptionParameters,
  exemptionSettings,
} from '../runtime/exemptions';
import {
  gatherUsers,
  type UserCheck,
  type UserFacts,
  type UsersFacts,
  userReads,
} from '../runtime/facts/users';
import { type ComplianceType, type Evaluation, type RuleDefinition } from '../runtime/types';
import { isoSeconds, userEvaluations } from '../runtime/user-evaluations';

const parameters = { ...exemptionParameters };

/** The decision table above without exemptions: MFA or not. */
export function userMfaVerdict({ mfaActive }: Pick<UserFacts, 'mfaActive'>): ComplianceType {
  return mfaActive ? 'COMPLIANT' : 'NON_COMPLIANT';
}

/**
 * How the rule reads users (runtime/facts/users.ts), and so what it is granted: no console password
 * (the live check is ListMFADevices alone); API-only users without MFA can be most of an account,
 * so past a few per 1,000 users their tags come from GetAccountAuthorizationDetails pages
 * (facts/exemption-tags.ts).
 */
const READS = { readsConsolePassword: false, bulkTagReads: true } as const;

/** What the rule declares to the shared user reads (runtime/facts/users.ts). */
export function userMfaCheck(params: { ExemptionTagKey?: string | undefined }): UserCheck {
  return {
    verdict: userMfaVerdict,
    // A user the bulk facts show without MFA is confirmed live: the finding never rests on the report.
    needsLiveCheck: (bulk) => userMfaVerdict(bulk) === 'NON_COMPLIANT',
    // MFA is the whole verdict: every user's.
    mfaMatters: () => true,
    exemptionTagKey: exemptionSettings(params).tagKey,
    ...READS,
  };
}

export const rule: RuleDefinition<UsersFacts, typeof parameters> = {
  metadata: {
    name: 'iam-user-mfa',
    title: 'Every IAM user has MFA',
    description:
      'Checks that every IAM user, with or without a console password, has at least one MFA device of any kind. Reads the credential report, ListUsers and ListVirtualMFADevices in bulk, and lists the MFA devices live of any user the report shows without MFA, so a fixed user turns COMPLIANT on the next run.',
    severity: 'MEDIUM',
    frameworks: [securityHub('IAM.19')],
    // One live ListMFADevices per user the report shows without MFA, and API-only users without
    // MFA can be most of an account: 2,250 of 5,000 in the bench's population, ~225 s at IAM's
    // ~10 requests per second per API, plus back-off when other tools share the limit. Lambda's
    // longest timeout, 900 s, leaves room; findings are sent first if it still runs out. 512 MiB
    // holds the parsed report, the bulk tag pages and the verdicts.
    sizing: { timeoutSeconds: 900, memoryMiB: 512 },
    parameters: [...EXEMPTION_PARAMETER_DOCS],
    replacesManagedRule: 'iam-user-mfa-enabled',
    resourceTypes: ['AWS::IAM::User'],
    changeTriggerTypes: ['AWS::IAM::User'],
    readsChangeLog: true,
    remediation:
      'Assign an MFA device to the user (IAM > Users > user > Security credentials > Assign MFA device), or delete a user nobody needs; for a user on a deadline, tag an expiring exemption.',
    iamActions: userReads(READS),
  },
  parameters,
  gather: (ctx, scope, params) => gatherUsers(ctx, scope, userMfaCheck(params)),
  evaluate(facts, params, context): Evaluation[] {
    return userEvaluations(
      facts,
      (user) => ({ verdict: verdict(user), tag: user.exemptionTag, evidenceAt: user.evidenceAt }),
      exemptionSettings(params, 'iam-user-mfa'),
      context?.registry,
    );
  },
};

function verdict(user: UserFacts): Pick<Evaluation, 'compliance' | 'annotation'> {
  const source = sourceText(user);
  return userMfaVerdict(user) === 'COMPLIANT'
    ? {
        compliance: 'COMPLIANT',
        annotation: `User ${user.userName} has an MFA device (${source}).`,
      }
    : {
        compliance: 'NON_COMPLIANT',
        annotation: `User ${user.userName} has no MFA device (${source}). Fix: assign an MFA device under the user's Security credentials, or delete the user if nobody needs it.`,
      };
}

/** Where the MFA fact came from, exactly. */
function sourceText(user: UserFacts): string {
  const at = isoSeconds(user.evidenceAt);
  switch (user.evidence) {
    case 'credential-report':
      return `credential report of ${at}`;
    case 'virtual-mfa':
      return `a virtual device assigned now; user listed in the credential report of ${at}`;
    case 'live-mfa':
      return `MFA devices listed live; user listed in the credential report of ${at}`;
    case 'live':
      return `MFA devices listed live at ${at}`;
  }
}
