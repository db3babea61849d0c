import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { PassageContext, TextRange } from '../../shared/contract/library';
import { LibraryError } from './errors';
import type { Library, LibraryPassage } from './library';

/** PDFs up to this size are sent whole for the viewer to render; bigger ones are shown as text. */
export const MAX_PDF_BYTES = 24 * 1024 * 1024;
/** Passages shown on each side of the passage for formats without pages. */
const NEIGHBOURS = 3;
/** The most text sent around a passage (a sheet can be one huge page). */
const MAX_TEXT = 200_000;

export interface PassageContextRequest {
  path: string;
  chunkId?: string;
  page?: number;
  terms?: readonly string[];
}

/** Only what the context needs from the library: its sources and a file's passages. */
export type ContextLibrary = Pick<Library, 'collections' | 'documentPassages'>;

/**
 * A passage where it stands in its file, for the viewer. Only files inside a folder (or a
 * file) the user added are read: the path is resolved through its symbolic links and must lie
 * within a source resolved the same way, so `..` and links cannot reach anything else.
 */
export async function passageContext(library: ContextLibrary, request: PassageContextRequest): Promise<PassageContext> {
  const path = resolve(request.path);
  const real = await realpath(path).catch(() => {
    throw new LibraryError(`${path} does not exist any more; search again to find where the passage is now.`);
  });
  if (!(await insideLibrary(library, real))) {
    throw new LibraryError(`${path} is not in your library; Hearth shows only files in the folders you added.`);
  }
  const passages = await library.documentPassages(path);
  if (passages.length === 0) {
    throw new LibraryError(`${path} is not indexed yet; wait for indexing to finish on the Library page.`);
  }
  const index = targetIndex(passages, request);
  const target = passages[index]!;
  const around =
    target.page !== null
      ? passages.filter((p) => p.page === target.page)
      : passages.slice(Math.max(0, index - NEIGHBOURS), index + NEIGHBOURS + 1);
  const { text, passage } = clip(mergeOverlaps(around, target));
  const type = target.type || extname(path).slice(1).toLowerCase();
  return {
    path,
    type,
    page: target.page,
    pageKind: target.pageKind,
    text,
    passage,
    matches: findTerms(text, request.terms ?? []),
    moreBefore: target.page !== null ? target.page > 1 : passages.indexOf(around[0]!) > 0,
    moreAfter:
      target.page !== null ? passages.some((p) => (p.page ?? 0) > target.page!) : around.at(-1) !== passages.at(-1),
    pdf: type === 'pdf' ? await pdfBytes(real) : null,
  };
}

async function insideLibrary(library: ContextLibrary, real: string): Promise<boolean> {
  for (const collection of await library.collections()) {
    for (const source of collection.sources) {
      // A source folder that is gone contains nothing, so it cannot admit the file.
      const root = await realpath(source).catch(() => null);
      if (root && (real === root || real.startsWith(root.endsWith(sep) ? root : root + sep))) return true;
    }
  }
  return false;
}

function targetIndex(passages: readonly LibraryPassage[], request: PassageContextRequest): number {
  if (request.chunkId) {
    const found = passages.findIndex((p) => p.id === request.chunkId);
    if (found >= 0) return found;
  }
  if (request.page !== undefined) {
    const found = passages.findIndex((p) => p.page === request.page);
    if (found >= 0) return found;
  }
  // The file was indexed again since the hit (its chunk ids changed): show its beginning.
  return 0;
}

/**
 * Joins neighbouring passages into one text. Chunks overlap (the chunker repeats the end of one
 * at the start of the next), so the repeated part is written once.
 */
export function mergeOverlaps(
  passages: readonly Pick<LibraryPassage, 'text'>[],
  target: Pick<LibraryPassage, 'text'>,
): { text: string; passage: TextRange } {
  let text = '';
  let passage: TextRange = { start: 0, end: 0 };
  for (const current of passages) {
    const overlap = text ? overlapLength(text, current.text) : 0;
    const start = overlap > 0 ? text.length - overlap : text ? text.length + 2 : 0;
    text = overlap > 0 ? text + current.text.slice(overlap) : text ? `${text}\n\n${current.text}` : current.text;
    if (current === target) passage = { start, end: start + current.text.length };
  }
  return { text, passage };
}

/** How many characters at the end of `before` repeat at the start of `after` (0 if fewer than 12). */
function overlapLength(before: string, after: string): number {
  const probe = after.slice(0, 12);
  if (probe.length < 12) return 0;
  for (let at = before.indexOf(probe); at >= 0; at = before.indexOf(probe, at + 1)) {
    const tail = before.slice(at);
    if (after.startsWith(tail)) return tail.length;
  }
  return 0;
}

/** Keeps at most MAX_TEXT characters, centred on the passage. */
function clip({ text, passage }: { text: string; passage: TextRange }): { text: string; passage: TextRange } {
  if (text.length <= MAX_TEXT) return { text, passage };
  const from = Math.max(0, Math.min(passage.start - MAX_TEXT / 4, text.length - MAX_TEXT));
  return {
    text: text.slice(from, from + MAX_TEXT),
    passage: { start: passage.start - from, end: Math.min(passage.end - from, MAX_TEXT) },
  };
}

/** Where words starting with each term occur, case-insensitively, in text order. */
export function findTerms(text: string, terms: readonly string[]): TextRange[] {
  const words = [...new Set(terms.map((t) => t.trim().toLowerCase()).filter((t) => t.length >= 2))];
  if (words.length === 0) return [];
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})[\\p{L}\\p{N}]*`, 'giu');
  return [...text.matchAll(pattern)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}

async function pdfBytes(real: string): Promise<string | null> {
  const size = (await stat(real)).size;
  return size <= MAX_PDF_BYTES ? (await readFile(real)).toString('base64') : null;
}
