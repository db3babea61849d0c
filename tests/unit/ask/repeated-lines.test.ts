import { describe, expect, it } from 'vitest';
import { withoutRepeatedLines } from '../../../src/core/ask/repeated-lines';

describe('an answer that loops', () => {
  it('ends before the first line it repeats word for word', () => {
    const looped = 'The answer is: 172800000 [1]\n\nThe answer is: 172800000 [1]\n\nThe answer is: 1728';
    expect(withoutRepeatedLines(looped)).toEqual({ text: 'The answer is: 172800000 [1]', cut: true });
  });

  it('keeps short lines that repeat naturally, and an answer with no repeat as it is', () => {
    const code = 'Use it like this:\n```js\nms(1)\n```\nor this:\n```js\nms(2)\n```';
    expect(withoutRepeatedLines(code)).toEqual({ text: code, cut: false });
  });
});
