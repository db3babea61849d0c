import { describe, expect, it } from 'vitest';
import { bestSentence, quoteHolder, saysMostOf } from '../../../src/core/ask/supporting-quote';

const PASSAGE =
  'Wind tunnel report. The swept wing stalled at fourteen degrees angle of attack. Tip stall began before root stall.';
const QUESTION = 'At what angle did the swept wing stall?';

describe('the quote shown beside an answer', () => {
  it('picks the sentence sharing most words with the question', () => {
    expect(bestSentence(QUESTION, PASSAGE)).toBe('The swept wing stalled at fourteen degrees angle of attack.');
  });

  it('passes over a heading or a line that only repeats the question', () => {
    const licence =
      '# The ISC License\n\nCopyright (c) Isaac Z. Schlueter and Contributors\n\nPermission to use is granted.';
    expect(bestSentence('Who holds the copyright under the ISC License?', licence)).toBe(
      'Copyright (c) Isaac Z. Schlueter and Contributors',
    );
    const usage = "bytes.format(1000);\n// output: '1000B'";
    expect(bestSentence('What does bytes.format(1000) output?', usage)).toBe("// output: '1000B'");
  });

  it('quotes a sentence wrapped over lines whole, but never runs code lines together', () => {
    const history = 'For the first pair in `str`, return an\n\narray with indexes.\n\nLater work followed.';
    expect(bestSentence('What does it return for the first pair?', history)).toBe(
      'For the first pair in `str`, return an array with indexes.',
    );
    const notice = 'You can keep your license by taking all practical steps to comply within 30\ndays after notice.';
    expect(bestSentence('Within how many days must you comply?', notice)).toBe(
      'You can keep your license by taking all practical steps to comply within 30 days after notice.',
    );
    const usage =
      'Use the collator for locale-sensitive string comparisons:\nlevenshtein.get(a, b, { useCollator: true });\nmore();';
    expect(bestSentence('Which option enables locale-sensitive comparisons?', usage)).toBe(
      'Use the collator for locale-sensitive string comparisons: levenshtein.get(a, b, { useCollator: true });',
    );
    const code = "ms('2 days')  // 172800000\nms('1d')      // 86400000";
    expect(bestSentence("How many milliseconds does ms('2 days') return?", code)).toBe("ms('2 days')  // 172800000");
  });

  it('quotes the passage that best answers the question, wherever the answer cited', () => {
    const sources = [
      { n: 1, text: 'The kitchen oven needs a new door seal.' },
      { n: 2, text: PASSAGE },
    ];
    expect(quoteHolder(QUESTION, sources, [1])).toEqual({
      n: 2,
      text: 'The swept wing stalled at fourteen degrees angle of attack.',
    });
  });

  it("prefers the answer's own citation on a tie, then the higher-ranked passage", () => {
    const sources = [
      { n: 1, text: PASSAGE },
      { n: 2, text: PASSAGE },
    ];
    expect(quoteHolder(QUESTION, sources, [2])?.n).toBe(2);
    expect(quoteHolder(QUESTION, sources)?.n).toBe(1);
  });

  it('counts the label: a question naming a file points at its passages', () => {
    const sources = [
      { n: 1, text: 'Copyright (c) 2015 Jane Roe. Permission is granted.', label: 'mit-license.txt' },
      { n: 2, text: 'Copyright (c) 2019 John Doe. Permission is granted.', label: 'isc-license.txt' },
    ];
    expect(quoteHolder('Who holds the copyright under the ISC license?', sources)?.n).toBe(2);
  });

  it('is shown only when the answer leaves out much of it', () => {
    const quote = 'The swept wing stalled at fourteen degrees angle of attack.';
    expect(saysMostOf('The swept wing stalled at fourteen degrees angle of attack [1].', quote)).toBe(true);
    expect(saysMostOf('It stalled early [2].', quote)).toBe(false);
    // A number the answer gets wrong shows the quote, however many other words it repeats.
    const load = 'The maximum load of the Harlow bridge is 42 tonnes.';
    expect(saysMostOf('The maximum load of the Harlow bridge is 4 tonnes [1].', load)).toBe(false);
    expect(saysMostOf('The maximum load of the bridge is 42 tonnes [1].', load)).toBe(true);
  });
});
