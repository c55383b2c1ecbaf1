/**
 * A large account for the HTML report's browser test and benchmark: N IAM users × the five rules,
 * built as the CLI builds its rows (`rowFromEvaluation` over evaluations carrying their exemption
 * and evidence), with annotations in the rules' own wording. Generated, not read from moto: at
 * 10,000 users a real evaluation against moto takes minutes on a shared machine, and what is under
 * test here is the page. (The demo account's page, test/browser/report-page.test.ts, comes from the
 * real CLI against moto.)
 *
 * Population (deterministic): 60 % console users; 5 % of everyone console users without MFA; 2 %
 * privileged (a third of them with a virtual device: failing the hardware rule); 1 % exempt until a
 * date ahead, 0.2 % with an expired exemption; the rest with MFA. Names mix first/last names with
 * numbers, some upper case, so the collator has work to do.
 */
import { RULE_METADATA } from '../../rules/catalog';
import {
  rowFromEvaluation,
  sortReportRows,
  storedRow,
  type ReportDocument,
  type ReportRow,
} from '../../cli/report-model';
import {
  EVIDENCE_AT,
  EVIDENCE_SOURCE,
  EXEMPTION,
  type ComplianceType,
  type Evaluation,
  type RuleMetadata,
} from '../../rules/runtime/types';

export const ACCOUNT = '123456789012';
const FIRST = ['ana', 'Bob', 'chen', 'dana', 'Eve', 'farid', 'gita', 'hugo', 'ines', 'jon', 'Kai'];
const LAST = ['smith', 'Ng', 'okafor', 'garcia', 'ivanova', 'müller', 'sato', 'brown', 'diaz'];
const REPORT_AT = new Date('2026-11-30T06:00:00Z');
const LIVE_AT = new Date('2026-11-30T10:00:04Z');
const RAN_AT = new Date('2026-11-30T10:00:00Z');

const iso = (date: Date) => date.toISOString().replace(/\.\d+Z$/, 'Z');

function meta(name: string): RuleMetadata {
  const found = RULE_METADATA.find((m) => m.name === name);
  if (!found) throw new Error(`no rule ${name}`);
  return found;
}

interface User {
  name: string;
  id: string;
  console: boolean;
  mfa: 'none' | 'virtual' | 'hardware';
  privileged: boolean;
  exemption?: { until: string; expired: boolean };
}

function population(size: number): User[] {
  return Array.from({ length: size }, (_, i) => {
    const name = `${FIRST[i % FIRST.length] ?? ''}.${LAST[Math.floor(i / FIRST.length) % LAST.length] ?? ''}-${i}`;
    const consoleUser = i % 5 < 3;
    const noMfa = i % 20 === 0;
    const privileged = i % 50 === 7;
    return {
      name,
      id: `AIDA${String(i).padStart(17, '0')}`,
      console: consoleUser || noMfa,
      mfa: noMfa ? 'none' : privileged && i % 3 === 0 ? 'virtual' : i % 2 ? 'virtual' : 'hardware',
      privileged,
      ...(noMfa && i % 100 === 20
        ? { exemption: { until: '2027-03-31', expired: false } }
        : noMfa && i % 500 === 40
          ? { exemption: { until: '2026-10-01', expired: true } }
          : {}),
    };
  });
}

function userEvaluation(
  user: User,
  compliance: ComplianceType,
  annotation: string,
  source: 'credential-report' | 'live',
): Evaluation {
  const base: Evaluation = {
    resourceType: 'AWS::IAM::User',
    resourceId: user.id,
    resourceName: user.name,
    compliance,
    annotation,
    [EVIDENCE_AT]: source === 'live' ? LIVE_AT : REPORT_AT,
    [EVIDENCE_SOURCE]: source,
  };
  if (compliance !== 'NON_COMPLIANT' || !user.exemption) return base;
  const { until, expired } = user.exemption;
  const reason = 'waiting for a hardware key, approved SEC-42';
  if (expired) {
    return {
      ...base,
      annotation: `User ${user.name}: exemption expired on ${until} (mfa-exemption: ${reason}). ${annotation}`,
      [EXEMPTION]: { source: 'tag', key: 'mfa-exemption', status: 'expired', until, reason },
    };
  }
  return {
    ...base,
    compliance: 'NOT_APPLICABLE',
    annotation: `User ${user.name} is exempt until ${until} (end of day UTC): "${reason}" (tag mfa-exemption). Without it: ${annotation}`,
    [EXEMPTION]: {
      source: 'tag',
      key: 'mfa-exemption',
      status: 'honoured',
      until,
      reason,
      replaced: 'NON_COMPLIANT',
    },
  };
}

function evaluations(user: User): [string, Evaluation][] {
  const report = `both facts from the credential report of ${iso(REPORT_AT)}`;
  const live = `both facts checked live at ${iso(LIVE_AT)}`;
  const out: [string, Evaluation][] = [];
  out.push([
    'iam-user-console-mfa',
    !user.console
      ? userEvaluation(
          user,
          'NOT_APPLICABLE',
          `User ${user.name} has no console password (API access only): console MFA does not apply (${report}).`,
          'credential-report',
        )
      : user.mfa === 'none'
        ? userEvaluation(
            user,
            'NON_COMPLIANT',
            `User ${user.name} has a console password and no MFA device (${live}). Fix: assign an MFA device under the user's Security credentials, or delete the console password.`,
            'live',
          )
        : userEvaluation(
            user,
            'COMPLIANT',
            `User ${user.name} has a console password and an active MFA device (${report}).`,
            'credential-report',
          ),
  ]);
  out.push([
    'iam-user-mfa',
    user.mfa === 'none'
      ? userEvaluation(
          user,
          'NON_COMPLIANT',
          `User ${user.name} has no MFA device (MFA devices listed live at ${iso(LIVE_AT)}). Fix: assign an MFA device under the user's Security credentials, or delete the user if nobody needs it.`,
          'live',
        )
      : userEvaluation(
          user,
          'COMPLIANT',
          `User ${user.name} has an MFA device (credential report of ${iso(REPORT_AT)}).`,
          'credential-report',
        ),
  ]);
  out.push([
    'iam-user-hardware-mfa',
    !user.privileged
      ? userEvaluation(
          user,
          'NOT_APPLICABLE',
          `User ${user.name} is not privileged (no AdministratorAccess or listed policy, directly or through a group, no tag mfa-privileged=true; IAM, read live at ${iso(LIVE_AT)}): hardware MFA does not apply.`,
          'live',
        )
      : user.mfa === 'hardware'
        ? userEvaluation(
            user,
            'COMPLIANT',
            `User ${user.name} (privileged: AdministratorAccess through group admins) signs in only with hardware: 1 hardware TOTP token (IAM, read live at ${iso(LIVE_AT)}).`,
            'live',
          )
        : userEvaluation(
            user,
            'NON_COMPLIANT',
            `User ${user.name} (privileged: AdministratorAccess through group admins) has ${user.mfa === 'none' ? 'no MFA device' : 'a virtual MFA device (mfa/' + user.name + ')'}: delete it; use hardware TOTP or FIDO keys only (IAM, read live at ${iso(LIVE_AT)}).`,
            'live',
          ),
  ]);
  return out;
}

/** The document `evaluate` would build for an account of `size` users (root without MFA). */
export function largeAccountDocument(size: number): ReportDocument {
  const context = (rule: string) => ({
    rule: meta(rule),
    accountId: ACCOUNT,
    region: 'eu-west-1',
    ranAt: RAN_AT,
    recordedAt: LIVE_AT,
  });
  const root = (rule: string, annotation: string): Evaluation => ({
    resourceType: 'AWS::::Account',
    resourceId: ACCOUNT,
    resourceName: ACCOUNT,
    compliance: 'NON_COMPLIANT',
    annotation,
  });
  const rows = [
    rowFromEvaluation(
      root(
        'root-account-mfa',
        `Root user of account ${ACCOUNT} has no MFA and holds a password. Fix: sign in as root > Security credentials > Assign MFA device (hardware key preferred).`,
      ),
      context('root-account-mfa'),
    ),
    rowFromEvaluation(
      root(
        'root-account-hardware-mfa',
        `Root user of account ${ACCOUNT} has no MFA at all. Fix: sign in as root > Security credentials > Assign MFA device and register a hardware TOTP token or FIDO security key.`,
      ),
      context('root-account-hardware-mfa'),
    ),
  ];
  for (const user of population(size)) {
    for (const [rule, evaluation] of evaluations(user)) {
      rows.push(rowFromEvaluation(evaluation, context(rule)));
    }
  }
  return {
    kind: 'account',
    title: `MFA controls — account ${ACCOUNT}`,
    source: `Generated for the browser test: ${size} IAM users in the rules' own wording.`,
    generatedAt: LIVE_AT.toISOString(),
    accountId: ACCOUNT,
    region: 'eu-west-1',
    rules: RULE_METADATA.map((m) => m.name),
    rows: sortReportRows(rows),
    notes: [],
  };
}

/**
 * What `report --aggregator` would build for `accounts` accounts of `users` users each, as AWS
 * Config stores results (ids only, no NOT_APPLICABLE): account i has i × 3 users failing the
 * console rule, and every third account a root without MFA.
 */
export function organizationDocument(accounts: number, users: number): ReportDocument {
  const rows: ReportRow[] = [];
  for (let a = 0; a < accounts; a++) {
    const account = String(100000000000 + a);
    const rootFails = a % 3 === 2;
    rows.push(
      storedRow({
        accountId: account,
        region: 'us-east-1',
        rule: 'root-account-mfa',
        resourceType: 'AWS::::Account',
        resourceId: account,
        resourceName: account,
        compliance: rootFails ? 'NON_COMPLIANT' : 'COMPLIANT',
        annotation: rootFails
          ? `Root user of account ${account} has no MFA and holds a password. Fix: sign in as root > Security credentials > Assign MFA device (hardware key preferred).`
          : `Root user of account ${account} has MFA enabled (IAM account summary, read live).`,
        recordedAt: LIVE_AT.toISOString(),
        evidenceAt: LIVE_AT.toISOString(),
      }),
    );
    for (let u = 0; u < users; u++) {
      const id = `AIDA${account}${String(u).padStart(5, '0')}`;
      const fails = u < a * 3;
      rows.push(
        storedRow({
          accountId: account,
          region: u % 2 ? 'us-east-1' : 'eu-west-1',
          rule: 'iam-user-console-mfa',
          resourceType: 'AWS::IAM::User',
          resourceId: id,
          resourceName: id,
          compliance: fails ? 'NON_COMPLIANT' : 'COMPLIANT',
          annotation: fails
            ? `User user-${u} has a console password and no MFA device (both facts checked live at ${iso(LIVE_AT)}). Fix: assign an MFA device under the user's Security credentials, or delete the console password.`
            : `User user-${u} has a console password and an active MFA device (both facts from the credential report of ${iso(REPORT_AT)}).`,
          recordedAt: LIVE_AT.toISOString(),
          evidenceAt: (fails ? LIVE_AT : REPORT_AT).toISOString(),
        }),
      );
    }
  }
  return {
    kind: 'organization',
    title: 'MFA controls — organization (aggregator org-mfa)',
    source: `Generated for the browser test: ${accounts} accounts of ${users} users, as AWS Config stores results.`,
    generatedAt: LIVE_AT.toISOString(),
    accountId: '999999999999',
    region: 'us-east-1',
    rules: ['root-account-mfa', 'iam-user-console-mfa'],
    rows: sortReportRows(rows),
    notes: [
      'Aggregators return COMPLIANT and NON_COMPLIANT results only: NOT_APPLICABLE verdicts are not listed.',
    ],
  };
}
