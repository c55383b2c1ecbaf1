/**
 * `npm run build` (also `prepack`): what the package ships, in dist/.
 *
 *   dist/rules/, dist/infra/   the TypeScript compiled to CommonJS with declarations
 *                              (tsconfig.build.json): the constructs, the catalog and the CLI;
 *   dist/bundles/<rule>/       each rule's Lambda bundle, `index.mjs` at the root, built once here
 *                              with infra/rule-function.ts BUNDLING; RuleFunction deploys exactly
 *                              this directory with `Code.fromAsset`, so synthesis needs no esbuild.
 *   dist/cli/                  the command (bin/mfa-config-rules.js loads it), bundled in three
 *                              files: `mfa-config-rules.js`, the commands' definitions with the
 *                              catalog's metadata inlined (what `rules`, `--version`, `--help` and
 *                              usage errors need: no rule code, zod or AWS SDK); `aws-commands.js`,
 *                              what `evaluate`, `report` and `invoke` run (the rules, the runtime,
 *                              the SDK); `doctor-commands.js`, what `doctor` runs. The first
 *                              requires the others only when such a command runs.
 *
 * `tsx scripts/build.ts --if-stale` builds only when a source is newer than the last build (the
 * jest global setup uses it, so the tests always run against the current sources).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { BUNDLING } from '../infra/rule-function';
import { LAMBDA_ESBUILD_ALIASES } from '../infra/settings';
import { RULE_METADATA, RULE_NAMES } from '../rules/catalog';
import { ruleEntryStdin } from './rule-entry';

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
/** Written last: its time is the time of a complete build. */
const STAMP = path.join(DIST, '.build-stamp');
/** What a build reads: a change to any of these makes dist/ stale. */
const INPUTS = [
  'rules',
  'cli',
  'infra',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
].map((name) => path.join(ROOT, name));

/** The esbuild options NodejsFunction derived from BUNDLING, for one rule. */
export function bundleOptions(ruleName: string, outfile: string): BuildOptions {
  const args = BUNDLING.esbuildArgs ?? {};
  return {
    stdin: ruleEntryStdin(ruleName),
    outfile,
    bundle: true,
    platform: 'node',
    format: BUNDLING.format === OutputFormat.ESM ? 'esm' : 'cjs',
    ...(BUNDLING.target ? { target: BUNDLING.target } : {}),
    mainFields: BUNDLING.mainFields ?? [],
    banner: { js: BUNDLING.banner ?? '' },
    minify: BUNDLING.minify ?? false,
    sourcemap: BUNDLING.sourceMap ?? false,
    treeShaking: args['--tree-shaking'] === 'true',
    legalComments: args['--legal-comments'] === 'none' ? 'none' : 'eof',
    external: BUNDLING.externalModules ?? [],
    alias: { ...LAMBDA_ESBUILD_ALIASES },
    logLevel: 'warning',
  };
}

/** Builds every rule's bundle into `<outDir>/<rule>/index.mjs` (the directory holds nothing else). */
export function buildBundles(outDir = path.join(DIST, 'bundles')): void {
  fs.rmSync(outDir, { recursive: true, force: true });
  for (const rule of RULE_NAMES) {
    buildSync(bundleOptions(rule, path.join(outDir, rule, 'index.mjs')));
  }
  // The event path's function (issue 22): same options, its own entry point.
  const options: BuildOptions = bundleOptions(RULE_NAMES[0] ?? '', '');
  delete options.stdin;
  buildSync({
    ...options,
    entryPoints: [path.join(ROOT, 'rules', 'runtime', 'freshness', 'handler.ts')],
    outfile: path.join(outDir, 'freshness', 'index.mjs'),
  });
}

const CLI = path.join(ROOT, 'cli');

function packageJsonVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** The two files of the CLI (see above), minified CommonJS for the Node.js versions it supports. */
export function cliBundleOptions(outDir: string): {
  light: BuildOptions;
  aws: BuildOptions;
  doctor: BuildOptions;
} {
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    minify: true,
    legalComments: 'eof',
    logLevel: 'warning',
    // cli/metadata.ts: the metadata as data, so the light file needs no catalog.
    define: {
      CLI_BUNDLE_RULE_METADATA: JSON.stringify(JSON.stringify(RULE_METADATA)),
      // cli/version.ts: no package.json to find at run time.
      CLI_BUNDLE_VERSION: JSON.stringify(packageJsonVersion()),
    },
    metafile: true,
  };
  return {
    light: {
      ...common,
      entryPoints: [path.join(CLI, 'process.ts')],
      outfile: path.join(outDir, 'mfa-config-rules.js'),
      // cli/load.ts `awsCommands()`, `doctorCommands()`: required at run time, from the
      // files next to it.
      external: ['./aws-commands', './doctor-commands'],
      alias: { 'node:child_process': path.join(CLI, 'lazy-child-process.js') },
    },
    aws: {
      ...common,
      entryPoints: [path.join(CLI, 'aws-commands.ts')],
      outfile: path.join(outDir, 'aws-commands.js'),
    },
    doctor: {
      ...common,
      entryPoints: [path.join(CLI, 'doctor-commands.ts')],
      outfile: path.join(outDir, 'doctor-commands.js'),
    },
  };
}

/** Packages the light file must never hold (they cost the start of every command). */
const HEAVY_PACKAGES = /node_modules\/(@aws-sdk|@smithy|zod|@aws-lambda-powertools)\//;

export function buildCli(outDir = path.join(DIST, 'cli')): void {
  fs.rmSync(outDir, { recursive: true, force: true });
  const options = cliBundleOptions(outDir);
  const light = buildSync(options.light);
  // What the file holds (bytes in the output), not what esbuild looked at and tree-shook away.
  const held = Object.values(light.metafile?.outputs ?? {}).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([file]) => file),
  );
  const heavy = held.filter((input) => HEAVY_PACKAGES.test(input));
  if (heavy.length > 0) {
    throw new Error(
      `dist/cli/mfa-config-rules.js would hold ${heavy.slice(0, 3).join(', ')}…: load them through cli/load.ts awsCommands()`,
    );
  }
  buildSync(options.aws);
  buildSync(options.doctor);
}

function compile(): void {
  for (const dir of ['rules', 'infra']) {
    fs.rmSync(path.join(DIST, dir), { recursive: true, force: true });
  }
  const tsc = spawnSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (${tsc.status})`);
}

function newestInput(file: string): number {
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(file)) {
    newest = Math.max(newest, newestInput(path.join(file, entry)));
  }
  return newest;
}

export function isStale(): boolean {
  if (!fs.existsSync(STAMP)) return true;
  const built = fs.statSync(STAMP).mtimeMs;
  return INPUTS.some((input) => fs.existsSync(input) && newestInput(input) > built);
}

export function build(): void {
  fs.rmSync(STAMP, { force: true });
  compile();
  buildBundles();
  buildCli();
  fs.writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}

if (require.main === module) {
  try {
    if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);
    const started = Date.now();
    build();
    process.stdout.write(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    process.stderr.write(
      `build failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
}
