/**
 * iam-user-console-mfa — CIS AWS Foundations 1.10, Security Hub IAM.5.
 *
 * | IAM user                                                     | verdict        |
 * | ------------------------------------------------------------ | -------------- |
 * | no console password                                          | NOT_APPLICABLE |
 * | console password and ≥ 1 active MFA device                   | COMPLIANT      |
 * | console password, no MFA, user younger than the grace        | NOT_APPLICABLE |
 * | console password and no MFA device                           | NON_COMPLIANT  |
 * | … with a valid exemption tag (runtime/exemptions.ts)         | NOT_APPLICABLE |
 * | named by an event but no longer exists                       | NOT_APPLICABLE |
 *
 * The grace (`GracePeriodDays`, default 0) is for new users: it runs from the user's creation (its
 * CreateDate, the earliest evidence of the identity), never from the console password's, so
 * deleting and re-creating a long-standing user's password (the console's "disable, then enable
 * console access") renews nothing. A long-standing user who newly needs a password and time to set
 * up MFA gets an exemption instead (runtime/exemptions.ts). Deleting and re-creating the user
 * itself makes a new identity (a new id): the old one's finding is cleared, the new one has the
 * grace of a new user, and IAM's CloudTrail records both.
 *
 * Resources are identified by the user's unique id (`AIDA…`), as AWS Config records IAM users.
 * The credential report's `<root_account>` row is never a user. How the facts are read at the
 * API-call floor, and how fresh each one is, is in runtime/facts/users.ts.
 */
import type * as z from 'zod/mini';
import { cis, securityHub } from '../frameworks';
import {
  EXEMPTION_PARAMETER_DOCS,
  exemptionParameters,
  exemptionSettings,
  isoDay,
} from '../runtime/exemptions';
import {
  gatherUsers,
  type UserCheck,
  type UserFacts,
  type UsersFacts,
  userReads,
} from '../runtime/facts/users';
import { type ComplianceType, type Evaluation, type RuleDefinition } from '../runtime/types';
import { wholeNumber } from '../runtime/parameters';
import { isoSeconds, userEvaluations } from '../runtime/user-evaluations';

const DAY_MS = 86_400_000;

const parameters = {
  GracePeriodDays: wholeNumber('GracePeriodDays', 0, 365, 0),
  ...exemptionParameters,
};
/** The parsed parameters; absent ones take their defaults. */
type Params = Partial<z.infer<z.ZodMiniObject<typeof parameters>>>;

/** The decision table above without grace or exemption, on a user's two facts. */
export function consoleMfaVerdict({
  consolePassword,
  mfaActive,
}: Pick<UserFacts, 'consolePassword' | 'mfaActive'>): ComplianceType {
  if (!consolePassword) return 'NOT_APPLICABLE';
  return mfaActive ? 'COMPLIANT' : 'NON_COMPLIANT';
}

/**
 * When MFA is due for a user without it, if the user is younger than the grace at the time of the
 * read; else undefined (no grace, or no creation time known).
 */
export function mfaDueBy(user: UserFacts, graceDays: number): Date | undefined {
  if (graceDays <= 0 || !user.userCreatedAt) return undefined;
  const due = new Date(user.userCreatedAt.getTime() + graceDays * DAY_MS);
  return user.evidenceAt < due ? due : undefined;
}

function graceDays(params: Params): number {
  return params.GracePeriodDays ?? 0;
}

/**
 * How the rule reads users (runtime/facts/users.ts), and so what it is granted: the console
 * password, live; tags one by one (few console users lack MFA in an account that enforces it, and
 * the rule needs no GetAccountAuthorizationDetails, which returns every user's policies).
 */
const READS = { readsConsolePassword: true, bulkTagReads: false } as const;

/** What the rule declares to the shared user reads (runtime/facts/users.ts). */
export function consoleCheck(params: Params): UserCheck {
  const grace = graceDays(params);
  const verdict = (user: UserFacts): ComplianceType => {
    const base = consoleMfaVerdict(user);
    return base === 'NON_COMPLIANT' && mfaDueBy(user, grace) ? 'NOT_APPLICABLE' : base;
  };
  return {
    verdict,
    // Every user the bulk facts make NON_COMPLIANT is confirmed live; the grace needs only the
    // user's creation time, which the listing already gave.
    needsLiveCheck: (bulk) => consoleMfaVerdict(bulk) === 'NON_COMPLIANT',
    // MFA decides the verdict of a user with a console password only.
    mfaMatters: (bulk) => bulk.consolePassword === true,
    exemptionTagKey: exemptionSettings(params).tagKey,
    ...READS,
  };
}

export const rule: RuleDefinition<UsersFacts, typeof parameters> = {
  metadata: {
    name: 'iam-user-console-mfa',
    title: 'Every IAM user with a console password has MFA',
    description:
      'Checks that each IAM user with a console password has at least one active MFA device of any kind. Reads the credential report, ListUsers and ListVirtualMFADevices in bulk, and confirms live any user the report flags, so a fixed user turns COMPLIANT on the next run. NOT_APPLICABLE for users without a console password.',
    severity: 'MEDIUM',
    frameworks: [
      ...cis(['v1.4.0', 'v1.5.0', 'v2.0.0', 'v3.0.0', 'v4.0.1'], '1.10', 'Automated'),
      ...cis(['v5.0.0'], '1.9', 'Automated'),
      ...cis(['v6.0.0'], '2.9', 'Automated'),
      ...cis(['v7.0.0'], '2.10', 'Automated'),
      securityHub('IAM.5'),
    ],
    // 5,000 IAM users in one invocation: a handful of bulk reads (ListUsers, credential report,
    // ListVirtualMFADevices) beside the verdicts on record, then GetLoginProfile + ListMFADevices
    // for each user the report flags (~250 of each), plus ListMFADevices for each console user
    // whose MFA no virtual device explains (1,375 when half the MFA users hold hardware/FIDO
    // devices: ~140 s more; BENCHMARKS.md "Freshness"), which IAM serves at about 10 requests per
    // second per API and account (~25 s plus adaptive back-off when other tools share the limit),
    // then PutEvaluations in batches of 100. 300 s leaves room for throttling;
    // 512 MiB holds the parsed credential report and the verdicts.
    sizing: { timeoutSeconds: 300, memoryMiB: 512 },
    parameters: [
      {
        name: 'GracePeriodDays',
        description:
          'Days a new user has to set up MFA, from the user\'s creation (never from the console password\'s, so re-creating a password renews nothing): NOT_APPLICABLE, "MFA due by YYYY-MM-DD", until then. 0: no grace. A long-standing user who newly needs time gets an exemption instead.',
        default: '0',
      },
      ...EXEMPTION_PARAMETER_DOCS,
    ],
    replacesManagedRule: 'mfa-enabled-for-iam-console-access',
    resourceTypes: ['AWS::IAM::User'],
    changeTriggerTypes: ['AWS::IAM::User'],
    readsChangeLog: true,
    remediation:
      'Assign an MFA device to the user (IAM > Users > user > Security credentials > Assign MFA device), or delete the console password of a user who only needs API access.',
    iamActions: userReads(READS),
  },
  parameters,
  gather: (ctx, scope, params) => gatherUsers(ctx, scope, consoleCheck(params)),
  evaluate(facts, params, context): Evaluation[] {
    const grace = graceDays(params);
    return userEvaluations(
      facts,
      (user) => ({
        verdict: verdict(user, sourceText(user), grace),
        tag: user.exemptionTag,
        evidenceAt: user.evidenceAt,
      }),
      exemptionSettings(params, 'iam-user-console-mfa'),
      context?.registry,
    );
  },
};

function verdict(
  user: UserFacts,
  source: string,
  grace: number,
): Pick<Evaluation, 'compliance' | 'annotation'> {
  const compliance = consoleMfaVerdict(user);
  const due = compliance === 'NON_COMPLIANT' ? mfaDueBy(user, grace) : undefined;
  if (due && user.userCreatedAt) {
    return {
      compliance: 'NOT_APPLICABLE',
      annotation: `User ${user.userName} has no MFA device yet: MFA due by ${isoDay(due)} (${isoSeconds(due)}), ${grace}-day grace for new users, from the user's creation on ${isoSeconds(user.userCreatedAt)} (${source}).`,
    };
  }
  switch (compliance) {
    case 'NOT_APPLICABLE':
      return {
        compliance,
        annotation: `User ${user.userName} has no console password (API access only): console MFA does not apply (${source}).`,
      };
    case 'COMPLIANT':
      return {
        compliance,
        annotation: `User ${user.userName} has a console password and an active MFA device (${source}).`,
      };
    case 'NON_COMPLIANT':
      return {
        compliance,
        annotation: `User ${user.userName} has a console password and no MFA device (${source}). Fix: assign an MFA device under the user's Security credentials, or delete the console password.`,
      };
  }
}

/** Where each fact came from, exactly: never "checked live" for a fact that came from the report. */
function sourceText(user: UserFacts): string {
  const at = isoSeconds(user.evidenceAt);
  switch (user.evidence) {
    case 'credential-report':
      return `both facts from the credential report of ${at}`;
    case 'virtual-mfa':
      return `console password from the credential report of ${at}; MFA: a virtual device assigned now`;
    case 'live-mfa':
      return `console password from the credential report of ${at}; MFA devices listed live`;
    case 'live':
      return `both facts checked live at ${at}`;
  }
}
