import { describe, expect, it } from 'vitest';
import { bestSentence, supportingQuote } from '../../../src/core/ask/supporting-quote';

const PASSAGE =
  'Wind tunnel report. The swept wing stalled at fourteen degrees angle of attack. Tip stall began before root stall.';

describe('the quote shown beside an answer', () => {
  it('picks the sentence sharing most words with the question', () => {
    expect(bestSentence('At what angle did the swept wing stall?', PASSAGE)).toBe(
      'The swept wing stalled at fourteen degrees angle of attack.',
    );
  });

  it('quotes the top cited source when the answer leaves the fact out', () => {
    const sources = [
      { n: 1, text: 'The kitchen oven needs a new door seal.' },
      { n: 2, text: PASSAGE },
    ];
    expect(supportingQuote('At what angle did the swept wing stall?', 'It stalled early [2].', sources, [2])).toEqual({
      n: 2,
      text: 'The swept wing stalled at fourteen degrees angle of attack.',
    });
  });

  it('adds no quote when the answer already says it', () => {
    const answer = 'The swept wing stalled at fourteen degrees angle of attack [1].';
    expect(
      supportingQuote('At what angle did the swept wing stall?', answer, [{ n: 1, text: PASSAGE }], [1]),
    ).toBeNull();
  });
});
