/** A citation marker: [3], [1, 2], [2-4] or [1][2]. */
export const MARKER = /\[(\d{1,4}(?:\s*(?:,|-|–)\s*\d{1,4})*)\]/g;

export interface ParsedCitations {
  /** The answer with markers that point at no supplied source removed. */
  text: string;
  /** Valid source numbers in order of first use. */
  cited: number[];
  /** How many cited numbers pointed at no supplied source. */
  dropped: number;
}

/** The source numbers inside one marker: "1, 3-5" -> [1, 3, 4, 5] (ranges of at most 21). */
export function expand(inner: string): number[] {
  const numbers: number[] = [];
  for (const part of inner.split(',')) {
    const range = part.split(/-|–/).map((s) => Number(s.trim()));
    if (range.length === 2 && range[1]! >= range[0]! && range[1]! - range[0]! <= 20) {
      for (let n = range[0]!; n <= range[1]!; n++) numbers.push(n);
    } else numbers.push(...range);
  }
  return numbers;
}

/**
 * Maps every [n] in an answer to the supplied sources. Numbers outside them are dropped from
 * the text and counted, so a reader never sees a citation that leads nowhere.
 */
export function parseCitations(answer: string, valid: ReadonlySet<number>): ParsedCitations {
  const cited: number[] = [];
  let dropped = 0;
  const text = answer.replace(MARKER, (_marker, inner: string) => {
    const numbers = expand(inner);
    const kept = numbers.filter((n) => valid.has(n));
    dropped += numbers.length - kept.length;
    for (const n of kept) if (!cited.includes(n)) cited.push(n);
    return kept.length > 0 ? `[${kept.join(', ')}]` : '';
  });
  return { text: dropped > 0 ? text.replace(/ +([.,;:!?])/g, '$1').replace(/ {2,}/g, ' ') : text, cited, dropped };
}
