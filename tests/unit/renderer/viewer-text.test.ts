import { describe, expect, it } from 'vitest';
import { mergeOverlaps, findTerms } from '../../../src/core/library/passage-context';
import { passageItems, termSpans } from '../../../src/renderer/src/lib/pdf-highlight';
import { queryWords, textSegments } from '../../../src/renderer/src/lib/text-segments';

describe('the document viewer’s text', () => {
  it('writes the overlap of neighbouring chunks once and finds the passage in the joined text', () => {
    const a = { text: 'One two three four five six seven eight nine ten.' };
    const b = { text: 'seven eight nine ten. Eleven twelve thirteen fourteen.' };
    const c = { text: 'A new section with no overlap at all here.' };
    const { text, passage } = mergeOverlaps([a, b, c], b);
    expect(text).toBe(
      'One two three four five six seven eight nine ten. Eleven twelve thirteen fourteen.\n\nA new section with no overlap at all here.',
    );
    expect(text.slice(passage.start, passage.end)).toBe(b.text);
  });

  it('marks words starting with a term, case-insensitively, not inside other words', () => {
    const text = 'Stalls stalled; the install stalled.';
    expect(findTerms(text, ['stall']).map((r) => text.slice(r.start, r.end))).toEqual(['Stalls', 'stalled', 'stalled']);
    expect(findTerms(text, ['a'])).toEqual([]);
  });

  it('cuts text at the passage and word edges', () => {
    const segments = textSegments('before wing after', { start: 7, end: 17 }, [{ start: 7, end: 11 }]);
    expect(segments).toEqual([
      { text: 'before ', passage: false, term: false },
      { text: 'wing', passage: true, term: true },
      { text: ' after', passage: true, term: false },
    ]);
  });

  it('keeps the words of a search worth marking', () => {
    expect(queryWords('What did the swept wing do at 14 degrees?')).toEqual(['swept', 'wing', 'degrees']);
  });

  it('finds the PDF text items of a passage whatever their spacing', () => {
    const items = [
      { str: 'Wind tunnel' },
      { str: 'Results' },
      { str: 'The swept wing' },
      { str: 'stalled at 14.' },
      { str: 'Appendix' },
    ];
    expect([...passageItems(items, 'Results\nThe swept   wing stalled at 14.')]).toEqual([1, 2, 3]);
    expect(passageItems(items, 'not on this page').size).toBe(0);
    expect(termSpans('The swept wing', ['wing'])).toEqual([{ start: 10, end: 14 }]);
  });
});
