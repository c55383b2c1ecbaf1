/**
 * `--output-dir DIR`: every format from one run, each file named with the account, Region and
 * time, written whole or not at all (a temporary name, then a rename), never over an existing file.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../rules/runtime/errors';
import type { OutputFormat } from './options';
import type { ReportDocument } from './report-model';

export type Renderers = Record<OutputFormat, (doc: ReportDocument) => string>;

export const FILE_EXTENSIONS: Record<OutputFormat, string> = {
  table: 'txt',
  json: 'json',
  csv: 'csv',
  html: 'html',
};

/** `2026-01-02T03:04:05.678Z` → `20260102T030405Z`. */
export function compactTime(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

/** `mfa-config-rules_<what>_<account>_<region>_<time>`, file-name safe. */
export function fileStem(doc: ReportDocument, what?: string): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '-');
  return [
    'mfa-config-rules',
    ...(what ? [safe(what)] : []),
    safe(doc.accountId),
    safe(doc.region || 'no-region'),
    compactTime(doc.generatedAt),
  ].join('_');
}

/** Writes every format into `dir` (created if missing); returns the paths, in format order. */
export function writeOutputs(
  doc: ReportDocument,
  renderers: Renderers,
  dir: string,
  stem: string,
): string[] {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new InvalidInputError(
      `--output-dir ${dir}: cannot create it (${(error as Error).message})`,
    );
  }
  const files = (Object.keys(FILE_EXTENSIONS) as OutputFormat[]).map((format) => ({
    format,
    path: join(dir, `${stem}.${FILE_EXTENSIONS[format]}`),
  }));
  const existing = files.find((file) => existsSync(file.path));
  if (existing) {
    throw new InvalidInputError(`--output-dir: ${existing.path} exists; not overwritten`);
  }
  for (const file of files) {
    const partial = `${file.path}.partial-${process.pid}`;
    try {
      writeFileSync(partial, renderers[file.format](doc), { flag: 'wx' });
      renameSync(partial, file.path);
    } catch (error) {
      throw new InvalidInputError(
        `--output-dir: cannot write ${file.path} (${(error as Error).message})`,
      );
    }
  }
  return files.map((file) => file.path);
}
