import { describe, expect, it } from 'vitest';
import { isWeakEmbedModel } from '../../../src/core/library/embedder';

const MiB = 1024 * 1024;

describe('isWeakEmbedModel', () => {
  it('marks the toy test models weak, so their vectors never reorder full-text results', () => {
    expect(isWeakEmbedModel(64, 1_185_376)).toBe(true); // stories260K
    expect(isWeakEmbedModel(8, 1_750_560)).toBe(true); // llama-2-tiny-random
  });

  it('keeps real sentence-embedding models, quantized ones included', () => {
    expect(isWeakEmbedModel(384, 46_223_328)).toBe(false); // all-MiniLM-L6-v2 F16 (eval-models)
    expect(isWeakEmbedModel(384, 14_113_504)).toBe(false); // the same at Q4_0
    expect(isWeakEmbedModel(768, 140 * MiB)).toBe(false);
  });

  it('marks a wide but tiny file weak, and a large narrow one too', () => {
    expect(isWeakEmbedModel(384, 4 * MiB)).toBe(true);
    expect(isWeakEmbedModel(64, 500 * MiB)).toBe(true);
  });
});
