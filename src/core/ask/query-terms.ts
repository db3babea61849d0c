/**
 * Words that carry meaning in a query, reduced to a crude stem so "wings" matches "wing".
 * Used for the relevance gate, highlighting and standalone queries; ranking itself is BM25's.
 */
const STOPWORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below ' +
    'between both but by can could did do does doing done down during each either else even ever every few for ' +
    'from further get got had has have having he her here hers him his how i if in into is it its itself just ' +
    'let like made make many may me might more most much must my no nor not now of off on once one only or other ' +
    'our out over own per please rather same shall she should show so some such tell than that the their them then ' +
    'there these they this those through thus to too under until up upon us use used using very was way we were ' +
    'what when where whether which while who whom whose why will with within without would yet you your ' +
    'give find know explain describe list summarise summarize summary'
  ).split(' '),
);

export function stem(word: string): string {
  let w = word.toLowerCase();
  for (const suffix of ['ational', 'ations', 'ation', 'ings', 'ing', 'edly', 'ies', 'ied', 'ed', 'es', 'ly', 's']) {
    if (w.length - suffix.length >= 3 && w.endsWith(suffix)) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  return w;
}

/** Content words of a text, lowercased, in first-seen order, without duplicates. */
export function contentWords(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'_-]*/gu) ?? []) {
    const word = raw.replace(/'s$/, '');
    if (word.length < 2 || STOPWORDS.has(word) || /^\d{1,2}$/.test(word) || seen.has(word)) continue;
    seen.add(word);
    out.push(word);
  }
  return out;
}

/** Which of the query's content words occur in `text` (by stem), and their share. */
export function termCoverage(queryWords: readonly string[], text: string): { matched: string[]; coverage: number } {
  if (queryWords.length === 0) return { matched: [], coverage: 0 };
  const stems = new Set(contentWords(text).map(stem));
  const matched = queryWords.filter((word) => stems.has(stem(word)));
  return { matched, coverage: matched.length / queryWords.length };
}

/** The numbers a text states ("42", "1.2.8", "172,800,000"): claims small models garble most. */
export function numbersIn(text: string): string[] {
  return text.match(/\d+(?:[.,]\d+)*/g) ?? [];
}
