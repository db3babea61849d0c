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
 * The sentence of the top cited passage that best matches the question, when the model's answer
 * does not already say it: small models often paraphrase a fact away, and the user should see
 * the file's own words beside the model's sentence instead of trusting it blindly.
 */
export function supportingQuote(
  question: string,
  answer: string,
  sources: readonly { n: number; text: string }[],
  cited: readonly number[],
): AskQuote | null {
  const top = sources.find((s) => s.n === cited[0]) ?? sources[0];
  if (!top) return null;
  const text = bestSentence(question, top.text);
  const words = contentWords(text);
  if (words.length === 0) return null;
  const missing = 1 - termCoverage(words, answer).coverage;
  return missing > MISSING_SHARE ? { n: top.n, text } : null;
}

/**
 * The passage Ask cites when none of the answer's own citations held up: the one whose best
 * sentence shares most words with the question (the higher-ranked on a tie), with that sentence.
 */
export function quoteHolder(question: string, sources: readonly { n: number; text: string }[]): AskQuote | null {
  const words = contentWords(question);
  let best: AskQuote | null = null;
  let bestScore = -1;
  for (const source of sources) {
    const text = bestSentence(question, source.text);
    const score = termCoverage(words, text).coverage;
    if (score > bestScore) [best, bestScore] = [{ n: source.n, text }, score];
  }
  return best && contentWords(best.text).length > 0 ? best : null;
}
