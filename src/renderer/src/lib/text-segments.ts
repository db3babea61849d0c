import type { TextRange } from '../../../shared/contract/library';

/** A run of text and how it is marked: inside the passage, and/or one of the query's words. */
export interface TextSegment {
  text: string;
  passage: boolean;
  term: boolean;
}

/** Cuts `text` at every edge of the passage and of the matched words, in order. */
export function textSegments(text: string, passage: TextRange, matches: readonly TextRange[]): TextSegment[] {
  const edges = new Set([0, text.length, passage.start, passage.end]);
  for (const m of matches) edges.add(m.start).add(m.end);
  const cuts = [...edges].filter((e) => e >= 0 && e <= text.length).sort((a, b) => a - b);
  const segments: TextSegment[] = [];
  for (let i = 0; i < cuts.length - 1; i++) {
    const [start, end] = [cuts[i]!, cuts[i + 1]!];
    if (start === end) continue;
    segments.push({
      text: text.slice(start, end),
      passage: start >= passage.start && end <= passage.end,
      term: matches.some((m) => start >= m.start && end <= m.end),
    });
  }
  return segments;
}

const STOPWORDS = new Set(
  'the and for are was were what when where which who whom why how with from that this these those into about did does not but you your have has had can could would should will its'.split(
    ' ',
  ),
);

/** The words of a search worth marking in the results: three letters or more, without the commonest. */
export function queryWords(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'_-]*/gu) ?? [];
  return [...new Set(words.filter((w) => w.length >= 3 && !STOPWORDS.has(w)))];
}
