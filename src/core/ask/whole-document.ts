import type { RetrievedChunk } from './seams';

/** Requests that need every part of a document, not the few best-matching passages. */
const WHOLE_DOCUMENT = [
  /\b(summari[sz]e|summary|summarising|summarizing|tl;?dr|overview|outline|gist)\b/i,
  /\b(list|name|enumerate|count)\s+(all|every|each)\b/i,
  /\b(all|every|each)\s+(of\s+the\s+)?\w+(\s+\w+)?\s+(in|of|from)\s+(this|the|that)\s+(file|document|report|paper|book|pdf|deck|presentation|spreadsheet)\b/i,
  /\b(whole|entire|full)\s+(file|document|report|paper|book|pdf|text|deck|presentation)\b/i,
  /\bkey\s+(points|takeaways|findings)\b/i,
];

export function isWholeDocumentQuestion(question: string): boolean {
  return WHOLE_DOCUMENT.some((pattern) => pattern.test(question));
}

function baseName(path: string): string {
  return (path.split(/[\\/]/).pop() ?? path).toLowerCase();
}

/**
 * The document a whole-document question is about: the one the user picked, the only file in
 * scope, a file the question names ("summarise budget.pdf", "the budget report"), or else the
 * file of the best relevant passage.
 */
export function pickDocument(
  question: string,
  options: {
    picked?: string;
    scopeFiles: readonly string[];
    /** Retrieved passages; their files may be named in the question. */
    candidates: readonly Pick<RetrievedChunk, 'path'>[];
    /** The file to use when none is named (the best relevant passage's). */
    fallback?: string | null;
  },
): string | null {
  if (options.picked) return options.picked;
  if (options.scopeFiles.length === 1) return options.scopeFiles[0]!;
  const lower = question.toLowerCase();
  const paths = [...new Set([...options.scopeFiles, ...options.candidates.map((c) => c.path)])];
  const named = paths.find((path) => {
    const name = baseName(path);
    const stemName = name.replace(/\.[^.]+$/, '').replace(/[-_]+/g, ' ');
    return lower.includes(name) || (stemName.length >= 4 && lower.includes(stemName));
  });
  return named ?? options.fallback ?? null;
}
