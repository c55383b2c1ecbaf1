/**
 * Every relative link in README.md and docs/*.md resolves: the file (or folder) exists, and an
 * `#anchor` names a heading of the target as GitHub slugs it. The files are found at run time, so a
 * new docs/*.md is checked the day it arrives. Links to other sites are not fetched.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkLinks, githubSlugs, markdownLinks } from '../support/markdown-links';

const ROOT = path.join(__dirname, '..', '..');

function documents(): string[] {
  const docs = path.join(ROOT, 'docs');
  const inDocs = fs.existsSync(docs)
    ? fs
        .readdirSync(docs)
        .filter((name) => name.endsWith('.md'))
        .map((name) => `docs/${name}`)
    : [];
  return ['README.md', ...inDocs].sort();
}

describe('links in README.md and docs/*.md', () => {
  it.each(documents())('%s: every relative link and anchor resolves', (file) => {
    // Act
    const broken = checkLinks(ROOT, file);

    // Assess: the list names each broken link, so a failure says what to fix.
    expect(broken).toEqual([]);
  });

  it('finds the documents: the README and at least one file under docs/', () => {
    expect(documents()).toContain('README.md');
    expect(documents().length).toBeGreaterThan(1);
  });
});

describe('the checker', () => {
  it('slugs headings as GitHub does: code, punctuation and emphasis dropped, repeats numbered', () => {
    const text = [
      '# Security: who can do what',
      '## `root-account-mfa` — resource `AWS::::Account` (id = account id)',
      "### Plain rules: `ruleDeployment: 'configRules'`",
      '## Exemptions and grace',
      '## Exemptions and grace',
      '```sh',
      '# not a heading',
      '```',
      '## **Bold** and [a link](x.md) and <code>html</code>',
      '## Build: what esbuild does, and when',
      '## Organization runs (issue 19)',
    ].join('\n');
    expect(githubSlugs(text)).toEqual([
      'security-who-can-do-what',
      'root-account-mfa--resource-awsaccount-id--account-id',
      'plain-rules-ruledeployment-configrules',
      'exemptions-and-grace',
      'exemptions-and-grace-1',
      'bold-and-a-link-and-html',
      'build-what-esbuild-does-and-when',
      'organization-runs-issue-19',
    ]);
  });

  it('reads inline links outside code, and skips other sites, mail and code', () => {
    const text = [
      'See [rules](docs/rules.md#framework-mappings), [here](#quick-start) and',
      '[the site](https://example.com/x.md) or [mail](mailto:a@b.c). `[not](a-link.md)`',
      '```md',
      '[also not](inside-a-fence.md)',
      '```',
      '![a picture](docs/figure.png "title")',
    ].join('\n');
    expect(markdownLinks(text)).toEqual([
      { target: 'docs/rules.md#framework-mappings', line: 1 },
      { target: '#quick-start', line: 1 },
      { target: 'docs/figure.png', line: 6 },
    ]);
  });

  it('reports a missing file, a missing anchor and an anchor in another file, each with its line', () => {
    // Prepare
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'links-'));
    fs.mkdirSync(path.join(dir, 'docs'));
    fs.writeFileSync(path.join(dir, 'docs', 'a.md'), '# A\n\n## Known heading\n');
    fs.writeFileSync(
      path.join(dir, 'README.md'),
      [
        '# Top',
        '[ok](docs/a.md#known-heading) [ok too](#top)',
        '[gone](docs/b.md)',
        '[no anchor](docs/a.md#unknown)',
        '[no local anchor](#nowhere)',
      ].join('\n'),
    );

    // Act
    const broken = checkLinks(dir, 'README.md');

    // Assess
    expect(broken).toEqual([
      'README.md:3: docs/b.md: no such file',
      'README.md:4: docs/a.md#unknown: no heading "unknown" in docs/a.md',
      'README.md:5: #nowhere: no heading "nowhere" in README.md',
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
