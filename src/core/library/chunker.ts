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

/**
 * Characters past which a text is split without first counting its tokens whole: no vocabulary
 * packs more than this many characters into the budget's tokens, and counting a huge one-line
 * file whole would hold all its tokens in memory at once.
 */
const CHARS_PER_TOKEN_CEILING = 24;

/**
 * A block as pieces that each fit the budget. Every call of `count` sees a bounded text (a line,
 * a word, or one piece), so the cost is linear in the block, whatever its shape.
 */
function split(block: Block, budget: number, count: TokenCounter): Piece[] {
  const tokens = block.text.length <= budget * CHARS_PER_TOKEN_CEILING ? count(block.text) : Infinity;
  const lines = block.text.split('\n');
  if (tokens <= budget) return [{ text: block.text, tokens, line: block.line, lines: lines.length }];
  if (lines.length === 1) return splitWords(block, budget, count);
  const out: Piece[] = [];
  let buffer: string[] = [];
  let size = 0;
  let start = 0;
  const flush = () => {
    if (buffer.length === 0) return;
    const line = block.line === null ? null : block.line + start;
    const text = buffer.join('\n');
    if (buffer.length === 1 && size > budget) out.push(...splitWords({ ...block, text, line }, budget, count));
    else out.push(...fit({ text, tokens: size, line, lines: buffer.length }, budget, count));
    buffer = [];
    size = 0;
  };
  lines.forEach((line, i) => {
    const t = line.length <= budget * CHARS_PER_TOKEN_CEILING ? count(line) + 1 : Infinity;
    if (size + t > budget) {
      flush();
      start = i;
    }
    buffer.push(line);
    size += t;
  });
  flush();
  return out;
}

/**
 * A piece whose size was summed from its parts, checked by one count of the whole: token
 * boundaries at the joins can add a token or two, and a piece that ends up over is halved.
 */
function fit(piece: Piece, budget: number, count: TokenCounter): Piece[] {
  const tokens = count(piece.text);
  if (tokens <= budget || piece.text.length < 2) return [{ ...piece, tokens }];
  const separator = piece.lines > 1 ? '\n' : ' ';
  const parts = piece.text.split(separator);
  if (parts.length < 2) return cutCharacters(piece.text, piece.line, budget, count);
  const half = Math.ceil(parts.length / 2);
  const firstLines = piece.lines > 1 ? half : 1;
  return [
    ...fit({ ...piece, text: parts.slice(0, half).join(separator), lines: firstLines }, budget, count),
    ...fit(
      {
        ...piece,
        text: parts.slice(half).join(separator),
        line: piece.line === null || piece.lines === 1 ? piece.line : piece.line + half,
        lines: piece.lines > 1 ? piece.lines - half : 1,
      },
      budget,
      count,
    ),
  ];
}

/** One line as pieces of whole words, each word counted once. */
function splitWords(block: Block, budget: number, count: TokenCounter): Piece[] {
  const out: Piece[] = [];
  let words: string[] = [];
  let size = 0;
  const flush = () => {
    if (words.length > 0) out.push(...fit({ text: words.join(' '), tokens: size, line: block.line, lines: 1 }, budget, count));
    words = [];
    size = 0;
  };
  for (const word of block.text.split(/\s+/)) {
    if (!word) continue;
    const t = word.length <= budget * CHARS_PER_TOKEN_CEILING ? count(word) : Infinity;
    if (t > budget) {
      // A single enormous "word" (minified code, base64): cut it by characters.
      flush();
      out.push(...cutCharacters(word, block.line, budget, count));
      continue;
    }
    if (size + t > budget) flush();
    words.push(word);
    size += t;
  }
  flush();
  return out;
}

/** Cuts a text with no spaces into pieces of at most `budget` tokens, counting each cut once or twice. */
function cutCharacters(text: string, line: number | null, budget: number, count: TokenCounter): Piece[] {
  const out: Piece[] = [];
  let charsPerToken = 4;
  for (let at = 0; at < text.length; ) {
    let length = Math.max(1, Math.floor(budget * charsPerToken));
    let slice = text.slice(at, at + length);
    let tokens = count(slice);
    while (tokens > budget && length > 1) {
      length = Math.max(1, Math.floor((length * budget * 0.95) / tokens));
      slice = text.slice(at, at + length);
      tokens = count(slice);
    }
    out.push({ text: slice, tokens, line, lines: 1 });
    if (tokens > 0 && slice.length === length) charsPerToken = Math.max(0.5, length / Math.max(tokens, 1));
    at += slice.length;
  }
  return out;
}
