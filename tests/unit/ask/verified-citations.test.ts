import { describe, expect, it } from 'vitest';
import { bestSupport, isSourceEcho, support, verifyCitations } from '../../../src/core/ask/verified-citations';

const SOURCES = [
  { n: 1, text: 'The kitchen oven needs a new door seal before winter.' },
  { n: 2, text: 'The swept wing stalled at fourteen degrees angle of attack. Tip stall began first.' },
  { n: 3, text: 'Renew the parking permit at the town hall every March.' },
];

describe('citations checked against their passages', () => {
  it('keeps a citation whose passage says the sentence', () => {
    const result = verifyCitations('The swept wing stalled at fourteen degrees [2].', SOURCES);
    expect(result).toEqual({
      text: 'The swept wing stalled at fourteen degrees [2].',
      cited: [2],
      removed: 0,
      moved: 0,
    });
  });

  it('moves a citation to the passage that says the sentence', () => {
    const result = verifyCitations('The swept wing stalled at fourteen degrees [1].', SOURCES);
    expect(result.text).toBe('The swept wing stalled at fourteen degrees [2].');
    expect(result).toMatchObject({ cited: [2], moved: 1, removed: 0 });
  });

  it('removes a citation no passage supports, and tidies the space it leaves', () => {
    const result = verifyCitations('Penguins migrate north in spring [3].', SOURCES);
    expect(result).toEqual({ text: 'Penguins migrate north in spring.', cited: [], removed: 1, moved: 0 });
  });

  it('checks each sentence on its own, markers after the full stop included', () => {
    const answer = 'Renew the parking permit every March. [3] The wing stalled at fourteen degrees. [3]';
    const result = verifyCitations(answer, SOURCES);
    expect(result.text).toBe('Renew the parking permit every March. [3] The wing stalled at fourteen degrees. [2]');
    expect(result.cited).toEqual([3, 2]);
  });

  it('does not cut a sentence at a dot inside a word such as bytes.format', () => {
    const sources = [
      { n: 1, text: 'bytes.format(1000) returns 1000B as the output.' },
      { ...SOURCES[0]!, n: 2 },
    ];
    const result = verifyCitations('bytes.format(1000) returns 1000B [2].', sources);
    expect(result.text).toBe('bytes.format(1000) returns 1000B [1].');
  });

  it('removes citations from a copied line of the source list, whose words are the passage own', () => {
    const answer = 'Sources:\n[2] wing-report.pdf, page 4, lines 1-9\nThe swept wing stalled at fourteen degrees [2].';
    const result = verifyCitations(answer, SOURCES);
    expect(result.text).toBe(
      'Sources:\nwing-report.pdf, page 4, lines 1-9\nThe swept wing stalled at fourteen degrees [2].',
    );
    expect(result).toMatchObject({ cited: [2], removed: 1 });
  });

  it('scores support as the share of the sentence words the passage holds', () => {
    expect(support('wing stalled [2]', SOURCES[1]!.text)).toBe(1);
    expect(support('wing oven', SOURCES[1]!.text)).toBe(0.5);
    expect(support('[2]', SOURCES[1]!.text)).toBe(0);
  });

  it('does not let a sentence stand on a passage that lacks its number', () => {
    expect(support('The swept wing stalled at 14 degrees.', 'The swept wing stalled at 14 degrees.')).toBe(1);
    expect(support('The swept wing stalled at 12 degrees.', 'The swept wing stalled at 14 degrees.')).toBe(0);
    expect(support('1. The swept wing stalled early.', 'The swept wing stalled early.')).toBe(1);
  });

  it('finds the passage that says an answer with no marker, or none', () => {
    expect(bestSupport('The swept wing stalled at fourteen degrees.', SOURCES)).toBe(2);
    expect(bestSupport('Penguins migrate north in spring.', SOURCES)).toBeNull();
  });

  it('tells an answer that copies the source list from one that answers', () => {
    expect(isSourceEcho('Sources:\n\n[1] notes.md, lines 1-9\nThe oven needs a seal.')).toBe(true);
    expect(isSourceEcho('- [1] report.pdf, page 2, lines 1-35\n**Default usage**\n- [2] report.pdf, page 3')).toBe(
      true,
    );
    expect(isSourceEcho('The swept wing stalled at fourteen degrees [2].')).toBe(false);
    const copied = Array.from(
      { length: 4 },
      () => 'The source:\n```\nms-readme.md, lines 54-57 (ms > Features)\n```',
    ).join('\n');
    expect(isSourceEcho(copied)).toBe(true);
    expect(isSourceEcho('It stalled at 14 degrees [2].\nThe tip stalled first, as report.pdf says [2].')).toBe(false);
  });
});
