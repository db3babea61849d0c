import type { Block, PageKind } from './extract';

/** Counts tokens the way the embedding model does (or an estimate without one). */
export type TokenCounter = (text: string) => number;

/** About four characters per token: the usual ratio for English with BPE vocabularies. */
export const estimateTokens: TokenCounter = (text) => Math.ceil(text.length / 4);

export interface ChunkOptions {
  /** Target tokens per chunk. Default 512. */
  chunkTokens?: number;
  /** Tokens carried over from the end of one chunk into the next (same page only). Default 64. */
  overlapTokens?: number;
  countTokens?: TokenCounter;
}

export interface Chunk {
  text: string;
  page: number | null;
  pageKind: PageKind | null;
  lineStart: number | null;
  lineEnd: number | null;
  headingPath: string[];
}

interface Piece {
  text: string;
  tokens: number;
  line: number | null;
  lines: number;
}

/**
 * Packs blocks into chunks that follow the document's structure: a chunk never spans two
 * pages, starts a new section at each heading, keeps paragraphs and code blocks whole when
 * they fit, and splits oversized ones at lines, then sentences, then words.
 */
export function chunkBlocks(blocks: readonly Block[], pageKind: PageKind | null, options: ChunkOptions = {}): Chunk[] {
  const budget = Math.max(16, options.chunkTokens ?? 512);
  const overlap = Math.min(Math.max(0, options.overlapTokens ?? 64), Math.floor(budget / 2));
  const count = options.countTokens ?? estimateTokens;
  const chunks: Chunk[] = [];
  const headings: string[] = [];
  let pieces: Piece[] = [];
  let used = 0;
  let page: number | null = null;
  let fresh = 0; // pieces in the buffer that are not overlap from the previous chunk

  const flush = (keepOverlap: boolean) => {
    if (fresh > 0) {
      const lines = pieces.filter((p) => p.line !== null);
      chunks.push({
        text: pieces.map((p) => p.text).join('\n\n'),
        page,
        pageKind: page === null ? null : pageKind,
        lineStart: lines.length ? lines[0]!.line : null,
        lineEnd: lines.length ? Math.max(...lines.map((p) => p.line! + p.lines - 1)) : null,
        headingPath: [...headings],
      });
    }
    let carried: Piece[] = [];
    if (keepOverlap && overlap > 0 && fresh > 0) {
      let size = 0;
      for (let i = pieces.length - 1; i >= 0 && size + pieces[i]!.tokens <= overlap; i--) {
        carried = [pieces[i]!, ...carried];
        size += pieces[i]!.tokens;
      }
    }
    pieces = carried;
    used = carried.reduce((n, p) => n + p.tokens, 0);
    fresh = 0;
  };

  const add = (piece: Piece) => {
    if (used + piece.tokens > budget && fresh > 0) flush(true);
    if (used + piece.tokens > budget) {
      pieces = [];
      used = 0;
    }
    pieces.push(piece);
    used += piece.tokens;
    fresh++;
  };

  for (const block of blocks) {
    if (block.page !== page) {
      flush(false);
      page = block.page;
    }
    if (block.kind === 'heading') {
      flush(false);
      const level = block.level ?? 1;
      headings.length = Math.min(headings.length, level - 1);
      headings[level - 1] = block.text.trim().slice(0, 200);
      for (let i = 0; i < headings.length; i++) headings[i] ??= '';
      continue;
    }
    for (const piece of split(block, budget, count)) add(piece);
  }
  flush(false);
  return chunks;
}

/** A block as pieces that each fit the budget. */
function split(block: Block, budget: number, count: TokenCounter): Piece[] {
  const tokens = count(block.text);
  const lineCount = block.text.split('\n').length;
  if (tokens <= budget) return [{ text: block.text, tokens, line: block.line, lines: lineCount }];
  const out: Piece[] = [];
  const lines = block.text.split('\n');
  if (lines.length > 1) {
    let buffer: string[] = [];
    let size = 0;
    let start = 0;
    lines.forEach((line, i) => {
      const t = count(line) + 1;
      if (size + t > budget && buffer.length > 0) {
        out.push(
          ...split(
            { ...block, text: buffer.join('\n'), line: block.line === null ? null : block.line + start },
            budget,
            count,
          ),
        );
        buffer = [];
        size = 0;
        start = i;
      }
      buffer.push(line);
      size += t;
    });
    if (buffer.length) {
      const text = buffer.join('\n');
      const t = count(text);
      const line = block.line === null ? null : block.line + start;
      if (t <= budget) out.push({ text, tokens: t, line, lines: buffer.length });
      else out.push(...splitWords({ ...block, text, line }, budget, count));
    }
    return out;
  }
  return splitWords(block, budget, count);
}

function splitWords(block: Block, budget: number, count: TokenCounter): Piece[] {
  const sentences = block.text.split(/(?<=[.!?])\s+|\s+/);
  const out: Piece[] = [];
  let buffer = '';
  for (const s of sentences) {
    const next = buffer ? `${buffer} ${s}` : s;
    if (buffer && count(next) > budget) {
      out.push({ text: buffer, tokens: count(buffer), line: block.line, lines: 1 });
      buffer = s;
    } else buffer = next;
    // A single enormous "word" (minified code, base64): cut it by characters.
    while (count(buffer) > budget) {
      const cut = Math.max(1, Math.floor((buffer.length * budget) / count(buffer)));
      out.push({ text: buffer.slice(0, cut), tokens: count(buffer.slice(0, cut)), line: block.line, lines: 1 });
      buffer = buffer.slice(cut);
    }
  }
  if (buffer) out.push({ text: buffer, tokens: count(buffer), line: block.line, lines: 1 });
  return out;
}
