/**
 * The evaluations every rule on IAM users sends, assembled one way: for each user the rule's own
 * verdict, then its exemption (runtime/exemptions.ts), at the time of the user's evidence; for each
 * user the facts found gone, NOT_APPLICABLE at the time IAM said so. The rule only decides.
 */
import type { AccountRegistry } from './exemption-registry';
import { applyExemption, type ExemptionSettings, type ExemptionTag } from './exemptions';
import type { DepartedUser } from './facts/users';
import { EVIDENCE_AT, EVIDENCE_SOURCE, type Evaluation, type EvidenceSource } from './types';

const USER = 'AWS::IAM::User';

/** What a rule says about one user: its verdict, the exemption tag as read, the evidence time. */
export interface UserJudgement {
  verdict: Pick<Evaluation, 'compliance' | 'annotation'>;
  tag: ExemptionTag;
  evidenceAt: Date;
}

/** `evidence`: where the user's facts came from; a user without it was read live (privileged users). */
export function userEvaluations<
  U extends { userId: string; userName: string; evidence?: EvidenceSource },
>(
  facts: { users: readonly U[]; departed: readonly DepartedUser[] },
  judge: (user: U) => UserJudgement,
  exemptions: ExemptionSettings,
  registry?: AccountRegistry,
): Evaluation[] {
  const evaluations: Evaluation[] = facts.users.map((user) => {
    const { verdict, tag, evidenceAt } = judge(user);
    return {
      resourceType: USER,
      resourceId: user.userId,
      resourceName: user.userName,
      ...applyExemption(verdict, tag, exemptions, user.userName, {
        userId: user.userId,
        registry,
      }),
      [EVIDENCE_AT]: evidenceAt,
      [EVIDENCE_SOURCE]: user.evidence ?? 'live',
    };
  });
  for (const gone of facts.departed) {
    const name = gone.userName ?? gone.userId;
    evaluations.push({
      resourceType: USER,
      resourceId: gone.userId,
      resourceName: name,
      compliance: 'NOT_APPLICABLE',
      annotation: `User ${name} ${gone.reason} (IAM, read live at ${isoSeconds(gone.at)}): nothing to evaluate.`,
      [EVIDENCE_AT]: gone.at,
      [EVIDENCE_SOURCE]: 'live',
    });
  }
  return evaluations;
}

/** `2026-01-01T02:30:00Z`: a time in annotations, to the second. */
export function isoSeconds(time: Date): string {
  return time.toISOString().replace(/\.\d+Z$/, 'Z');
}
