/**
 * Every table and figure of README.md and docs/*.md that comes from the code is what `npm run docs`
 * writes, wherever its region lives; a region edited by hand, unknown, held twice or lost fails.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function runDocs(args: readonly string[]) {
  return spawnSync(TSX, [path.join(ROOT, 'scripts', 'docs.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

/** README.md and docs/*.md under `root` (what scripts/docs.ts reads). */
function docFiles(root: string): string[] {
  const docs = fs
    .readdirSync(path.join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

/** A copy of README.md and docs/*.md in a temporary directory. */
function copyDocs(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-'));
  fs.mkdirSync(path.join(dir, 'docs'));
  for (const file of docFiles(ROOT)) fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  return dir;
}

/** The file of the copy that holds `region`, and its text. */
function holding(dir: string, region: string): { file: string; text: string } {
  for (const file of docFiles(dir)) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    if (text.includes(`<!-- ${region}:start`)) return { file, text };
  }
  throw new Error(`no file holds ${region}`);
}

describe('npm run docs', () => {
  let dir: string;
  beforeEach(() => {
    dir = copyDocs();
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('leaves README.md and docs/*.md as they are: every generated region matches the code', () => {
    // Act
    const result = runDocs(['--check']);

    // Assess
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('fails the check in one line naming the file when a generated table was edited by hand, and rewrites it', () => {
    // Prepare: one generated cell of the copy changed, wherever the controls table lives.
    const { file, text } = holding(dir, 'controls');
    const edited = text.replace('| IAM.9        |', '| IAM.1        |');
    expect(edited).not.toBe(text);
    fs.writeFileSync(path.join(dir, file), edited);

    // Act
    const check = runDocs(['--check', '--root', dir]);

    // Assess: nothing is rewritten by a check.
    expect(check.status).toBe(1);
    expect(check.stderr).toBe(
      `${file}: generated regions differ from the code: run \`npm run docs\` and commit the result\n`,
    );
    expect(fs.readFileSync(path.join(dir, file), 'utf8')).toBe(edited);

    // Act: without --check the file that holds the region is rewritten, and only it.
    const write = runDocs(['--root', dir]);

    // Assess
    expect(write.status).toBe(0);
    expect(write.stdout).toBe(`${file}: generated regions rewritten\n`);
    expect(fs.readFileSync(path.join(dir, file), 'utf8')).toBe(text);
  });

  it('fails on one line naming every problem: a region no file holds, a region held twice, a region it does not know', () => {
    // Prepare: the deploy region removed, the rules region copied, a region of a made-up name.
    const deploy = holding(dir, 'deploy');
    fs.writeFileSync(
      path.join(dir, deploy.file),
      deploy.text.replace(/<!-- deploy:start[\s\S]*?<!-- deploy:end -->/, ''),
    );
    const rules = holding(dir, 'rules').file;
    fs.writeFileSync(
      path.join(dir, 'docs', 'extra.md'),
      '# Extra\n\n<!-- rules:start -->\n<!-- rules:end -->\n\n<!-- made-up:start -->\n<!-- made-up:end -->\n',
    );

    // Act
    const result = runDocs(['--check', '--root', dir]);

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `docs: the region rules is in ${rules} and in docs/extra.md; docs/extra.md has a region made-up that npm run docs does not generate; no file holds the generated region deploy (put its start and end markers in README.md or docs/*.md)\n`,
    );
  });
});
