import type { Generator, RetrievedChunk } from './seams';
import { sourceLabel } from './source-label';

export interface PackedSource {
  /** The number the model cites. */
  n: number;
  chunk: RetrievedChunk;
  /** The text given to the model (the chunk, cut to fit when it alone is too long). */
  text: string;
}

export interface PackOptions {
  /** Tokens available for the sources block. */
  budget: number;
  /** Stop after this many sources even if more fit. Default 8. */
  maxSources?: number;
  /** The first number to use. Default 1. */
  firstNumber?: number;
}

export function formatSource(n: number, chunk: RetrievedChunk, text: string): string {
  const heading = chunk.headingPath.length > 0 ? ` (${chunk.headingPath.join(' > ')})` : '';
  return `[${n}] ${sourceLabel(chunk)}${heading}\n${text.trim()}\n`;
}

/** Cuts `text` to at most `tokens` tokens, at a word boundary. */
export function cutToTokens(generator: Pick<Generator, 'countTokens'>, text: string, tokens: number): string {
  if (generator.countTokens(text) <= tokens) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (generator.countTokens(text.slice(0, mid)) <= tokens) low = mid;
    else high = mid - 1;
  }
  const cut = text.slice(0, low);
  const space = cut.lastIndexOf(' ');
  return `${space > low * 0.6 ? cut.slice(0, space) : cut}…`;
}

/**
 * Numbers chunks best first and keeps as many as fit the token budget, counted with the
 * loaded model's own tokenizer. A chunk that does not fit is skipped so a shorter one after
 * it can still be used; the first chunk is cut to fit rather than leave the model nothing.
 */
export function packSources(
  generator: Pick<Generator, 'countTokens'>,
  chunks: readonly RetrievedChunk[],
  options: PackOptions,
): { sources: PackedSource[]; block: string; tokens: number } {
  const maxSources = options.maxSources ?? 8;
  let n = options.firstNumber ?? 1;
  const sources: PackedSource[] = [];
  const parts: string[] = [];
  let used = 0;
  for (const chunk of chunks) {
    if (sources.length >= maxSources) break;
    let text = chunk.text;
    let cost = generator.countTokens(formatSource(n, chunk, text));
    if (used + cost > options.budget) {
      if (sources.length > 0) continue;
      const overhead = generator.countTokens(formatSource(n, chunk, ''));
      const room = options.budget - overhead;
      if (room < 16) break;
      text = cutToTokens(generator, text, room);
      cost = generator.countTokens(formatSource(n, chunk, text));
    }
    sources.push({ n, chunk, text });
    parts.push(formatSource(n, chunk, text));
    used += cost;
    n += 1;
  }
  return { sources, block: parts.join('\n'), tokens: used };
}
