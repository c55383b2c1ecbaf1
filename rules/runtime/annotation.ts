/** AWS Config accepts 1–256 characters per annotation and rejects an empty one. */
export const MAX_ANNOTATION_LENGTH = 256;

/**
 * Normalizes an annotation for PutEvaluations: white space folded, at most 256 characters, cut at
 * a word boundary where one is near and marked with an ellipsis. Counts UTF-16 units (the stricter
 * reading of the limit) and never splits a surrogate pair.
 */
export function clampAnnotation(text: string): string {
  const folded = text.replace(/\s+/g, ' ').trim();
  if (folded.length === 0) {
    throw new Error('annotation is empty: every evaluation must say why');
  }
  if (folded.length <= MAX_ANNOTATION_LENGTH) {
    return folded;
  }
  let cut = '';
  for (const char of folded) {
    if (cut.length + char.length > MAX_ANNOTATION_LENGTH - 1) break;
    cut += char;
  }
  const lastSpace = cut.lastIndexOf(' ');
  if (lastSpace >= MAX_ANNOTATION_LENGTH - 40) {
    cut = cut.slice(0, lastSpace);
  }
  return `${cut.replace(/[\s,;:.]+$/, '')}…`;
}
