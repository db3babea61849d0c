import { describe, expect, it } from 'vitest';
import { parseCitations } from '../../../src/core/ask/citations';

describe('parseCitations', () => {
  const valid = new Set([1, 2, 3]);

  it('maps single, grouped and ranged markers to sources in order of first use', () => {
    const parsed = parseCitations('Wings stall [2]. Flaps help [1, 3]. Both [1-2].', valid);
    expect(parsed.cited).toEqual([2, 1, 3]);
    expect(parsed.dropped).toBe(0);
    expect(parsed.text).toBe('Wings stall [2]. Flaps help [1, 3]. Both [1-2].'.replace('[1-2]', '[1, 2]'));
  });

  it('drops and counts citations to sources that were not supplied', () => {
    const parsed = parseCitations('Lift rises [7]. Drag falls [2][9]. Thrust [3, 12].', valid);
    expect(parsed.dropped).toBe(3);
    expect(parsed.cited).toEqual([2, 3]);
    expect(parsed.text).toBe('Lift rises. Drag falls [2]. Thrust [3].');
  });

  it('leaves text without markers alone', () => {
    expect(parseCitations('No citations here.', valid)).toEqual({ text: 'No citations here.', cited: [], dropped: 0 });
  });
});
