import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Library } from '../../src/core/library';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { tempDir } from '../helpers/temp-dir';
import { averagePrecision, loadCranfield, ndcgAt, recallAt, writeCorpus, type Cranfield } from './cranfield';

/**
 * `npm run bench:retrieval`: Cranfield (1,400 abstracts, 225 queries) indexed one file per
 * document through the library's own ingestion path, every query through its own search,
 * scored with MAP, nDCG@10 and recall@10 beside a from-scratch BM25 over the same texts.
 */

const STORIES = resolve('../shared/models/stories260K.gguf');
const DEPTH = 100;

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

  const score = (
    name: string,
    rank: (query: string) => Promise<string[]>,
    extra: Record<string, number | string> = {},
  ) =>
    (async () => {
      let map = 0;
      let ndcg = 0;
      let recall = 0;
      const started = performance.now();
      for (let i = 0; i < queries.length; i++) {
        const judged = qrels.get(i + 1) ?? new Map<string, number>();
        const ranked = await rank(queries[i]!);
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
    })();

  /** Chunk hits to documents, best rank first. */
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

  it('library, hybrid with stories260K (weak model: vectors stored, full text decides) and forced equal-weight RRF', async () => {
    const started = performance.now();
    const library = await Library.open({
      dir: join(dir.path, 'hybrid'),
      settings: () => ({ ...DEFAULT_SETTINGS.library }),
      embedModelPath: STORIES,
      watch: false,
    });
    await library.addSource('cranfield', join(dir.path, 'cranfield'));
    await library.whenIdle();
    const indexSeconds = +((performance.now() - started) / 1000).toFixed(1);
    await score(
      'library hybrid (stories260K, weighted RRF)',
      async (q) => docsOf(await library.search(q, { top: DEPTH })),
      { 'index s': indexSeconds },
    );
    await score('library hybrid (stories260K, naive equal RRF)', async (q) =>
      docsOf(await library.search(q, { top: DEPTH, vectorWeight: 1 })),
    );
    await library.dispose();
  });
});
