/**
 * The package as its users get it: `npm pack`, installed into fresh CDK apps of every kind with
 * aws-cdk-lib, constructs, the CDK CLI and each template's own TypeScript tooling only (no
 * cdk-nag, no esbuild), the README's "In your own CDK app" snippet as the app, `cdk synth` offline;
 * and the installed CLI through a slow pipe with more than 64 KB of output.
 *
 * To stay fast, the apps share one install: the tarball, aws-cdk-lib, constructs and the CDK CLI
 * are installed once into a folder whose sub-folders are the apps (Node.js and TypeScript resolve
 * packages from the parent's node_modules, as in a workspace); each app installs only its own
 * TypeScript tooling, and the four apps synthesize in parallel. The first run downloads from the
 * npm registry; later runs install from the npm cache.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RULE_NAMES } from '../../rules/catalog';
import { consoleUsersAccount, expectedCounts, seedScenario } from '../support/scenarios';
import { useMoto } from '../support/use-moto';

const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
/** The versions the consumers install: the lowest aws-cdk-lib the package accepts, our CDK CLI. */
const AWS_CDK_LIB = PACKAGE.peerDependencies['aws-cdk-lib']?.replace(/^\^/, '') ?? '';
const CDK_CLI = PACKAGE.devDependencies['aws-cdk'] ?? '';
const CDK_BIN = path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
/**
 * Hang catchers, not speed checks: a child still running after this long is stuck (an install
 * waiting on the network, a synth waiting on input); a slow or shared machine never gets near it.
 */
const INSTALL_TIMEOUT_MS = 600_000;
const SYNTH_TIMEOUT_MS = 600_000;
/** Anything that tries the network during synthesis fails fast. */
const OFFLINE: Record<string, string> = {
  HTTP_PROXY: 'http://127.0.0.1:9',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  http_proxy: 'http://127.0.0.1:9',
  https_proxy: 'http://127.0.0.1:9',
  npm_config_offline: 'true',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
};

/** The README's "In your own CDK app" code block. */
function readmeSnippet(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### In your own CDK app'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('README: no ts code block under "In your own CDK app"');
  return code;
}

/** The snippet for a CommonJS module: each `import { … } from 'x'` becomes a `require`. */
function asCommonJs(code: string): string {
  return code.replace(
    /^import \{([^}]+)\} from '([^']+)';$/gm,
    (_all, names: string, from: string) => `const {${names}} = require('${from}');`,
  );
}

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function failed(command: string, args: string[], cwd: string, result: Ran): Error {
  return new Error(
    `${command} ${args.join(' ')} (in ${cwd}) exited ${String(result.status)}: ${result.stderr.slice(-3000)}${result.stdout.slice(-2000)}`,
  );
}

function run(
  command: string,
  args: string[],
  cwd: string,
  options: { env?: Record<string, string>; timeout?: number } = {},
): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: options.timeout ?? INSTALL_TIMEOUT_MS,
    env: { ...process.env, npm_config_update_notifier: 'false', ...options.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw failed(command, args, cwd, result);
  return result;
}

/** `run`, without blocking: the apps install and synthesize side by side. */
function runAsync(
  command: string,
  args: string[],
  cwd: string,
  options: { env?: Record<string, string>; timeout?: number } = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      timeout: options.timeout ?? INSTALL_TIMEOUT_MS,
      env: { ...process.env, npm_config_update_notifier: 'false', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => {
      const result = { status, stdout, stderr };
      if (status === 0) resolve(result);
      else reject(failed(command, args, cwd, result));
    });
  });
}

const NPM_INSTALL = ['install', '--prefer-offline', '--no-audit', '--no-fund'];

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the JSON's shape
function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

interface PackageJson {
  name: string;
  type?: string;
  devDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
}

/**
 * Makes a generated app's package.json hold only its TypeScript tooling (the shared parent folder
 * provides aws-cdk-lib, constructs and the CDK CLI; the template's test runner is not needed).
 */
function keepTooling(dir: string, keep: readonly string[]): void {
  const file = path.join(dir, 'package.json');
  const pkg = readJson<PackageJson>(file);
  expect(Object.keys(pkg.dependencies ?? {}).sort()).toEqual(['aws-cdk-lib', 'constructs']);
  delete pkg.dependencies;
  pkg.devDependencies = Object.fromEntries(
    Object.entries(pkg.devDependencies ?? {}).filter(([name]) => keep.includes(name)),
  );
  writeJson(file, pkg);
}

function cdkInit(dir: string, language: 'typescript' | 'javascript'): void {
  fs.mkdirSync(dir, { recursive: true });
  run(process.execPath, [CDK_BIN, 'init', 'app', '--language', language, '--generate-only'], dir, {
    env: OFFLINE,
  });
}

interface ConsumerApp {
  /** Lays the app out (the template's files, the snippet as its entry point). */
  create: (dir: string, snippet: string) => void;
}

const APPS: Record<string, ConsumerApp> = {
  // `cdk init app --language typescript` today: `npx tsc && npx tsx bin/<name>.ts`, TypeScript ~7.0.
  'typescript-today': {
    create: (dir, snippet) => {
      cdkInit(dir, 'typescript');
      const cdkJson = readJson<{ app: string }>(path.join(dir, 'cdk.json'));
      expect(cdkJson.app).toBe('npx tsc && npx tsx bin/typescript-today.ts');
      keepTooling(dir, ['typescript', 'tsx', '@types/node', '@types/jest']);
      const pkg = readJson<PackageJson>(path.join(dir, 'package.json'));
      expect(pkg.devDependencies?.typescript).toMatch(/^~7\./);
      fs.writeFileSync(path.join(dir, 'bin', 'typescript-today.ts'), snippet);
    },
  },
  // The template before CDK CLI 2.1131: ts-node, TypeScript 5.9, NodeNext, skipLibCheck.
  'typescript-ts-node': {
    create: (dir, snippet) => {
      fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
      writeJson(path.join(dir, 'package.json'), {
        name: 'typescript-ts-node',
        version: '0.1.0',
        bin: { 'typescript-ts-node': 'bin/typescript-ts-node.js' },
        scripts: { build: 'tsc', watch: 'tsc -w', cdk: 'cdk' },
        devDependencies: { '@types/node': '^24.10.1', 'ts-node': '^10.9.2', typescript: '~5.9.3' },
      });
      writeJson(path.join(dir, 'tsconfig.json'), {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['es2022'],
          declaration: true,
          strict: true,
          noImplicitAny: true,
          strictNullChecks: true,
          noImplicitThis: true,
          alwaysStrict: true,
          noUnusedLocals: false,
          noUnusedParameters: false,
          noImplicitReturns: true,
          noFallthroughCasesInSwitch: false,
          inlineSourceMap: true,
          inlineSources: true,
          experimentalDecorators: true,
          strictPropertyInitialization: false,
          skipLibCheck: true,
          typeRoots: ['./node_modules/@types'],
        },
        exclude: ['node_modules', 'cdk.out'],
      });
      writeJson(path.join(dir, 'cdk.json'), {
        app: 'npx ts-node --prefer-ts-exts bin/typescript-ts-node.ts',
      });
      fs.writeFileSync(path.join(dir, 'bin', 'typescript-ts-node.ts'), snippet);
    },
  },
  // `cdk init app --language javascript`: CommonJS, `node bin/<name>.js`.
  'javascript-cjs': {
    create: (dir, snippet) => {
      cdkInit(dir, 'javascript');
      keepTooling(dir, []);
      fs.writeFileSync(path.join(dir, 'bin', 'javascript-cjs.js'), asCommonJs(snippet));
    },
  },
  // An ES module app: `"type": "module"`, `import` from the package.
  'javascript-esm': {
    create: (dir, snippet) => {
      fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
      writeJson(path.join(dir, 'package.json'), {
        name: 'javascript-esm',
        version: '0.1.0',
        type: 'module',
      });
      writeJson(path.join(dir, 'cdk.json'), { app: 'node bin/app.js' });
      fs.writeFileSync(path.join(dir, 'bin', 'app.js'), snippet);
    },
  },
};

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}
type Resources = Record<string, Resource>;

function resourcesOf(dir: string, stack: string): Resources {
  return readJson<{ Resources: Resources }>(path.join(dir, 'cdk.out', `${stack}.template.json`))
    .Resources;
}

const ofType = (resources: Resources, type: string): Resource[] =>
  Object.values(resources).filter((resource) => resource.Type === type);

/** The event path's function (issue 22, `freshness: 'events'`, the default): its own bundle. */
const FRESHNESS_BUNDLE = 'freshness';

/**
 * Each function deploys its prebuilt bundle, byte for byte, and nothing else: one per rule, and
 * the event path's freshness function.
 */
function expectBundledFunctions(dir: string, resources: Resources): void {
  const functions = ofType(resources, 'AWS::Lambda::Function');
  expect(functions).toHaveLength(RULE_NAMES.length + 1);
  const deployed = functions.map((fn) => {
    const properties = fn.Properties ?? {};
    expect(properties.Handler).toBe('index.handler');
    const description = String(properties.Description);
    const rule =
      RULE_NAMES.find((name) => description.includes(`rule ${name}:`)) ??
      (description.includes('re-evaluation per rule and account') ? FRESHNESS_BUNDLE : undefined);
    const hash = (properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
    const asset = path.join(dir, 'cdk.out', `asset.${hash}`);
    expect(fs.readdirSync(asset)).toEqual(['index.mjs']);
    const shipped = path.join(ROOT, 'dist', 'bundles', rule ?? '', 'index.mjs');
    expect(fs.readFileSync(path.join(asset, 'index.mjs')).equals(fs.readFileSync(shipped))).toBe(
      true,
    );
    return rule;
  });
  expect(deployed.sort()).toEqual([...RULE_NAMES, FRESHNESS_BUNDLE].sort());
  // No custom resource, no other function (log retention is a LogGroup, not a provider).
  expect(Object.values(resources).filter((r) => r.Type.startsWith('Custom::'))).toEqual([]);
}

let work: string;
/** The shared install: the tarball, aws-cdk-lib, constructs (dependencies), the CDK CLI (dev). */
let shared: string;
/** Each app's synthesis, started in beforeAll, running side by side. */
const synthesized: Record<string, Promise<Ran>> = {};

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mfa-config-rules-consumer-'));
  // Jest's global setup has just built dist/ (prepack would build it again).
  const packed = run(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', work],
    ROOT,
  );
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  if (!info) throw new Error('npm pack printed nothing');
  const files = info.files.map((file) => file.path);
  expect(files.filter((file) => !file.startsWith('dist/')).sort()).toEqual(
    ['LICENSE', 'README.md', 'bin/mfa-config-rules.js', 'package.json'].sort(),
  );
  for (const rule of [...RULE_NAMES, FRESHNESS_BUNDLE]) {
    expect(files).toContain(`dist/bundles/${rule}/index.mjs`);
  }
  // The command: its bundled files (scripts/build.ts).
  expect(files).toEqual(
    expect.arrayContaining([
      'dist/cli/mfa-config-rules.js',
      'dist/cli/aws-commands.js',
      'dist/cli/doctor-commands.js',
    ]),
  );
  expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
  expect(files).toContain('dist/infra/index.d.ts');

  shared = path.join(work, 'apps');
  fs.mkdirSync(shared);
  writeJson(path.join(shared, 'package.json'), {
    name: 'consumer-apps',
    version: '0.0.0',
    private: true,
    dependencies: {
      [PACKAGE.name]: `file:${path.join(work, info.filename)}`,
      'aws-cdk-lib': AWS_CDK_LIB,
      constructs: PACKAGE.peerDependencies.constructs,
    },
    devDependencies: { 'aws-cdk': CDK_CLI },
  });
  run('npm', NPM_INSTALL, shared);

  const snippet = readmeSnippet();
  const env = {
    ...OFFLINE,
    PATH: `${path.join(shared, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
  };
  for (const [name, app] of Object.entries(APPS)) {
    const dir = path.join(shared, name);
    app.create(dir, snippet);
    const tooling = Object.keys(
      readJson<PackageJson>(path.join(dir, 'package.json')).devDependencies ?? {},
    );
    const installed =
      tooling.length > 0 ? runAsync('npm', NPM_INSTALL, dir) : Promise.resolve(undefined);
    synthesized[name] = installed.then(() =>
      runAsync('npx', ['cdk', 'synth', '--no-notices', '--quiet'], dir, {
        env,
        timeout: SYNTH_TIMEOUT_MS,
      }),
    );
    // Failures are reported by the app's own test.
    synthesized[name].catch(() => undefined);
  }
}, INSTALL_TIMEOUT_MS);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe.each(Object.keys(APPS))('a %s CDK app', (name) => {
  it(
    'synthesizes the README snippet offline from the installed tarball: a bundled function per rule, the conformance pack, the organization pack',
    async () => {
      // Prepare
      const dir = path.join(shared, name);

      // Act
      const synth = await synthesized[name];

      // Assess
      expect(synth?.stderr).not.toMatch(/cdk-nag|esbuild|docker/i);
      const account = resourcesOf(dir, 'MfaRulesAccount');
      expectBundledFunctions(dir, account);
      const [pack] = ofType(account, 'AWS::Config::ConformancePack');
      // The snippet's ruleParameters reach the pack as its input parameters.
      expect(pack?.Properties?.ConformancePackInputParameters).toEqual(
        expect.arrayContaining([
          { ParameterName: 'IamUserConsoleMfaGracePeriodDays', ParameterValue: '7' },
          { ParameterName: 'IamUserConsoleMfaMaxExemptionDays', ParameterValue: '90' },
        ]),
      );
      for (const fn of ofType(account, 'AWS::Lambda::Function')) {
        expect(fn.Properties?.Tags).toEqual(
          expect.arrayContaining([{ Key: 'owner', Value: 'security' }]),
        );
      }
      const organization = resourcesOf(dir, 'MfaRulesOrganization');
      expectBundledFunctions(dir, organization);
      expect(ofType(organization, 'AWS::Config::OrganizationConformancePack')).toHaveLength(1);
      // The execution role's, and the event path's forwarding of members' IAM events (issue 22).
      expect(ofType(organization, 'AWS::CloudFormation::StackSet')).toHaveLength(2);
    },
    INSTALL_TIMEOUT_MS + SYNTH_TIMEOUT_MS,
  );
});

/**
 * What a JavaScript user writes wrong (issue 19), each as its own CommonJS app on the installed
 * tarball: the synth fails, the app's error is one line naming the prop and what to write.
 */
const MISTAKES: Record<string, { code: string; error: RegExp }> = {
  'notificationEmails as a prop': {
    code: `new MfaConfigRulesAccountPack(new Stack(app, 'A'), 'MfaRules', { notificationEmails: ['sec@example.com'] });`,
    error:
      /^Error: A\/MfaRules: unknown prop notificationEmails: that is the context key; as a prop write notifications: \{ emails: \['…'\] \} \(valid: .*\)$/m,
  },
  'securityHubAutomation as a prop': {
    code: `new MfaConfigRulesAccountPack(new Stack(app, 'A'), 'MfaRules', { securityHubAutomation: true });`,
    error:
      /^Error: A\/MfaRules: unknown prop securityHubAutomation: that is the context key; as a prop write securityHub: true \(valid: .*\)$/m,
  },
  'timeout: 600': {
    code: `new MfaConfigRulesAccountPack(new Stack(app, 'A'), 'MfaRules', { functionOptions: { 'iam-user-mfa': { timeout: 600 } } });`,
    error:
      /^Error: A\/MfaRules: prop functionOptions\['iam-user-mfa'\]\.timeout must be a Duration \(e\.g\. Duration\.seconds\(600\), from aws-cdk-lib\), not the number 600$/m,
  },
  'a missing targetOrganizationalUnitIds': {
    code: `new MfaConfigRulesOrganizationPack(new Stack(app, 'O'), 'MfaRules', { organizationId: 'o-a1b2c3d4e5' });`,
    error: /^Error: O\/MfaRules: prop targetOrganizationalUnitIds is required$/m,
  },
  "emails: 'a@b.c'": {
    code: `new MfaConfigRulesAccountPack(new Stack(app, 'A'), 'MfaRules', { notifications: { emails: 'a@b.c' } });`,
    error:
      /^Error: A\/MfaRules: prop notifications\.emails must be an array of strings, not the string 'a@b\.c'$/m,
  },
  'a misspelt rule name': {
    code: `new MfaConfigRulesAccountPack(new Stack(app, 'A'), 'MfaRules', { rules: ['root-acount-mfa'] });`,
    error:
      /^Error: A\/MfaRules: prop rules\[0\] must be a rule name \(root-account-mfa, .*\) or a RULE_METADATA entry, not the string 'root-acount-mfa'$/m,
  },
};

describe('a JavaScript app with a mistake', () => {
  const outcomes: Record<string, Promise<Ran>> = {};
  beforeAll(() => {
    const env = {
      ...OFFLINE,
      PATH: `${path.join(shared, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    };
    for (const [name, mistake] of Object.entries(MISTAKES)) {
      const dir = path.join(shared, `mistake-${name.replace(/[^a-z0-9]+/gi, '-')}`);
      fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
      writeJson(path.join(dir, 'package.json'), { name: 'mistake', version: '0.1.0' });
      writeJson(path.join(dir, 'cdk.json'), { app: 'node bin/app.js' });
      fs.writeFileSync(
        path.join(dir, 'bin', 'app.js'),
        [
          "const { App, Stack } = require('aws-cdk-lib');",
          "const { MfaConfigRulesAccountPack, MfaConfigRulesOrganizationPack } = require('mfa-config-rules');",
          'const app = new App();',
          mistake.code,
          'app.synth();',
          '',
        ].join('\n'),
      );
      outcomes[name] = new Promise((resolve) => {
        const child = spawn('npx', ['cdk', 'synth', '--no-notices', '--quiet'], {
          cwd: dir,
          env: { ...process.env, npm_config_update_notifier: 'false', ...env },
          timeout: SYNTH_TIMEOUT_MS,
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('close', (status) => {
          resolve({ status, stdout, stderr });
        });
      });
    }
  });

  it.each(Object.keys(MISTAKES))(
    '%s: the synth fails, with one line naming it',
    async (name) => {
      const outcome = await outcomes[name];
      expect(outcome?.status).not.toBe(0);
      expect(outcome?.stderr).toMatch(MISTAKES[name]?.error ?? /never/);
    },
    SYNTH_TIMEOUT_MS,
  );
});

describe('the installed mfa-config-rules command', () => {
  const endpoint = useMoto({ env: { MOTO_EXT_REPORT_DELAY_MS: '100' } });
  const USERS = 400;

  const bin = (): string => path.join(shared, 'node_modules', '.bin', 'mfa-config-rules');

  /** Runs the installed command into a reader that starts late, so the pipe fills up. */
  function throughSlowPipe(args: string): SpawnSyncReturns<string> {
    return spawnSync(
      'bash',
      ['-c', `set -o pipefail; "${bin()}" ${args} --endpoint-url "${endpoint()}" | (sleep 1; cat)`],
      {
        encoding: 'utf8',
        timeout: INSTALL_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: os.tmpdir(),
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
          AWS_REGION: 'us-east-1',
        },
      },
    );
  }

  /** Every other console user without MFA; the rules' folders say what each must conclude. */
  const ACCOUNT = consoleUsersAccount(USERS);
  const COUNTS = expectedCounts(ACCOUNT);
  const count = (rule: string, verdict: 'NON_COMPLIANT' | 'COMPLIANT' | 'NOT_APPLICABLE') =>
    COUNTS.byRule.get(rule)?.[verdict] ?? 0;

  beforeEach(async () => {
    await seedScenario(endpoint(), ACCOUNT);
  });

  it('prints the whole JSON document (> 64 KB) into a slow pipe, and nothing on stderr', () => {
    // Act
    const out = throughSlowPipe('evaluate --output json');

    // Assess
    expect(out.stderr).toBe('');
    expect(out.status).toBe(1); // NON_COMPLIANT users: the gate's exit code survives the pipe
    expect(Buffer.byteLength(out.stdout)).toBeGreaterThan(64 * 1024);
    const rows = JSON.parse(out.stdout) as { rule: string; compliance: string }[];
    const users = rows.filter((row) => row.rule === 'iam-user-console-mfa');
    expect(users).toHaveLength(USERS);
    expect(users.filter((row) => row.compliance === 'NON_COMPLIANT')).toHaveLength(
      count('iam-user-console-mfa', 'NON_COMPLIANT'),
    );
    // One row per user and user rule, one per account rule.
    expect(rows).toHaveLength(COUNTS.evaluations);
  });

  it('prints the whole table (> 64 KB) into a slow pipe, the counts line last', () => {
    // Act
    const out = throughSlowPipe('evaluate --output table');

    // Assess
    expect(out.stderr).toBe('');
    expect(out.status).toBe(1);
    expect(Buffer.byteLength(out.stdout)).toBeGreaterThan(64 * 1024);
    const lines = out.stdout.trimEnd().split('\n');
    const { total } = COUNTS;
    expect(lines.at(-1)).toBe(
      `${COUNTS.evaluations} evaluations: ${total.NON_COMPLIANT} NON_COMPLIANT, ${total.COMPLIANT} COMPLIANT, ${total.NOT_APPLICABLE} NOT_APPLICABLE`,
    );
    // Rule names are never cut.
    for (const rule of RULE_NAMES) expect(out.stdout).toContain(` ${rule} `);
  });

  it('--failed --output json through a pipe: the NON_COMPLIANT rows only, with every field', () => {
    // Act
    const out = throughSlowPipe('evaluate --failed --output json');

    // Assess
    expect(out.stderr).toBe('');
    expect(out.status).toBe(1);
    const rows = JSON.parse(out.stdout) as { compliance: string; region: string }[];
    expect(rows).toHaveLength(COUNTS.total.NON_COMPLIANT);
    expect(new Set(rows.map((row) => row.compliance))).toEqual(new Set(['NON_COMPLIANT']));
    expect(new Set(rows.map((row) => row.region))).toEqual(new Set(['us-east-1']));
  });

  it('--version prints the package version; production dependencies hold no TypeScript tooling', () => {
    // Act
    const version = run(bin(), ['--version'], shared);
    const rules = run(bin(), ['rules', '--output', 'json'], os.tmpdir());
    const help = run(bin(), ['evaluate', '--help'], os.tmpdir());
    const tree = run('npm', ['ls', '--all', '--omit=dev', '--parseable'], shared);

    // Assess
    expect(version.stdout).toBe(`${PACKAGE.version}\n`);
    expect((JSON.parse(rules.stdout) as { name: string }[]).map((rule) => rule.name)).toEqual(
      RULE_NAMES,
    );
    expect(help.stdout).toContain('Exit codes:');
    const packages = tree.stdout.split('\n').map((line) => path.basename(line));
    expect(packages).toContain('mfa-config-rules');
    for (const tool of ['tsx', 'ts-node', 'esbuild', 'typescript']) {
      expect(packages).not.toContain(tool);
    }
  });
});
