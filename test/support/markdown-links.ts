/**
 * The relative links of a Markdown file and the anchors GitHub gives its headings, for the docs'
 * link check (test/unit/docs-links.test.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface MarkdownLink {
  readonly target: string;
  /** 1-based line of the link. */
  readonly line: number;
}

/** The file's lines with fenced code blanked (kept as empty lines, so line numbers hold). */
function proseLines(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const opening = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      if (
        opening !== undefined &&
        opening.startsWith(fence.charAt(0)) &&
        opening.length >= fence.length
      ) {
        fence = undefined;
      }
      return '';
    }
    if (opening !== undefined) {
      fence = opening;
      return '';
    }
    return line;
  });
}

const withoutCode = (line: string) => line.replace(/(`+)[\s\S]*?\1/g, '');

/** Inline links and images (`[text](target)`), and reference definitions (`[ref]: target`). */
export function markdownLinks(text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  proseLines(text).forEach((raw, index) => {
    const line = withoutCode(raw);
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)/.exec(line);
    if (definition?.[1]) links.push({ target: definition[1], line: index + 1 });
    for (const match of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      if (match[1]) links.push({ target: match[1], line: index + 1 });
    }
  });
  return links.filter(({ target }) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** A heading's text as GitHub renders it: code, emphasis, links and HTML reduced to their text. */
function headingText(source: string): string {
  return source
    .replace(/\s+#+\s*$/, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`+/g, '')
    .replace(/\*+/g, '')
    .trim();
}

/**
 * The anchors GitHub gives the file's headings (github-slugger: lower case; everything but
 * letters, digits, marks, `_`, `-` and spaces dropped; spaces become `-`; a repeat gets `-1`, `-2`,
 * …), plus explicit `id`/`name` attributes of HTML in the file.
 */
export function githubSlugs(text: string): string[] {
  const counts = new Map<string, number>();
  const slugs: string[] = [];
  for (const line of proseLines(text)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = headingText(heading)
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
      .replace(/ /g, '-');
    const seen = counts.get(base) ?? 0;
    counts.set(base, seen + 1);
    slugs.push(seen === 0 ? base : `${base}-${String(seen)}`);
  }
  for (const match of text.matchAll(/<[a-z]+\s[^>]*\b(?:id|name)="([^"]+)"/gi)) {
    if (match[1]) slugs.push(match[1]);
  }
  return slugs;
}

/**
 * Broken relative links of `file` (relative to `root`), one line each:
 * `file:line: target: what is wrong`.
 */
export function checkLinks(root: string, file: string): string[] {
  const source = path.join(root, file);
  const text = fs.readFileSync(source, 'utf8');
  const broken: string[] = [];
  for (const { target, line } of markdownLinks(text)) {
    const [rawPath = '', rawAnchor] = target.split('#', 2);
    const targetPath = decodeURIComponent(rawPath);
    const resolved = targetPath === '' ? source : path.resolve(path.dirname(source), targetPath);
    const shown = path.relative(root, resolved).split(path.sep).join('/');
    const fail = (why: string) => broken.push(`${file}:${String(line)}: ${target}: ${why}`);
    if (!fs.existsSync(resolved)) {
      fail('no such file');
      continue;
    }
    if (rawAnchor === undefined || !resolved.endsWith('.md')) continue;
    const anchor = decodeURIComponent(rawAnchor);
    if (!githubSlugs(fs.readFileSync(resolved, 'utf8')).includes(anchor)) {
      fail(`no heading "${anchor}" in ${shown}`);
    }
  }
  return broken;
}
