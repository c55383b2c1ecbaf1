/** Helpers of the browser suite: the real CLI as a child process, headless Chromium. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const BIN = join(__dirname, '..', '..', 'bin', 'mfa-config-rules.js');
/** Git-ignored: pages and screenshots the tests leave for a person to look at. */
export const OUTPUT_DIR = join(__dirname, 'output');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: 'us-east-1',
        NODE_NO_WARNINGS: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

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
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
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

/** Text of each matched element's first child node (a user cell: the name, not the id below). */
export function firstTexts(page: Page, selector: string): Promise<string[]> {
  return page
    .locator(selector)
    .evaluateAll((els: DomNode[]) => els.map((el) => el.firstChild?.textContent ?? ''));
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
