import type { RetrievedChunk } from './seams';

/** "report.pdf, page 3, lines 10-24" as the model and the user see it. */
export function sourceLabel(
  chunk: Pick<RetrievedChunk, 'path' | 'page' | 'pageKind' | 'lineStart' | 'lineEnd'>,
): string {
  const name = chunk.path.split(/[\\/]/).pop() ?? chunk.path;
  const parts = [name];
  if (chunk.page !== null) parts.push(`${chunk.pageKind ?? 'page'} ${chunk.page}`);
  if (chunk.lineStart !== null) {
    parts.push(
      chunk.lineEnd !== null && chunk.lineEnd !== chunk.lineStart
        ? `lines ${chunk.lineStart}-${chunk.lineEnd}`
        : `line ${chunk.lineStart}`,
    );
  }
  return parts.join(', ');
}
