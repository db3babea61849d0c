import { describe, expect, it } from 'vitest';
import {
  highlight,
  locationLabel,
  splitCitations,
  timeLeft,
} from '../../../src/renderer/src/components/ask/source-format';

describe('answer and snippet formatting in the UI', () => {
  it('splits an answer into text and citation markers', () => {
    expect(splitCitations('Stall at 14° [2]. Tips first [1, 3].')).toEqual([
      { kind: 'text', text: 'Stall at 14° ' },
      { kind: 'cite', numbers: [2] },
      { kind: 'text', text: '. Tips first ' },
      { kind: 'cite', numbers: [1, 3] },
      { kind: 'text', text: '.' },
    ]);
  });

  it('highlights words sharing a stem with the matched query terms', () => {
    const runs = highlight('The wings stalled; stalling began at the tip.', ['stall', 'wing']);
    expect(runs.filter((r) => r.mark).map((r) => r.text)).toEqual(['wings', 'stalled', 'stalling']);
    expect(runs.map((r) => r.text).join('')).toBe('The wings stalled; stalling began at the tip.');
  });

  it('labels a location with page or slide and lines', () => {
    expect(locationLabel({ page: 3, pageKind: 'slide', lineStart: 4, lineEnd: 9 })).toBe('slide 3 · lines 4-9');
    expect(locationLabel({ page: null, pageKind: null, lineStart: 7, lineEnd: 7 })).toBe('line 7');
  });
});

describe('the time left of a whole-document answer', () => {
  it('is said in seconds under a minute and in minutes after', () => {
    expect(timeLeft(2)).toBe('5 s');
    expect(timeLeft(42)).toBe('40 s');
    expect(timeLeft(150)).toBe('3 min');
  });
});
