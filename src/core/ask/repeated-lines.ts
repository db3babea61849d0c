/** Lines shorter than this repeat naturally ("```", "- [x]", blank-ish lines). */
const MIN_LINE = 12;

/**
 * The answer up to the first line it repeats word for word. Small models loop ("The answer is:
 * 172800000" thirty times) until the length limit; the repeat adds nothing, and cutting it keeps
 * the quote from the file within sight instead of under a screen of copies.
 */
export function withoutRepeatedLines(text: string): { text: string; cut: boolean } {
  const seen = new Set<string>();
  let offset = 0;
  for (const line of text.split('\n')) {
    const key = line.trim();
    if (key.length >= MIN_LINE) {
      if (seen.has(key)) return { text: text.slice(0, offset).trimEnd(), cut: true };
      seen.add(key);
    }
    offset += line.length + 1;
  }
  return { text, cut: false };
}
