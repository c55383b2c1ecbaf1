/**
 * bin/mfa-config-rules.js as a process (the compiled CLI in dist/, built by jest's global setup):
 * usage, version, one line on stderr for a failure, with no AWS endpoint reachable.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'mfa-config-rules.js');
const VERSION = (
  JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
/** An empty home: no AWS profile (and so no profile Region) is found. */
const HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'mfa-config-rules-home-'));

afterAll(() => {
  fs.rmSync(HOME, { recursive: true, force: true });
});

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH ?? '',
      HOME,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EC2_METADATA_DISABLED: 'true',
      ...env,
    },
  });
}

it('without arguments prints the usage on stderr and exits 2', () => {
  // Act
  const out = cli([]);

  // Assess
  expect(out.status).toBe(2);
  expect(out.stdout).toBe('');
  expect(out.stderr).toMatch(/^Usage: mfa-config-rules /);
  expect(out.stderr).toContain('evaluate');
});

it('--version prints the package version', () => {
  // Act
  const out = cli(['--version']);

  // Assess
  expect(out.status).toBe(0);
  expect(out.stdout).toBe(`${VERSION}\n`);
  expect(out.stderr).toBe('');
});

it('a missing Region is one line naming --region and AWS_REGION', () => {
  // Act
  const out = cli(['evaluate', '--endpoint-url', 'http://127.0.0.1:9']);

  // Assess
  expect(out.status).toBe(2);
  expect(out.stdout).toBe('');
  const lines = out.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^mfa-config-rules: .*--region.*AWS_REGION/);
});

it("an AWS failure is one line: the SDK's Node.js version warning is filtered", () => {
  // Act: the SDK clients are created (and on Node < 22 warn), then the connection is refused.
  const out = cli(['evaluate', '--endpoint-url', 'http://127.0.0.1:9', '--region', 'us-east-1']);

  // Assess
  expect(out.status).toBe(2);
  expect(out.stdout).toBe('');
  expect(out.stderr).not.toContain('NodeVersionSupportWarning');
  const lines = out.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^mfa-config-rules: .*ECONNREFUSED/);
});

it('other warnings still reach stderr', () => {
  // Prepare
  const fixture = path.join(__dirname, 'fixtures', 'warn.js');

  // Act
  const out = cli(['rules'], { NODE_OPTIONS: `--require ${fixture}` });

  // Assess
  expect(out.status).toBe(0);
  expect(out.stdout).toContain('root-account-mfa');
  expect(out.stderr).toContain('SomeOtherWarning: something else');
  expect(out.stderr).not.toContain('NodeVersionSupportWarning');
});

describe('commands that make no AWS call', () => {
  it.each([
    [['rules'], 0],
    [['rules', '--output', 'json'], 0],
    [['--version'], 0],
    [['--help'], 0],
    [['evaluate', '--help'], 0],
    [['evaluate', '--faild'], 2],
    [['report'], 2], // --aggregator missing
    [['doctor', '--help'], 0],
    [['doctor', '--target-ous', 'x'], 2], // needs --organization
  ])('%j loads no AWS SDK, no rule code and no zod', (args, status) => {
    // Prepare
    const loaded = path.join(HOME, 'loaded.txt');
    const fixture = path.join(__dirname, 'fixtures', 'loaded-modules.js');

    // Act
    const out = cli(args, { NODE_OPTIONS: `--require ${fixture}`, LOADED_MODULES_FILE: loaded });

    // Assess
    expect(out.status).toBe(status);
    const files = fs.readFileSync(loaded, 'utf8').split('\n');
    expect(files.filter((file) => file.endsWith('mfa-config-rules.js'))).toHaveLength(2); // bin, bundle
    expect(
      files.filter((file) =>
        /aws-commands|doctor-commands|@aws-sdk|@smithy|zod|powertools/.test(file),
      ),
    ).toEqual([]);
  });

  it('evaluate loads the AWS side (then fails on the missing Region)', () => {
    // Prepare
    const loaded = path.join(HOME, 'loaded.txt');
    const fixture = path.join(__dirname, 'fixtures', 'loaded-modules.js');

    // Act
    const out = cli(['evaluate', '--endpoint-url', 'http://127.0.0.1:9'], {
      NODE_OPTIONS: `--require ${fixture}`,
      LOADED_MODULES_FILE: loaded,
    });

    // Assess
    expect(out.status).toBe(2);
    const files = fs.readFileSync(loaded, 'utf8').split('\n');
    expect(files.some((file) => file.endsWith(path.join('dist', 'cli', 'aws-commands.js')))).toBe(
      true,
    );
  });
});
