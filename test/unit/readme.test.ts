/** The README's rule, control, parameter and cost tables are what `npm run docs` writes. */
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
    timeout: 60_000,
  });
}

describe('npm run docs', () => {
  it('leaves README.md as it is: every generated region matches the rule metadata', () => {
    // Act
    const result = runDocs(['--check']);

    // Assess
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('fails the check, in one line, when a generated table was edited by hand', () => {
    // Prepare: a copy of the repository's README with one generated cell changed.
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const edited = readme.replace('| IAM.9        |', '| IAM.1        |');
    expect(edited).not.toBe(readme);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
    const copy = path.join(dir, 'README.md');
    fs.writeFileSync(copy, edited);

    // Act
    const result = runDocs(['--check', '--readme', copy]);

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^README\.md differs from the rule metadata.*\n$/);
    expect(fs.readFileSync(copy, 'utf8')).toBe(edited);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
