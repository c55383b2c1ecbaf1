/** Helpers of the browser suite: the real CLI as a child process, headless Chromium. */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Git-ignored: pages and screenshots the tests leave for a person to look at. */
export const OUTPUT_DIR = join(__dirname, 'output');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium from the Debian package, with no network access of its own. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export function writeOutput(name: string, content: string | Uint8Array): string {
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = join(OUTPUT_DIR, name);
  fs.writeFileSync(file, content);
  return file;
}

/** The few DOM members the tests read (the project's TypeScript config has no DOM library). */
interface DomNode {
  textContent: string | null;
  firstChild: DomNode | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { width: number };
}

/** Trimmed text of every element the selector matches. */
export function texts(page: Page, selector: string): Promise<string[]> {
  return page
    .locator(selector)
    .evaluateAll((els: DomNode[]) => els.map((el) => el.textContent?.trim() ?? ''));
}

/** Class and drawn width (px) of each matched element. */
export function widths(page: Page, selector: string): Promise<[string, number][]> {
  return page
    .locator(selector)
    .evaluateAll((els: DomNode[]) =>
      els.map((el): [string, number] => [
        el.getAttribute('class') ?? '',
        Math.round(el.getBoundingClientRect().width),
      ]),
    );
}
