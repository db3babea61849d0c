import type { AskQuote } from '../../shared/contract/ask';
import { contentWords, termCoverage } from './query-terms';

/** The sentence of `text` that shares the most content words with the question (the extractive answer). */
export function bestSentence(question: string, text: string): string {
  const words = contentWords(question);
  const sentences = text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
  let best = sentences[0] ?? text.trim();
  let bestScore = -1;
  for (const sentence of sentences) {
    const score = termCoverage(words, sentence).coverage;
    if (score > bestScore) [best, bestScore] = [sentence, score];
  }
  return best;
}

/** Share of the quote's content words the answer leaves out, above which the quote is shown. */
const MISSING_SHARE = 0.3;

/**
 * Whether the answer already says the quote: every number in it, and all but MISSING_SHARE of its
 * content words. Then showing the quote beside it would only repeat it. Numbers count apart
 * because they are the facts small models garble most ("4 tonnes" for "42 tonnes").
 */
export function saysMostOf(answer: string, quote: string): boolean {
  const numbers = quote.match(/\d+(?:[.,]\d+)*/g) ?? [];
  const said = new Set(answer.match(/\d+(?:[.,]\d+)*/g) ?? []);
  if (numbers.some((n) => !said.has(n))) return false;
  const words = contentWords(quote);
  return words.length === 0 || 1 - termCoverage(words, answer).coverage <= MISSING_SHARE;
}

/** "fast-levenshtein-readme.pdf" as "fast levenshtein readme pdf", so a name matches its parts. */
const apart = (text: string) => text.replace(/[-_.]+/g, ' ');

/** A passage a quote may come from: its number, text and label (file name and headings). */
export interface QuotableSource {
  n: number;
  text: string;
  /** Counted with the sentence: a question that names a file or section points at its passages. */
  label?: string;
}

/**
 * The sentence that best answers the question among `sources`, and the passage it is from: the
 * one sharing most of the question's content words, plus the share its label (file name and
 * headings) shares, so a question that names a file is quoted from that file. On a tie a
 * passage in `prefer` (the answer's own citations) wins, then the higher-ranked. Small models
 * often paraphrase a fact away or cite loosely; the user sees the file's own words beside the
 * model's sentence instead of trusting it blindly.
 */
export function quoteHolder(
  question: string,
  sources: readonly QuotableSource[],
  prefer: readonly number[] = [],
): AskQuote | null {
  const words = contentWords(apart(question));
  let best: AskQuote | null = null;
  let bestScore = -1;
  for (const source of sources) {
    const text = bestSentence(question, source.text);
    // The label is its own signal: a named file outranks a sentence that only shares common words.
    const named = source.label ? termCoverage(words, apart(source.label)).coverage : 0;
    const score = termCoverage(words, apart(text)).coverage + named;
    const wins = score > bestScore || (score === bestScore && prefer.includes(source.n) && !prefer.includes(best!.n));
    if (wins) [best, bestScore] = [{ n: source.n, text }, score];
  }
  return best && contentWords(best.text).length > 0 ? best : null;
}
