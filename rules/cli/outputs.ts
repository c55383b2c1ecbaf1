/** The document formats (csv, html) shared by `evaluate` and `report`. */
import { formatCsv } from './csv';
import type { Row } from './format';
import { formatHtml } from './html';
import type { ReportDocument } from './report-model';

export const DOCUMENT_OUTPUTS = ['csv', 'html'] as const;
export type DocumentOutput = (typeof DOCUMENT_OUTPUTS)[number];

export function isDocumentOutput(value: string): value is DocumentOutput {
  return (DOCUMENT_OUTPUTS as readonly string[]).includes(value);
}

export function renderDocument(output: DocumentOutput, doc: ReportDocument): string {
  return output === 'csv' ? formatCsv(doc.rows) : formatHtml(doc);
}

/** A local, read-only run of one account (`evaluate`). */
export function localDocument(
  rows: readonly Row[],
  accountId: string,
  now: Date = new Date(),
): ReportDocument {
  const recordedAt = now.toISOString();
  return {
    title: `MFA controls — account ${accountId}`,
    source: `Evaluated read-only from this machine with the pack's rules (mfa-config-rules evaluate); nothing was sent to AWS Config.`,
    generatedAt: recordedAt,
    rows: rows.map((row) => ({ ...row, accountId, region: '', recordedAt })),
    byAccount: false,
    notes: [],
  };
}
