import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Embedder } from '../../src/core/library/embedder';
import { Library } from '../../src/core/library/library';
import { DEFAULT_SETTINGS, type Settings } from '../../src/shared/settings';
import { EVAL_MODELS_HINT, evalModels } from '../helpers/eval-models';
import { tempDir } from '../helpers/temp-dir';
import { averagePrecision, loadCranfield, ndcgAt, recallAt, writeCorpus, type Cranfield } from './cranfield';

/**
 * `npm run bench:retrieval`: Cranfield (1,400 abstracts, 225 queries) indexed one file per
 * document through the library's own ingestion path, every query through its own search,
 * scored with MAP, nDCG@10 and recall@10 beside a from-scratch BM25 over the same texts.
 *
 * With the real embedding model (all-MiniLM-L6-v2 from `npm run eval-models`) one run reports
 * BM25, the library's full text, vector-only and hybrid search, plus hybrid at other vector
 * weights (the tuning behind docs/RETRIEVAL.md). HEARTH_BENCH_CHUNKS="512/64,256/32" indexes
 * once per chunk size/overlap pair instead of only at the default settings;
 * HEARTH_BENCH_EMBED_MODEL=<file.gguf> measures another embedding model in MiniLM's place.
 */

const DEPTH = 100;
const WEIGHTS = [0.5, 1, 1.5, 2, 3];

const STOPWORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were what which with can do does how not any been be there their these those than into also such'.split(
    ' ',
  ),
);
const tokenize = (text: string) => (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((t) => !STOPWORDS.has(t));

/** Plain Okapi BM25 (k1 1.2, b 0.75), no stemming: the baseline. */
class Bm25 {
  private readonly _postings = new Map<string, Map<string, number>>();
  private readonly _lengths = new Map<string, number>();
  private readonly _avg: number;
  constructor(docs: { id: string; text: string }[]) {
    for (const doc of docs) {
      const terms = tokenize(doc.text);
      this._lengths.set(doc.id, terms.length);
      for (const term of terms) {
        const posting = this._postings.get(term) ?? new Map<string, number>();
        posting.set(doc.id, (posting.get(doc.id) ?? 0) + 1);
        this._postings.set(term, posting);
      }
    }
    this._avg = [...this._lengths.values()].reduce((a, b) => a + b, 0) / this._lengths.size;
  }
  search(query: string, top: number): string[] {
    const n = this._lengths.size;
    const scores = new Map<string, number>();
    for (const term of new Set(tokenize(query))) {
      const posting = this._postings.get(term);
      if (!posting) continue;
      const idf = Math.log(1 + (n - posting.size + 0.5) / (posting.size + 0.5));
      for (const [doc, tf] of posting) {
        const norm = tf + 1.2 * (1 - 0.75 + (0.75 * this._lengths.get(doc)!) / this._avg);
        scores.set(doc, (scores.get(doc) ?? 0) + (idf * tf * 2.2) / norm);
      }
    }
    return [...scores.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([d]) => d);
  }
}

/** Chunk sizes to index at: HEARTH_BENCH_CHUNKS "tokens/overlap,..." or the default settings. */
function chunkSettings(): Settings['library'][] {
  const spec = process.env.HEARTH_BENCH_CHUNKS;
  if (!spec) return [{ ...DEFAULT_SETTINGS.library }];
  return spec.split(',').map((pair) => {
    const [tokens, overlap] = pair.split('/').map(Number);
    return { ...DEFAULT_SETTINGS.library, chunkTokens: tokens!, chunkOverlap: overlap ?? 0 };
  });
}

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb || 1);
};

describe('retrieval on Cranfield', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let docs: Cranfield['docs'];
  let queries: Cranfield['queries'];
  let qrels: Cranfield['qrels'];
  const rows: Record<string, number | string>[] = [];

  beforeAll(async () => {
    dir = await tempDir('hearth-retrieval-');
    ({ docs, queries, qrels } = await loadCranfield());
    await writeCorpus(join(dir.path, 'cranfield'), docs);
  });

  afterAll(async () => {
    console.table(rows);
    await mkdir('bench-results', { recursive: true });
    await writeFile(
      'bench-results/retrieval.json',
      JSON.stringify({ date: new Date().toISOString(), queries: queries.length, rows }, null, 2),
    );
    await dir.cleanup();
  });

  const score = async (
    name: string,
    rank: (query: string, index: number) => Promise<string[]>,
    extra: Record<string, number | string> = {},
  ) => {
    let map = 0;
    let ndcg = 0;
    let recall = 0;
    const started = performance.now();
    for (let i = 0; i < queries.length; i++) {
      const judged = qrels.get(i + 1) ?? new Map<string, number>();
      const ranked = await rank(queries[i]!, i);
      map += averagePrecision(ranked, judged);
      ndcg += ndcgAt(ranked, judged, 10);
      recall += recallAt(ranked, judged, 10);
    }
    const n = queries.length;
    const row = {
      system: name,
      MAP: +(map / n).toFixed(4),
      'nDCG@10': +(ndcg / n).toFixed(4),
      'recall@10': +(recall / n).toFixed(4),
      'ms/query': +((performance.now() - started) / n).toFixed(2),
      ...extra,
    };
    rows.push(row);
    console.log(row);
    return row;
  };

  /** Chunk hits (or paths) to documents, best rank first. */
  const docsOf = (hits: { path: string }[]) =>
    [...new Set(hits.map((h) => /(\d+)\.txt$/.exec(h.path)![1]!))].slice(0, DEPTH);

  it('BM25 baseline (from scratch, same texts)', async () => {
    const bm25 = new Bm25(docs);
    await score('BM25 baseline', async (q) => bm25.search(q, DEPTH));
  });

  it('library, lexical (no embedding model)', async () => {
    const started = performance.now();
    const library = await Library.open({
      dir: join(dir.path, 'lexical'),
      settings: () => ({ ...DEFAULT_SETTINGS.library }),
      watch: false,
    });
    await library.addSource('cranfield', join(dir.path, 'cranfield'));
    await library.whenIdle();
    const indexSeconds = +((performance.now() - started) / 1000).toFixed(1);
    await score('library lexical', async (q) => docsOf(await library.search(q, { top: DEPTH })), {
      'index s': indexSeconds,
    });
    await library.dispose();
  });

  for (const settings of chunkSettings()) {
    const chunking = `${settings.chunkTokens}/${settings.chunkOverlap}`;
    it(`library with all-MiniLM-L6-v2, chunks ${chunking}: vector-only, hybrid, vector weights`, async (ctx) => {
      const model = process.env.HEARTH_BENCH_EMBED_MODEL || evalModels.embedding;
      if (!model) {
        console.warn(`all-MiniLM-L6-v2 is not cached; the real-model rows are skipped. ${EVAL_MODELS_HINT}`);
        ctx.skip();
        return;
      }
      const label = `${basename(model, '.gguf')}, ${chunking}`;
      const started = performance.now();
      const library = await Library.open({
        dir: join(dir.path, `minilm-${settings.chunkTokens}-${settings.chunkOverlap}`),
        settings: () => settings,
        embedModelPath: model,
        embedThreads: 1,
        watch: false,
      });
      await library.addSource('cranfield', join(dir.path, 'cranfield'));
      await library.whenIdle();
      const indexSeconds = +((performance.now() - started) / 1000).toFixed(1);
      const status = await library.status();
      const chunks = await library.allChunks();
      console.log(
        `indexed ${docs.length} abstracts as ${chunks.length} chunks (${chunking}) with ${status.embedModel?.name} ` +
          `(${status.embedModel?.dimension} dimensions, weak: ${status.embedModel?.weak}) on 1 thread in ${indexSeconds} s`,
      );

      // Vector-only: the same stored vectors, ranked exhaustively by cosine against the query
      // embedded by the product's own embedder (its worker, tokenizer and truncation).
      const embedder = await Embedder.create({ modelPath: model, threads: 1 });
      const queryVectors = await embedder.embed(queries);
      await embedder.dispose();
      const stored = chunks.map((c) => ({ path: c.path, vector: Array.from(c.vector as ArrayLike<number>) }));
      await score(
        `vector-only (${label})`,
        async (_q, i) =>
          docsOf(
            stored
              .map((c) => ({ path: c.path, s: cosine(queryVectors[i]!, c.vector) }))
              .sort((a, b) => b.s - a.s)
              .slice(0, DEPTH * 3),
          ),
        { 'index s': indexSeconds, chunks: chunks.length },
      );
      await score(`hybrid (${label}, product default)`, async (q) => docsOf(await library.search(q, { top: DEPTH })));
      for (const weight of WEIGHTS) {
        await score(`hybrid (${label}, vector weight ${weight})`, async (q) =>
          docsOf(await library.search(q, { top: DEPTH, vectorWeight: weight })),
        );
      }
      await library.dispose();
    });
  }
});
