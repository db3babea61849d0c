import * as lancedb from '@lancedb/lancedb';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { annIndexOptions, annProbes, ANN_THRESHOLD, LibraryStore, type ChunkRow } from '../../src/core/library/store';
import { tempDir } from '../helpers/temp-dir';

/**
 * `npm run bench:query`: hybrid query latency (BM25 full text + vector nearest neighbours,
 * fused by RRF, top 10) through LibraryStore on synthetic chunks at several table sizes,
 * beside full-text-only latency on the same table (the baseline) and, for tables with an ANN
 * index, recall@10 of the indexed vector search against exact search. Vectors have 384
 * dimensions (small embedding models such as bge-small or MiniLM) and are drawn around 1,024
 * topic centres, so the IVF partitions have something to find, as with real text.
 * Sizes: QUERY_BENCH_SIZES (default 10000,100000,1000000).
 */

const SIZES = (process.env.QUERY_BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const DIM = 384;
const TOPICS = 1024;
const QUERIES = 200;
const BATCH = 50_000;

/** A deterministic generator, so runs are comparable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const VOCAB = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}`);
/** Zipf-like word choice: a few words common, most rare, like real text. */
const word = (r: () => number) => VOCAB[Math.floor(VOCAB.length * r() ** 3)]!;

/** Unit vectors scattered around random topic centres. */
function topicVectors(r: () => number): () => number[] {
  const centres = Array.from({ length: TOPICS }, () => Array.from({ length: DIM }, () => r() * 2 - 1));
  return () => {
    const c = centres[Math.floor(r() * TOPICS)]!;
    const v = c.map((x) => x + (r() * 2 - 1) * 0.8);
    const norm = Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
    return v.map((x) => x / norm);
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const load = () => loadavg()[0]!.toFixed(2);

/** Recall@10 of the store's ANN settings against exact search, on the same LanceDB table. */
async function annRecall(dir: string, rows: number, vectors: number[][]): Promise<number> {
  const db = await lancedb.connect(dir);
  const table = await db.openTable('chunks_g1');
  const probes = annProbes(annIndexOptions(rows, DIM).numPartitions!);
  let found = 0;
  for (const v of vectors) {
    const base = () => table.query().nearestTo(v).distanceType('cosine').select(['id', '_distance']).limit(10);
    const exact = (await base().bypassVectorIndex().toArray()).map((row: { id: string }) => row.id);
    const ann = new Set((await base().nprobes(probes).refineFactor(4).toArray()).map((row: { id: string }) => row.id));
    found += exact.filter((id) => ann.has(id)).length;
  }
  table.close();
  db.close();
  return found / (vectors.length * 10);
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
      const vector = topicVectors(r);
      const path = join(dir.path, String(size));
      const store = await LibraryStore.open(path, 1);
      const loadBefore = load();
      const insertStarted = performance.now();
      for (let start = 0; start < size; start += BATCH) {
        const chunks: ChunkRow[] = [];
        for (let i = start; i < Math.min(size, start + BATCH); i++) {
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
            vector: vector(),
          });
        }
        await store.write({ documents: [], chunks, removeKeys: [], mayExist: new Set() });
      }
      const insertSeconds = (performance.now() - insertStarted) / 1000;
      const indexStarted = performance.now();
      await store.commit();
      const indexSeconds = (performance.now() - indexStarted) / 1000;

      const queries = Array.from({ length: QUERIES }, () => ({
        text: `${word(r)} ${word(r)} ${word(r)}`,
        vector: vector(),
      }));
      for (const q of queries.slice(0, 10)) await store.search(q.text, { top: 10, vector: q.vector });
      const loadQueries = load();
      const hybrid: number[] = [];
      const lexical: number[] = [];
      for (const q of queries) {
        let t = performance.now();
        await store.search(q.text, { top: 10, vector: q.vector });
        hybrid.push(performance.now() - t);
        t = performance.now();
        await store.search(q.text, { top: 10 });
        lexical.push(performance.now() - t);
      }
      const filtered: number[] = [];
      for (const q of queries.slice(0, 50)) {
        const t = performance.now();
        await store.search(q.text, { top: 10, filter: { collection: 'c', types: ['md', 'pdf'] }, vector: q.vector });
        filtered.push(performance.now() - t);
      }
      await store.dispose();
      const recall =
        size >= ANN_THRESHOLD
          ? await annRecall(
              path,
              size,
              queries.slice(0, 20).map((q) => q.vector),
            )
          : 1;
      const row = {
        chunks: size,
        'insert s': +insertSeconds.toFixed(1),
        'index s': +indexSeconds.toFixed(1),
        'hybrid p50 ms': +percentile(hybrid, 50).toFixed(1),
        'hybrid p95 ms': +percentile(hybrid, 95).toFixed(1),
        'filtered hybrid p95 ms': +percentile(filtered, 95).toFixed(1),
        'full-text p50 ms': +percentile(lexical, 50).toFixed(1),
        'full-text p95 ms': +percentile(lexical, 95).toFixed(1),
        ann: size >= ANN_THRESHOLD ? 'IVF-PQ' : 'exact',
        'ANN recall@10': +recall.toFixed(3),
        'load (build, queries)': `${loadBefore}, ${loadQueries}`,
      };
      rows.push(row);
      console.log(row);
    });
  }
});
