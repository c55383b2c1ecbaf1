/**
 * The option tables of docs/deploying.md are written by hand (their meanings are prose), so this
 * checks them against the code: every CDK context key the app reads and every prop the packs take
 * is documented, and nothing documented is unknown to the code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTEXT } from '../../infra/app-builder';
import { ACCOUNT_PACK_SPEC, ORGANIZATION_PACK_SPEC } from '../../infra/validate';

const DEPLOYING = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'deploying.md'), 'utf8');

/** The first cell (a backticked name) of each row of the table whose header starts with `head`. */
function firstColumn(head: string): string[] {
  const lines = DEPLOYING.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`| ${head}`));
  if (start === -1) throw new Error(`docs/deploying.md has no table headed "${head}"`);
  const rows: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const name = /^\|\s*`([^`]+)`/.exec(line)?.[1];
    if (name) rows.push(name);
  }
  return rows;
}

describe('docs/deploying.md documents the options the code takes', () => {
  it('the context table lists exactly the context keys the app reads', () => {
    expect(firstColumn('Context key').sort()).toEqual(Object.values(CONTEXT).sort());
  });

  it('the props table lists only props the packs take, and every prop is named in the file', () => {
    const props = new Set([
      ...Object.keys(ACCOUNT_PACK_SPEC.checks),
      ...Object.keys(ORGANIZATION_PACK_SPEC.checks),
    ]);
    const documented = firstColumn('prop');
    expect(documented.filter((name) => !props.has(name))).toEqual([]);
    expect([...props].filter((name) => !DEPLOYING.includes(`\`${name}\``))).toEqual([]);
  });
});
