import type { AskQuote } from '../../shared/contract/ask';
import { contentWords, numbersIn, stem, termCoverage } from './query-terms';

/** A line that only names a section: a Markdown heading, or bold text alone on its line. */
const HEADING = /^(#{1,6}\s|\*\*[^*]+\*\*:?$)/;
/** A line ending so cannot end a sentence: a comma, an article, a preposition, a conjunction. */
const OPEN_END =
  /(,|\b(a|an|the|of|at|in|on|to|by|for|with|and|or|as|is|are|be|been|shall|will|may|must|can|not|from|that|which|if|than))$/i;
/** A line of code (a call, a comment, a statement): one line of code never runs into the next. */
const CODE = /\/\/|[;{}=]|\w\(/;
/** A sentence continued over wrapped lines stops at this many characters. */
const MAX_QUOTE = 320;

/**
 * The sentence of `text` that shares the most content words with the question (the extractive
 * answer). A heading, or a line that only repeats the question's own words ("The ISC License",
 * "bytes.format(1000);"), is taken only when nothing else matches: it answers nothing. A sentence
 * wrapped over lines is quoted whole, not cut at the line's end.
 */
export function bestSentence(question: string, text: string): string {
  return scoredSentence(question, text).text;
}

/**
 * `bestSentence` with two scores: `score`, the share of the question's words it holds (less 1 if
 * it answers nothing), and `topic`, the best share any line of the passage holds, headings and
 * titles included: they say what the passage is about, though they answer nothing.
 */
function scoredSentence(question: string, text: string): { text: string; score: number; topic: number } {
  const words = contentWords(apart(question));
  const asked = new Set(words.map(stem));
  const units = text
    // A full stop after a single letter is an initial ("Isaac Z. Schlueter"), not a sentence's end.
    .split(/(?<=[^\s.]{2}[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
  let best = -1;
  let bestScore = -Infinity;
  let topic = 0;
  for (const [i, unit] of units.entries()) {
    const says = contentWords(apart(unit)).some((word) => !asked.has(stem(word)));
    const coverage = termCoverage(words, apart(unit)).coverage;
    topic = Math.max(topic, coverage);
    const score = coverage - (HEADING.test(unit) || !says ? 1 : 0);
    if (score > bestScore) [best, bestScore] = [i, score];
  }
  if (best < 0) return { text: text.trim(), score: -1, topic: 0 };
  let quote = units[best]!;
  // A prose line that ends mid-sentence goes on into the next line; a blank line alone says
  // nothing, since documents converted line by line put one between wrapped lines.
  for (let i = best + 1; i < units.length && quote.length < MAX_QUOTE; i++) {
    const next = units[i]!;
    // "…for locale-sensitive comparisons:" introduces what follows, code or not: quote that line too.
    if (quote.endsWith(':') && !HEADING.test(next)) {
      quote = `${quote} ${next}`;
      break;
    }
    if (HEADING.test(next) || !/^[\p{L}(]/u.test(next) || CODE.test(quote) || CODE.test(next)) break;
    if (!(OPEN_END.test(quote) || (/[\p{Ll}\p{N}]$/u.test(quote) && /^[\p{Ll}(]/u.test(next)))) break;
    quote = `${quote} ${next}`;
  }
  const cut = quote.length > MAX_QUOTE ? `${quote.slice(0, MAX_QUOTE).replace(/\s+\S*$/, '')}…` : quote;
  return { text: cut, score: bestScore, topic };
}

/** Share of the quote's content words the answer leaves out, above which the quote is shown. */
const MISSING_SHARE = 0.3;

/**
 * Whether the answer already says the quote: every number in it, and all but MISSING_SHARE of its
 * content words. Then showing the quote beside it would only repeat it. Numbers count apart
 * because they are the facts small models garble most ("4 tonnes" for "42 tonnes").
 */
export function saysMostOf(answer: string, quote: string): boolean {
  const numbers = numbersIn(quote);
  const said = new Set(numbersIn(answer));
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
 * The sentence that best answers the question among `sources`, and the passage it is from. The
 * passage is the one whose best line (a title counts) shares most of the question's content
 * words, plus the share its label (file name and headings) shares, so a question that names a
 * file is quoted from that file; the sentence is that passage's best that says something. On a tie a
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
  let bestScore = -Infinity;
  for (const source of sources) {
    const sentence = scoredSentence(question, source.text);
    const text = sentence.text;
    // The label is its own signal: a named file outranks a sentence that only shares common words.
    const named = source.label ? termCoverage(words, apart(source.label)).coverage : 0;
    const score = sentence.topic + named;
    const wins = score > bestScore || (score === bestScore && prefer.includes(source.n) && !prefer.includes(best!.n));
    if (wins) [best, bestScore] = [{ n: source.n, text }, score];
  }
  return best && contentWords(best.text).length > 0 ? best : null;
}
