import type { ConversationTurn } from '../../shared/contract/ask';
import { contentWords } from './query-terms';

/** Words that make a follow-up question lean on what was said before. */
const REFERRING =
  /\b(it|its|this|that|these|those|they|them|their|he|she|his|her|the same|above|previous|earlier|more)\b/i;
/** How a follow-up opens: "And the timeout?", "What about the second report?". */
const CONTINUING = /^(and|or|but|also|then|what about|how about)\b/i;
/**
 * A question with more content words than this names its own subject: "that" in "files that
 * edit the database" is not a reference back. Fewer, and a referring word means it leans back.
 */
const SELF_CONTAINED_WORDS = 3;

/**
 * A search query that stands on its own. A follow-up such as "and what does it cost?" borrows
 * the content words of the recent user turns (newest first) so retrieval sees the subject; a
 * self-contained question is used as it is. Deterministic on purpose: small local models
 * rewrite queries badly, and the user can read exactly what was searched.
 */
export function standaloneQuery(question: string, conversation: readonly ConversationTurn[], maxBorrowed = 8): string {
  const trimmed = question.trim();
  const ownWords = contentWords(trimmed);
  const recentUser = conversation
    .filter((turn) => turn.role === 'user')
    .slice(-3)
    .reverse();
  if (recentUser.length === 0) return trimmed;
  // "Who created Python?" is short but whole: only a connective, a lone word or a reference
  // in a short question borrows, so a new question is never searched with the old one's words.
  const needsContext =
    ownWords.length <= 1 ||
    CONTINUING.test(trimmed) ||
    (ownWords.length <= SELF_CONTAINED_WORDS && REFERRING.test(trimmed));
  if (!needsContext) return trimmed;
  const own = new Set(ownWords);
  const borrowed: string[] = [];
  for (const turn of recentUser) {
    for (const word of contentWords(turn.text)) {
      if (borrowed.length >= maxBorrowed) break;
      if (!own.has(word) && !borrowed.includes(word)) borrowed.push(word);
    }
  }
  return borrowed.length > 0 ? `${trimmed} ${borrowed.join(' ')}` : trimmed;
}
