import { expand, MARKER } from './citations';
import { contentWords, numbersIn, termCoverage } from './query-terms';

/** A sentence with the markers that follow its full stop ("… 5 ms. [2]" cites from that sentence). */
const SENTENCE = /(?:[^.!?\n]|[.!?]+(?![\s[]|$))*(?:[.!?]+(?:[ \t]*\[\d[^\]\n]*\])*|\n|$)/g;
const HAS_MARKER = new RegExp(MARKER.source);
/**
 * A line copied from the prompt's list of sources ("[2] notes.docx, page 3, lines 1-9 (Heading)"):
 * small models echo it, and its words are the passage's own, but it states nothing.
 */
const SOURCE_LABEL =
  /[\p{L}\p{N}_-]\.(md|markdown|txt|html?|pdf|docx?|odt|rtf|epub|xlsx?|csv|pptx?)\b|\blines \d+-\d+\b/iu;

/**
 * Share of a sentence's content words its source must contain for a citation to stand. Half:
 * small models reword, but a sentence whose words are mostly absent from the passage is not
 * that passage's claim.
 */
export const MIN_SUPPORT = 0.5;

/** A source label as the prompt writes it: "notes.md, lines 1-9", "report.pdf, page 3". */
const LABEL_IN_LINE =
  /\S\.(md|markdown|txt|html?|pdf|docx?|odt|rtf|epub|xlsx?|csv|pptx?),? (page|slide|sheet|chapter|lines?) \d+/iu;
/** A line that starts with a file name, as in the prompt's list ("[2] notes.md (Intro)"). */
const LABEL_LINE =
  /^\s*(?:[-*]\s*)?(?:\[\d+\]\s*)?\S+\.(md|markdown|txt|html?|pdf|docx?|odt|rtf|epub|xlsx?|csv|pptx?)\b/iu;

/**
 * Whether an answer copies the prompt's source list instead of answering: it opens with
 * "Sources:", or a quarter or more of its lines carry a source label (at least two, or the only
 * line). Small models do this (Gemma 3 270M in most answers with a chat-shaped prompt, SmolLM2
 * now and then, one label in every few lines of copied passage); the words are the passages' own,
 * so neither its citations nor its text say anything about the question.
 */
export function isSourceEcho(answer: string): boolean {
  if (/^\s*(the )?sources?:/i.test(answer)) return true;
  const lines = answer.split('\n').filter((line) => line.trim());
  const labels = lines.filter((line) => LABEL_LINE.test(line) || LABEL_IN_LINE.test(line)).length;
  return (labels >= 2 || labels === lines.length) && labels > 0 && labels * 4 >= lines.length;
}

/** The source that supports `text` best, when it holds at least MIN_SUPPORT of its words; else null. */
export function bestSupport(text: string, sources: readonly { n: number; text: string }[]): number | null {
  let best: number | null = null;
  let bestScore = MIN_SUPPORT;
  for (const source of sources) {
    const score = support(text, source.text);
    if (score >= bestScore && (best === null || score > bestScore)) [best, bestScore] = [source.n, score];
  }
  return best;
}

export interface VerifiedCitations {
  /** The answer with every marker pointing at a source that supports its sentence. */
  text: string;
  /** Source numbers cited, in order of first use. */
  cited: number[];
  /** Markers whose source did not support the sentence and that no other source supported: removed. */
  removed: number;
  /** Markers moved to the source that supports the sentence. */
  moved: number;
}

/** "1. " opening a list item: numbering, not a claim. */
const LIST_NUMBER = /^\s*\d+[.)]\s/;

/**
 * Share of the sentence's content words (markers aside) found in `passage`, by stem; 0 when the
 * sentence states a number the passage does not hold.
 */
export function support(sentence: string, passage: string): number {
  const claim = sentence.replace(MARKER, ' ').replace(LIST_NUMBER, '');
  const words = contentWords(claim);
  if (words.length === 0) return 0;
  // A number the passage does not hold is a claim it does not make ("is 1" where it says 2).
  const held = new Set(numbersIn(passage));
  if (numbersIn(claim).some((n) => !held.has(n))) return 0;
  return termCoverage(words, passage).coverage;
}

/**
 * Checks every [n] against the passage it points at: a citation stands only when that source
 * holds most of the words of the sentence that cites it. Otherwise it moves to the supplied
 * source that supports the sentence best, or is removed. Small models number their sources
 * loosely, and a chip that opens a passage that does not say the sentence misleads the reader.
 * Markers must already point at supplied sources (`parseCitations` runs first).
 */
export function verifyCitations(
  answer: string,
  sources: readonly { n: number; text: string }[],
  minSupport = MIN_SUPPORT,
): VerifiedCitations {
  const cited: number[] = [];
  let removed = 0;
  let moved = 0;
  const text = answer.replace(SENTENCE, (sentence) => {
    if (!HAS_MARKER.test(sentence)) return sentence;
    if (SOURCE_LABEL.test(sentence)) {
      return sentence
        .replace(MARKER, (_marker, inner: string) => ((removed += expand(inner).length), ''))
        .replace(/^[ \t]+/, '');
    }
    const scores = new Map(sources.map((s) => [s.n, support(sentence, s.text)]));
    const best = [...scores].reduce<[number, number] | null>((a, b) => (a && a[1] >= b[1] ? a : b), null);
    const rewritten = sentence.replace(MARKER, (_marker, inner: string) => {
      const kept: number[] = [];
      for (const n of expand(inner)) {
        let target: number | null = n;
        if ((scores.get(n) ?? 0) < minSupport) {
          target = best && best[1] >= minSupport ? best[0] : null;
          if (target === null) removed++;
          else moved++;
        }
        if (target !== null && !kept.includes(target)) kept.push(target);
      }
      for (const n of kept) if (!cited.includes(n)) cited.push(n);
      return kept.length > 0 ? `[${kept.join(', ')}]` : '';
    });
    return rewritten.replace(/ +([.,;:!?])/g, '$1').replace(/ {2,}/g, ' ');
  });
  return { text, cited, removed, moved };
}
