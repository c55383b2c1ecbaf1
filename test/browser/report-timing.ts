/**
 * How long the HTML report takes to sort and filter, measured inside headless Chromium: from the
 * user's action (a click on a column header, a search typed, a verdict picked) until the next frame
 * after the page updated, so the time includes the script, the new rows' layout and a paint.
 * Each operation runs `runs` times; the test and the benchmark (bench/report-page.ts) use medians.
 */
import type { Page } from 'playwright-core';

export interface Operation {
  name: string;
  /** The view the operation happens in (its tab is shown first). */
  view: 'users' | 'evaluations';
  kind: 'click' | 'input';
  selector: string;
  /** For `input`: the values typed or picked, in turn (the last one leaves the control clear). */
  values?: readonly string[];
}

export const OPERATIONS: readonly Operation[] = [
  {
    name: 'users × rules: sort by user name',
    view: 'users',
    kind: 'click',
    selector: '#users-table th[data-key="name"] button',
  },
  {
    name: 'users × rules: sort by a rule column',
    view: 'users',
    kind: 'click',
    selector: '#users-table th[data-key="1"] button',
  },
  {
    name: 'users × rules: sort by failing count',
    view: 'users',
    kind: 'click',
    selector: '#users-table th[data-key="fails"] button',
  },
  {
    name: 'users × rules: search text',
    view: 'users',
    kind: 'input',
    selector: '#users-text',
    values: ['chen.s', ''],
  },
  {
    name: 'users × rules: filter by verdict',
    view: 'users',
    kind: 'input',
    selector: '#users-verdict',
    values: ['NON_COMPLIANT', ''],
  },
  {
    name: 'every evaluation: sort by resource',
    view: 'evaluations',
    kind: 'click',
    selector: '#evaluations-table th[data-key="resource"] button',
  },
  {
    name: 'every evaluation: search text',
    view: 'evaluations',
    kind: 'input',
    selector: '#evaluations-text',
    values: ['virtual', ''],
  },
  {
    name: 'every evaluation: filter by verdict',
    view: 'evaluations',
    kind: 'input',
    selector: '#evaluations-verdict',
    values: ['NON_COMPLIANT', ''],
  },
];

/** Runs in the page: the action, then waits for the next frame to be painted. */
const TIMED = `async ([kind, selector, value]) => {
  const element = document.querySelector(selector);
  if (!element) throw new Error('no ' + selector);
  const started = performance.now();
  if (kind === 'click') element.click();
  else { element.value = value; element.dispatchEvent(new Event('input', { bubbles: true })); }
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  return performance.now() - started;
}`;

export async function timeOnce(
  page: Page,
  kind: 'click' | 'input',
  selector: string,
  value = '',
): Promise<number> {
  return page.evaluate<number>(`(${TIMED})(${JSON.stringify([kind, selector, value])})`);
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/** Every operation `runs` times (each value of an input counts as one run); ms per run. */
export async function measureOperations(
  page: Page,
  runs = 7,
): Promise<{ name: string; ms: number[] }[]> {
  const results: { name: string; ms: number[] }[] = [];
  for (const operation of OPERATIONS) {
    await page.click(`[data-tab="${operation.view}"]`);
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      if (operation.kind === 'click') {
        ms.push(await timeOnce(page, 'click', operation.selector));
      } else {
        const values = operation.values ?? [''];
        ms.push(await timeOnce(page, 'input', operation.selector, values[i % values.length]));
      }
    }
    // Leave the view as it was found: no filter on.
    if (operation.kind === 'input') await timeOnce(page, 'input', operation.selector, '');
    results.push({ name: operation.name, ms });
  }
  return results;
}

/** Number of pages of a PDF (its page objects). */
export function pdfPages(pdf: Uint8Array): number {
  return (
    Buffer.from(pdf)
      .toString('latin1')
      .match(/\/Type\s*\/Page[^s]/g) ?? []
  ).length;
}
