/**
 * Framework mappings: how a rule's metadata names its CIS AWS Foundations Benchmark and Security
 * Hub controls, where each number comes from, and the one place they are formatted (the CLI, the
 * CDK descriptions, the conformance pack and the README all call the formatters below).
 *
 * Sources (pinned to the commit read; numbers and Automated/Manual status checked by hand):
 * - AWS Security Hub CSPM user guide, IAM controls ("Related requirements" of IAM.5, IAM.6, IAM.9,
 *   IAM.19): the Security Hub control and its CIS v1.4.0, v3.0.0 and v5.0.0 numbers.
 * - Prowler's compliance files prowler/compliance/aws/cis_<version>_aws.json (`Id`,
 *   `AssessmentStatus`): the numbers of every version v1.4.0–v7.0.0.
 * - Steampipe's aws-compliance mod, cis_v<version>/section_*.pp (`cis_item_id`, `cis_type`): the
 *   numbers and the Automated/Manual status of v1.4.0–v6.0.0.
 * - Cloudaware's CIS AWS v7.0.0 pages, which quote the benchmark's titles with "(Automated)" /
 *   "(Manual)": the root recommendations of v7.0.0.
 * Where they disagree: root hardware MFA in v2.0.0 and v3.0.0 is Manual in Steampipe (and in the
 * v3.0.0 title, "1.6 Ensure hardware MFA is enabled for the 'root' user account (Manual)") but
 * Automated in Prowler's cis_2.0/cis_3.0 files; we follow the benchmark's title (Manual).
 *
 * Rules without CIS numbers:
 * - `iam-user-mfa` (every IAM user has MFA): `securityHub('IAM.19')` only. Security Hub lists no
 *   CIS requirement for IAM.19 (it is the managed rule `iam-user-mfa-enabled`), and no CIS
 *   AWS Foundations version has an "every IAM user" MFA recommendation.
 * - `iam-user-hardware-mfa` (privileged users sign in only with hardware): no Security Hub control
 *   and no CIS recommendation: `frameworks: []`.
 * - CIS v7.0.0 2.1.1 "Ensure centralized root access in AWS Organizations" (Manual, Prowler
 *   cis_7.0_aws.json): not an MFA control; the root rules' NOT_APPLICABLE verdict for a root
 *   without credentials is what that setting produces.
 */
import {
  CIS_VERSIONS,
  type CisVersion,
  type FrameworkMapping,
  type RuleMetadata,
} from './runtime/types';

const PROWLER_COMMIT = '3e000faa3109230b748e4418a13c11c9e59f5cfb';
const STEAMPIPE_COMMIT = 'a1d0b446ef9b96ea64980859fc063d70da20778e';

export const SECURITY_HUB_IAM_CONTROLS =
  'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html';

const PROWLER_FILE: Record<CisVersion, string> = {
  'v1.4.0': 'cis_1.4_aws.json',
  'v1.5.0': 'cis_1.5_aws.json',
  'v2.0.0': 'cis_2.0_aws.json',
  'v3.0.0': 'cis_3.0_aws.json',
  'v4.0.1': 'cis_4.0_aws.json',
  'v5.0.0': 'cis_5.0_aws.json',
  'v6.0.0': 'cis_6.0_aws.json',
  'v7.0.0': 'cis_7.0_aws.json',
};

/** Steampipe has no CIS v7.0.0 benchmark at the commit read. */
const STEAMPIPE_FILE: Partial<Record<CisVersion, string>> = {
  'v1.4.0': 'cis_v140/section_1.pp',
  'v1.5.0': 'cis_v150/section_1.pp',
  'v2.0.0': 'cis_v200/section_1.pp',
  'v3.0.0': 'cis_v300/section_1.pp',
  'v4.0.1': 'cis_v400/section_1.pp',
  'v5.0.0': 'cis_v500/section_1.pp',
  'v6.0.0': 'cis_v600/section_2.pp',
};

/** The CIS versions whose numbers the Security Hub user guide lists beside each control. */
const SECURITY_HUB_CIS_VERSIONS: readonly CisVersion[] = ['v1.4.0', 'v3.0.0', 'v5.0.0'];

export function prowlerSource(version: CisVersion): string {
  return `https://github.com/prowler-cloud/prowler/blob/${PROWLER_COMMIT}/prowler/compliance/aws/${PROWLER_FILE[version]}`;
}

export function steampipeSource(version: CisVersion): string | undefined {
  const file = STEAMPIPE_FILE[version];
  return file
    ? `https://github.com/turbot/steampipe-mod-aws-compliance/blob/${STEAMPIPE_COMMIT}/${file}`
    : undefined;
}

/** A Cloudaware CIS AWS v7.0.0 page (section 2, recommendation `item`), e.g. `2.5` → …/02/05/. */
export function cloudawareV7Source(control: string): string {
  const [section = '', item = ''] = control.split('.');
  return `https://ce.prod.cloudaware.com/frameworks/cis-aws-v7.0.0/${section.padStart(2, '0')}/${item.padStart(2, '0')}/`;
}

/**
 * One mapping per CIS version in `versions`, each citing Prowler's file for that version,
 * Steampipe's where it has one, the Security Hub guide for v1.4.0/v3.0.0/v5.0.0, and `extra`.
 */
export function cis(
  versions: readonly CisVersion[],
  control: string,
  assessment: 'Automated' | 'Manual',
  extra: readonly string[] = [],
): FrameworkMapping[] {
  return versions.map((version) => ({
    framework: 'CIS AWS Foundations Benchmark',
    version,
    control,
    assessment,
    sources: [
      prowlerSource(version),
      ...[steampipeSource(version)].filter((s): s is string => s !== undefined),
      ...(SECURITY_HUB_CIS_VERSIONS.includes(version) ? [SECURITY_HUB_IAM_CONTROLS] : []),
      ...extra,
    ],
  }));
}

export function securityHub(control: string): FrameworkMapping {
  return { framework: 'AWS Security Hub', control, sources: [SECURITY_HUB_IAM_CONTROLS] };
}

// ---------------------------------------------------------------------------------------------
// Formatting: the only place CIS and Security Hub ids are turned into text.

type CisMapping = Extract<FrameworkMapping, { framework: 'CIS AWS Foundations Benchmark' }>;

export interface CisGroup {
  /** First and last version of a run of consecutive versions with the same control and status. */
  from: CisVersion;
  to: CisVersion;
  control: string;
  assessment: 'Automated' | 'Manual';
}

export function cisMappings(rule: Pick<RuleMetadata, 'frameworks'>): CisMapping[] {
  return rule.frameworks
    .filter((m): m is CisMapping => m.framework === 'CIS AWS Foundations Benchmark')
    .sort((a, b) => CIS_VERSIONS.indexOf(a.version) - CIS_VERSIONS.indexOf(b.version));
}

export function securityHubControls(rule: Pick<RuleMetadata, 'frameworks'>): string[] {
  return rule.frameworks.flatMap((m) => (m.framework === 'AWS Security Hub' ? [m.control] : []));
}

/** Consecutive CIS versions (in CIS_VERSIONS order) with the same number and status, merged. */
export function cisGroups(rule: Pick<RuleMetadata, 'frameworks'>): CisGroup[] {
  const groups: CisGroup[] = [];
  let previousIndex = -2;
  for (const m of cisMappings(rule)) {
    const index = CIS_VERSIONS.indexOf(m.version);
    const last = groups.at(-1);
    if (
      last &&
      index === previousIndex + 1 &&
      last.control === m.control &&
      last.assessment === m.assessment
    ) {
      last.to = m.version;
    } else {
      groups.push({ from: m.version, to: m.version, control: m.control, assessment: m.assessment });
    }
    previousIndex = index;
  }
  return groups;
}

export interface FormatOptions {
  /** `-` instead of `–` (for places that want plain ASCII). */
  ascii?: boolean;
}

function versionRange(group: CisGroup, options: FormatOptions): string {
  const dash = options.ascii ? '-' : '–';
  return group.from === group.to ? group.from : `${group.from}${dash}${group.to}`;
}

/** `1.6`, or `1.6 (manual)` where the benchmark marks the recommendation Manual. */
export function formatCisControl(m: Pick<CisGroup, 'control' | 'assessment'>): string {
  return `${m.control}${m.assessment === 'Manual' ? ' (manual)' : ''}`;
}

/** `v1.4.0–v4.0.1 1.5, v5.0.0 1.4, …`, with ` (manual)` where the benchmark marks it Manual. */
export function formatCis(
  rule: Pick<RuleMetadata, 'frameworks'>,
  options: FormatOptions = {},
): string {
  const groups = cisGroups(rule);
  if (groups.length === 0) return 'none';
  return groups.map((g) => `${versionRange(g, options)} ${formatCisControl(g)}`).join(', ');
}

/** `IAM.9`, or `none`. */
export function formatSecurityHub(rule: Pick<RuleMetadata, 'frameworks'>): string {
  const controls = securityHubControls(rule);
  return controls.length > 0 ? controls.join(', ') : 'none';
}

/** `CIS AWS Foundations v1.4.0–v4.0.1 1.5, … | Security Hub IAM.9`. */
export function formatFrameworks(
  rule: Pick<RuleMetadata, 'frameworks'>,
  options: FormatOptions = {},
): string {
  return `CIS AWS Foundations ${formatCis(rule, options)} | Security Hub ${formatSecurityHub(rule)}`;
}

/** The newest CIS number and the Security Hub control: `CIS v7.0.0 2.5, Security Hub IAM.9`. */
export function formatFrameworksShort(rule: Pick<RuleMetadata, 'frameworks'>): string {
  const newest = cisMappings(rule).at(-1);
  const parts = [
    ...(newest ? [`CIS ${newest.version} ${newest.control}`] : []),
    ...securityHubControls(rule).map((control) => `Security Hub ${control}`),
  ];
  return parts.length > 0 ? parts.join(', ') : 'no framework control';
}
