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
  const chunker = new Chunker(pageKind, options);
  for (const block of blocks) chunker.add(block);
  chunker.end();
  return chunker.take();
}

/**
 * chunkBlocks one block at a time, for a document that arrives in parts: `take` hands over the
 * chunks finished so far, so a big file's chunks can be written while the rest is still read.
 */
export class Chunker {
  private readonly _budget: number;
  private readonly _overlap: number;
  private readonly _count: TokenCounter;
  private _chunks: Chunk[] = [];
  private readonly _headings: string[] = [];
  private _pieces: Piece[] = [];
  private _used = 0;
  private _page: number | null = null;
  /** Pieces in the buffer that are not overlap from the previous chunk. */
  private _fresh = 0;

  constructor(
    private readonly _pageKind: PageKind | null,
    options: ChunkOptions = {},
  ) {
    this._budget = Math.max(16, options.chunkTokens ?? 512);
    this._overlap = Math.min(Math.max(0, options.overlapTokens ?? 64), Math.floor(this._budget / 2));
    this._count = options.countTokens ?? estimateTokens;
  }

  add(block: Block): void {
    if (block.page !== this._page) {
      this._flush(false);
      this._page = block.page;
    }
    if (block.kind === 'heading') {
      this._flush(false);
      const headings = this._headings;
      const level = block.level ?? 1;
      headings.length = Math.min(headings.length, level - 1);
      headings[level - 1] = block.text.trim().slice(0, 200);
      for (let i = 0; i < headings.length; i++) headings[i] ??= '';
      return;
    }
    for (const piece of split(block, this._budget, this._count)) this._add(piece);
  }

  /** The document is complete: the last chunk is finished. */
  end(): void {
    this._flush(false);
  }

  /** The chunks finished since the last call. */
  take(): Chunk[] {
    const out = this._chunks;
    this._chunks = [];
    return out;
  }

  private _flush(keepOverlap: boolean): void {
    const pieces = this._pieces;
    if (this._fresh > 0) {
      const lines = pieces.filter((p) => p.line !== null);
      this._chunks.push({
        text: pieces.map((p) => p.text).join('\n\n'),
        page: this._page,
        pageKind: this._page === null ? null : this._pageKind,
        lineStart: lines.length ? lines[0]!.line : null,
        lineEnd: lines.length ? Math.max(...lines.map((p) => p.line! + p.lines - 1)) : null,
        headingPath: [...this._headings],
      });
    }
    let carried: Piece[] = [];
    if (keepOverlap && this._overlap > 0 && this._fresh > 0) {
      let size = 0;
      for (let i = pieces.length - 1; i >= 0 && size + pieces[i]!.tokens <= this._overlap; i--) {
        carried = [pieces[i]!, ...carried];
        size += pieces[i]!.tokens;
      }
    }
    this._pieces = carried;
    this._used = carried.reduce((n, p) => n + p.tokens, 0);
    this._fresh = 0;
  }

  private _add(piece: Piece): void {
    if (this._used + piece.tokens > this._budget && this._fresh > 0) this._flush(true);
    if (this._used + piece.tokens > this._budget) {
      this._pieces = [];
      this._used = 0;
    }
    this._pieces.push(piece);
    this._used += piece.tokens;
    this._fresh++;
  }
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
