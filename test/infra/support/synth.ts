/**
 * Shared helpers of the infra suite: synthesize the default app (cdk.json context, cdk-nag on) into
 * a temporary cloud assembly, find bundled assets, run cfn-lint.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Annotations, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildApp, type MfaConfigRulesApp } from '../../../infra/app-builder';
import type { MfaConfigRulesOrganizationStack } from '../../../infra/stacks';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export type CfnTemplate = Record<string, unknown> & {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
};

/** The context of cdk.json (feature flags and the app's defaults). */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

const createdDirs: string[] = [];

/** A fresh directory under the OS temp dir, removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mfa-config-rules-${prefix}-`));
  createdDirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of createdDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export interface Synthesized extends MfaConfigRulesApp {
  outdir: string;
  assembly: CloudAssembly;
}

/** The default app, as `cdk synth` builds it, plus extra context. Synthesis runs cdk-nag. */
export function synthesizeApp(context: Record<string, unknown> = {}): Synthesized {
  const outdir = tempDir('cdk-out');
  const app = new App({ outdir, context: { ...cdkJsonContext(), ...context } });
  const built = buildApp(app);
  const assembly = quietly(() => app.synth());
  return { ...built, outdir, assembly };
}

/** The organization id the tests give (`-c organizationId=…`); cdk.json has none. */
export const TEST_ORGANIZATION_ID = 'o-a1b2c3d4e5';

export type SynthesizedWithOrganization = Synthesized & {
  organization: MfaConfigRulesOrganizationStack;
};

/** The default app with an organization id (so both stacks), plus extra context. */
export function synthesizeOrgApp(
  context: Record<string, unknown> = {},
): SynthesizedWithOrganization {
  const synth = synthesizeApp({ organizationId: TEST_ORGANIZATION_ID, ...context });
  const { organization } = synth;
  if (!organization) throw new Error('the organization stack was not built');
  return { ...synth, organization };
}

/**
 * Runs `fn` with console.error and console.warn silenced: synthesis prints the validation report
 * (our intended warnings included) there, which would only clutter the test output.
 */
export function quietly<T>(fn: () => T): T {
  const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  // cdk-nag's EventBusOpenAccess reads CfnEventBusPolicy#principal, which jsii reports as deprecated
  // on console.warn: noise, not a finding.
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    return fn();
  } finally {
    spy.mockRestore();
    warn.mockRestore();
  }
}

/** Annotations of a stack (re-synthesizes it, quietly). */
export function annotationsOf(stack: Stack): Annotations {
  return quietly(() => Annotations.fromStack(stack));
}

export function templateOf(stack: Stack): Template {
  return Template.fromStack(stack);
}

/** The first resource of a type whose logical id contains `fragment`. */
export function resourceOf(
  template: Template,
  type: string,
  fragment: string,
): { id: string; Properties: Record<string, unknown>; DependsOn?: string[] } {
  const found = Object.entries(
    template.findResources(type) as Record<
      string,
      { Properties: Record<string, unknown>; DependsOn?: string[] }
    >,
  ).filter(([id]) => id.includes(fragment));
  const first = found[0];
  if (!first) throw new Error(`no ${type} whose id contains ${fragment}`);
  return { id: first[0], ...first[1] };
}

/** Directory of a Lambda function's staged asset in the cloud assembly. */
export function functionAssetDir(
  outdir: string,
  functionProperties: Record<string, unknown>,
): string {
  const code = functionProperties.Code as { S3Key: string };
  const hash = code.S3Key.replace(/\.zip$/, '');
  return path.join(outdir, `asset.${hash}`);
}

export interface LintFinding {
  Filename: string;
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Rule: { Id: string };
}

/** Runs cfn-lint once over files; returns its findings (exit code 2 = errors, 4 = warnings). */
export function cfnLint(files: readonly string[]): LintFinding[] {
  const result = spawnSync('cfn-lint', ['--format', 'json', '--', ...files], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  if (![0, 2, 4, 6, 8, 10, 12, 14].includes(result.status ?? -1)) {
    throw new Error(`cfn-lint failed (${String(result.status)}): ${result.stderr}`);
  }
  return result.stdout.trim() ? (JSON.parse(result.stdout) as LintFinding[]) : [];
}

/** Writes a template object (or a JSON string body) to a temporary .json file for cfn-lint. */
export function writeTemplate(dir: string, name: string, body: unknown): string {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  return file;
}
