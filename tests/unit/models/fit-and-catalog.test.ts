import { describe, expect, it } from 'vitest';
import { fitFromCatalog, loadCatalog } from '../../../src/core/models';
import { ModelFileSchema } from '../../../src/shared/contract/models';
import * as v from 'valibot';

const GB = 1024 ** 3;

describe('the curated catalog', () => {
  const catalog = loadCatalog();

  it('has chat, embedding and reranker models with unique ids and safe file names', () => {
    expect(new Set(catalog.map((e) => e.role))).toEqual(new Set(['chat', 'embedding', 'reranker']));
    expect(new Set(catalog.map((e) => e.id)).size).toBe(catalog.length);
    for (const entry of catalog) {
      expect(v.safeParse(ModelFileSchema, entry.file).success).toBe(true);
      expect(entry.url).toMatch(/^https:\/\/huggingface\.co\/.+\.gguf$/);
      expect(entry.url.endsWith(entry.file)).toBe(true);
      expect(entry.sha256 === null || /^[0-9a-f]{64}$/.test(entry.sha256)).toBe(true);
    }
  });
});

describe('fit from the catalog size', () => {
  const [small, big] = [
    { ...loadCatalog()[0]!, bytes: 0.4 * GB, paramsB: 0.5 },
    { ...loadCatalog()[0]!, bytes: 4.7 * GB, paramsB: 7.6 },
  ];

  it('puts a model on the GPU when it fits in free VRAM', () => {
    expect(fitFromCatalog(small, { ramFree: 8 * GB, vramFree: 4 * GB, gpu: true })).toMatchObject({
      verdict: 'gpu',
      basis: 'catalog',
    });
  });
  it('falls back to RAM, and calls it too large when RAM is short', () => {
    expect(fitFromCatalog(big, { ramFree: 16 * GB, vramFree: 2 * GB, gpu: true }).verdict).toBe('ram');
    expect(fitFromCatalog(big, { ramFree: 4 * GB, vramFree: 0, gpu: false }).verdict).toBe('too-large');
    expect(fitFromCatalog(small, { ramFree: 4 * GB, vramFree: 0, gpu: false }).verdict).toBe('ram');
  });
  it('counts the KV cache of a chat context on top of the weights', () => {
    const fit = fitFromCatalog(small, { ramFree: 64 * GB, vramFree: 0, gpu: false });
    expect(fit.ramBytes).toBeGreaterThan(small.bytes);
    expect(fit.contextSize).toBe(4096);
  });
});
