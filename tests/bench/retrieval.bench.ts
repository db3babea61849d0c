import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Library } from '../../src/core/library';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { tempDir } from '../helpers/temp-dir';

/**
 * `npm run bench:retrieval`: Cranfield (1,400 abstracts, 225 queries) indexed one file per
 * document through the library's own ingestion path, every query through its own search,
 * scored with MAP, nDCG@10 and recall@10 beside a from-scratch BM25 over the same texts.
 */

const CRANFIELD = resolve('../shared/datasets/cranfield');
const STORIES = resolve('../shared/models/stories260K.gguf');
const DEPTH = 100;

function parseSmart(raw: string): { id: string; fields: Map<string, string> }[] {
  return raw
    .split(/^\.I\s+/m)
    .slice(1)
    .map((block) => {
      const [idLine, ...rest] = block.split('\n');
      const fields = new Map<string, string>();
      let field = '';
      for (const line of rest) {
        const marker = /^\.([TABW])\s*$/.exec(line);
        if (marker) field = marker[1]!;
        else if (field) fields.set(field, `${fields.get(field) ?? ''}${line}\n`);
      }
      return { id: idLine!.trim(), fields };
    });
}

/** Cleverdon's codes: 1 (complete answer) = 4 ... 4 (minimum interest) = 1; others 0. */
const gain = (code: number) => (code >= 1 && code <= 4 ? 5 - code : 0);

function averagePrecision(ranked: string[], judged: Map<string, number>): number {
  const relevant = [...judged.values()].filter((g) => g > 0).length;
  if (relevant === 0) return 0;
  let hits = 0;
  let sum = 0;
  ranked.forEach((doc, i) => {
    if ((judged.get(doc) ?? 0) > 0) sum += ++hits / (i + 1);
  });
  return sum / relevant;
}

function ndcg10(ranked: string[], judged: Map<string, number>): number {
  const dcg = ranked.slice(0, 10).reduce((s, d, i) => s + (judged.get(d) ?? 0) / Math.log2(i + 2), 0);
  const ideal = [...judged.values()]
    .sort((a, b) => b - a)
    .slice(0, 10)
    .reduce((s, g, i) => s + g / Math.log2(i + 2), 0);
  return ideal > 0 ? dcg / ideal : 0;
}

function recall10(ranked: string[], judged: Map<string, number>): number {
  const relevant = [...judged.entries()].filter(([, g]) => g > 0).map(([d]) => d);
  if (relevant.length === 0) return 0;
  const top = new Set(ranked.slice(0, 10));
  return relevant.filter((d) => top.has(d)).length / relevant.length;
}

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
  let docs: { id: string; text: string }[];
  let queries: string[];
  const qrels = new Map<number, Map<string, number>>();
  const rows: Record<string, number | string>[] = [];

  beforeAll(async () => {
    dir = await tempDir('hearth-retrieval-');
    const corpus = join(dir.path, 'cranfield');
    await mkdir(corpus);
    docs = parseSmart(await readFile(`${CRANFIELD}/cran.all.1400`, 'latin1')).map(({ id, fields }) => ({
      id,
      text: `${(fields.get('T') ?? '').trim()}\n\n${(fields.get('W') ?? '').trim()}`,
    }));
    for (const doc of docs) await writeFile(join(corpus, `${doc.id}.txt`), doc.text);
    queries = parseSmart(await readFile(`${CRANFIELD}/cran.qry`, 'latin1')).map(({ fields }) =>
      (fields.get('W') ?? '').replace(/\s+/g, ' ').trim(),
    );
    for (const line of (await readFile(`${CRANFIELD}/cranqrel`, 'utf8')).split('\n')) {
      const [q, d, code] = line.trim().split(/\s+/).map(Number);
      if (!q || !d || code === undefined) continue;
      if (!qrels.has(q)) qrels.set(q, new Map());
      qrels.get(q)!.set(String(d), gain(code));
    }
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
        ndcg += ndcg10(ranked, judged);
        recall += recall10(ranked, judged);
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
