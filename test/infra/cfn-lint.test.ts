/**
 * cfn-lint (1.x, on PATH) over every synthesized template, and over the templates embedded as
 * strings, which cfn-lint never looks inside: the StackSet's execution role template and the
 * conformance pack template (account and organization packs).
 */
import * as path from 'node:path';
import { ACCOUNT_STACK_NAME, ORGANIZATION_STACK_NAME } from '../../infra/settings';
import {
  cfnLint,
  resourceOf,
  synthesizeOrgApp,
  tempDir,
  templateOf,
  writeTemplate,
  type LintFinding,
  type SynthesizedWithOrganization,
} from './support/synth';

let findings: LintFinding[];
let files: Record<string, string>;

/**
 * The only warning allowed: W3005 on the DependsOn CDK's lambda.Function always adds on its role,
 * which the function's `Role: GetAtt` already implies.
 */
function unexpected(found: LintFinding[]): LintFinding[] {
  return found.filter(
    (f) => !(f.Level === 'Warning' && f.Rule.Id === 'W3005' && /Role[0-9A-F]{8}'/.test(f.Message)),
  );
}

beforeAll(() => {
  const byDefault = synthesizeOrgApp();
  const delegated = synthesizeOrgApp({
    organizationId: 'o-a1b2c3d4e5',
    callAs: 'DELEGATED_ADMIN',
    managementAccountId: '111111111111',
    memberAccountIds: '222222222222',
    targetOrganizationalUnitIds: 'r-ab12',
  });
  const dir = tempDir('lint');
  const embedded = (synth: SynthesizedWithOrganization, name: string) => {
    const org = templateOf(synth.organization);
    const account = templateOf(synth.account);
    return {
      [`${name}-stackset-body`]: writeTemplate(
        dir,
        `${name}-stackset-body`,
        resourceOf(org, 'AWS::CloudFormation::StackSet', 'ExecutionRoleStackSet').Properties
          .TemplateBody,
      ),
      [`${name}-org-pack-body`]: writeTemplate(
        dir,
        `${name}-org-pack-body`,
        resourceOf(org, 'AWS::Config::OrganizationConformancePack', 'OrganizationConformancePack')
          .Properties.TemplateBody,
      ),
      [`${name}-account-pack-body`]: writeTemplate(
        dir,
        `${name}-account-pack-body`,
        resourceOf(account, 'AWS::Config::ConformancePack', 'ConformancePack').Properties
          .TemplateBody,
      ),
    };
  };
  files = {
    'default-account': path.join(byDefault.outdir, `${ACCOUNT_STACK_NAME}.template.json`),
    'default-organization': path.join(byDefault.outdir, `${ORGANIZATION_STACK_NAME}.template.json`),
    'delegated-organization': path.join(
      delegated.outdir,
      `${ORGANIZATION_STACK_NAME}.template.json`,
    ),
    ...embedded(byDefault, 'default'),
    ...embedded(delegated, 'delegated'),
  };
  findings = cfnLint(Object.values(files));
});

describe('cfn-lint', () => {
  it('lints every synthesized and embedded template', () => {
    expect(Object.keys(files)).toHaveLength(9);
  });

  it('finds no error anywhere', () => {
    expect(findings.filter((f) => f.Level === 'Error')).toEqual([]);
  });

  it('finds nothing but the known CDK DependsOn warning in the stacks', () => {
    expect(unexpected(findings)).toEqual([]);
  });

  it('finds nothing at all in the StackSet and conformance pack bodies', () => {
    const embeddedFiles = Object.entries(files)
      .filter(([name]) => name.endsWith('-body'))
      .map(([, file]) => file);
    expect(findings.filter((f) => embeddedFiles.includes(f.Filename))).toEqual([]);
  });
});
