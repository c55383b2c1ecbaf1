/**
 * A bordered text table with word-wrapped cells, drawn like cli-table3's default style: for the
 * `rules` command, which must start in the time Node.js itself takes (cli-table3's width and
 * wrapping code costs more than the whole command). Widths count UTF-16 code units, which is exact
 * for the catalog's text (no wide or combining characters).
 */

/** Lines of `text` no longer than `width`: breaks at spaces, and inside a word only if it must. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      let rest = word;
      while (rest.length > width) {
        if (line) {
          lines.push(line);
          line = '';
        }
        lines.push(rest.slice(0, width));
        rest = rest.slice(width);
      }
      if (!line) line = rest;
      else if (line.length + 1 + rest.length <= width) line += ` ${rest}`;
      else {
        lines.push(line);
        line = rest;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** `widths` include one space of padding on each side, as cli-table3's `colWidths`. */
export function textTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  widths: readonly number[],
): string {
  const rule = (left: string, mid: string, right: string) =>
    `${left}${widths.map((w) => '─'.repeat(w)).join(mid)}${right}`;
  const render = (cells: readonly string[]) => {
    const wrapped = widths.map((w, i) => wrap(cells[i] ?? '', Math.max(1, w - 2)));
    const height = Math.max(...wrapped.map((lines) => lines.length));
    const out: string[] = [];
    for (let line = 0; line < height; line++) {
      out.push(
        `│${widths.map((w, i) => ` ${(wrapped[i]?.[line] ?? '').padEnd(w - 2)} `).join('│')}│`,
      );
    }
    return out.join('\n');
  };
  return [
    rule('┌', '┬', '┐'),
    render(head),
    ...rows.flatMap((row) => [rule('├', '┼', '┤'), render(row)]),
    rule('└', '┴', '┘'),
  ].join('\n');
}
