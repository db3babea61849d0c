import { describe, expect, it } from 'vitest';
import { packSources } from '../../../src/core/ask/context-packer';
import type { RetrievedChunk } from '../../../src/core/ask/seams';

/** One token per word: enough to check the budget arithmetic at the seam. */
const words = { countTokens: (text: string) => text.split(/\s+/).filter(Boolean).length };

function chunk(id: string, wordCount: number): RetrievedChunk {
  return {
    id,
    path: `/docs/${id}.pdf`,
    page: 2,
    pageKind: 'page',
    lineStart: 1,
    lineEnd: 9,
    headingPath: [],
    text: Array.from({ length: wordCount }, (_, i) => `w${i}`).join(' '),
    scores: { lexical: 1, lexicalRank: 1, vector: null, vectorRank: null, fused: 0.01 },
  };
}

describe('packSources', () => {
  it('numbers sources best first and never exceeds the budget', () => {
    const packed = packSources(words, [chunk('a', 40), chunk('b', 200), chunk('c', 30)], { budget: 100 });
    expect(packed.sources.map((s) => [s.n, s.chunk.id])).toEqual([
      [1, 'a'],
      [2, 'c'],
    ]);
    expect(packed.tokens).toBeLessThanOrEqual(100);
    expect(packed.block).toContain('[1] a.pdf, page 2, lines 1-9');
  });

  it('cuts the best source to fit rather than send nothing', () => {
    const packed = packSources(words, [chunk('big', 500)], { budget: 60 });
    expect(packed.sources).toHaveLength(1);
    expect(packed.tokens).toBeLessThanOrEqual(60);
    expect(packed.sources[0]!.text.endsWith('…')).toBe(true);
  });

  it('stops at maxSources', () => {
    const many = Array.from({ length: 12 }, (_, i) => chunk(`c${i}`, 5));
    expect(packSources(words, many, { budget: 10_000, maxSources: 4 }).sources).toHaveLength(4);
  });
});
