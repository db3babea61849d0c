import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { LibraryStore, type ChunkRow } from '../../src/core/library/store';
import { tempDir } from '../helpers/temp-dir';

/**
 * `npm run bench:query`: hybrid query latency (BM25 full text + vector nearest neighbours,
 * fused by RRF, top 10) on synthetic chunks with synthetic 64-dimension vectors, at several
 * table sizes, beside full-text-only latency on the same table. Sizes: QUERY_BENCH_SIZES.
 */

const SIZES = (process.env.QUERY_BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const DIM = 64;
const QUERIES = 200;

/** A deterministic generator, so runs are comparable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const VOCAB = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}`);
/** Zipf-like word choice: a few words common, most rare, like real text. */
const word = (r: () => number) => VOCAB[Math.floor(VOCAB.length * r() ** 3)]!;
const vector = (r: () => number) => Array.from({ length: DIM }, () => r() * 2 - 1);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

describe('hybrid query latency', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  const rows: Record<string, string | number>[] = [];

  beforeAll(async () => (dir = await tempDir('hearth-query-bench-')));
  afterAll(async () => {
    console.table(rows);
    await mkdir('bench-results', { recursive: true });
    await writeFile(
      'bench-results/query.json',
      JSON.stringify({ date: new Date().toISOString(), dim: DIM, rows }, null, 2),
    );
    await dir.cleanup();
  });

  for (const size of SIZES) {
    it(`${size.toLocaleString('en')} chunks`, async () => {
      const r = rng(size);
      const store = await LibraryStore.open(join(dir.path, String(size)), 1);
      const buildStarted = performance.now();
      for (let start = 0; start < size; start += 50_000) {
        const chunks: ChunkRow[] = [];
        for (let i = start; i < Math.min(size, start + 50_000); i++) {
          const doc = Math.floor(i / 8);
          chunks.push({
            id: `c:/docs/${doc}.md#${i % 8}`,
            key: `c:/docs/${doc}.md`,
            collection: 'c',
            path: `/docs/${doc}.md`,
            type: 'md',
            ordinal: i % 8,
            page: 0,
            page_kind: '',
            line_start: 1,
            line_end: 10,
            heading: '[]',
            text: Array.from({ length: 60 }, () => word(r)).join(' '),
            vector: vector(r),
          });
        }
        await store.write({ documents: [], chunks, removeKeys: [], mayExist: new Set() });
      }
      await store.commit();
      const buildSeconds = (performance.now() - buildStarted) / 1000;

      const queries = Array.from({ length: QUERIES }, () => ({
        text: `${word(r)} ${word(r)} ${word(r)}`,
        vector: vector(r),
      }));
      for (const q of queries.slice(0, 10)) await store.search(q.text, { top: 10, filter: null, vector: q.vector });
      const hybrid: number[] = [];
      const lexical: number[] = [];
      for (const q of queries) {
        let t = performance.now();
        await store.search(q.text, { top: 10, filter: null, vector: q.vector });
        hybrid.push(performance.now() - t);
        t = performance.now();
        await store.search(q.text, { top: 10, filter: null });
        lexical.push(performance.now() - t);
      }
      const filtered: number[] = [];
      for (const q of queries.slice(0, 50)) {
        const t = performance.now();
        await store.search(q.text, { top: 10, filter: "collection = 'c' AND type IN ('md', 'pdf')", vector: q.vector });
        filtered.push(performance.now() - t);
      }
      await store.dispose();
      const row = {
        chunks: size,
        'build s': +buildSeconds.toFixed(1),
        'hybrid p50 ms': +percentile(hybrid, 50).toFixed(1),
        'hybrid p95 ms': +percentile(hybrid, 95).toFixed(1),
        'filtered hybrid p95 ms': +percentile(filtered, 95).toFixed(1),
        'full-text p50 ms': +percentile(lexical, 50).toFixed(1),
        'full-text p95 ms': +percentile(lexical, 95).toFixed(1),
        ann: size >= 50_000 ? 'IVF-PQ' : 'exact',
      };
      rows.push(row);
      console.log(row);
    });
  }
});
