import './lance-threads';
import type * as lancedb from '@lancedb/lancedb';
import { DisposedError, type Disposable } from '../disposable';
import { LibraryError } from './errors';
import { chunkWhere, documentWhere, sql, type ChunkFilter, type DocumentFilter } from './store-filter';

export { chunkWhere, type ChunkFilter, type DocumentFilter } from './store-filter';

type Lance = typeof lancedb;
let lance: Promise<Lance> | null = null;

/**
 * LanceDB's native module, loaded on first use rather than at start: where it has no build
 * (LanceDB 0.31 ships none for Intel Macs) the rest of Hearth still runs, and the library says why
 * it cannot.
 */
function loadLance(): Promise<Lance> {
  lance ??= import('@lancedb/lancedb').catch((error: unknown) => {
    lance = null;
    throw new LibraryError(
      `The library's database (LanceDB) does not run on this computer (${process.platform}-${process.arch}), ` +
        `so folders cannot be indexed here; chat and the other features still work. ` +
        `Details: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  return lance;
}

/** One file the library has seen: indexed, or why not. */
export interface DocumentRow {
  key: string;
  collection: string;
  path: string;
  type: string;
  bytes: number;
  mtime: number;
  hash: string;
  state: 'indexed' | 'error' | 'skipped';
  message: string;
  chunks: number;
  indexed_at: number;
  [key: string]: unknown;
}

/** One searchable passage. Missing locations are 0 / '' because LanceDB infers the schema. */
export interface ChunkRow {
  id: string;
  key: string;
  collection: string;
  path: string;
  type: string;
  ordinal: number;
  page: number;
  page_kind: string;
  line_start: number;
  line_end: number;
  heading: string;
  text: string;
  vector?: number[];
  [key: string]: unknown;
}

export interface StoreBatch {
  /** Documents to write; their old chunks are replaced unless `keepChunks` lists their key. */
  documents: DocumentRow[];
  chunks: ChunkRow[];
  /** Keys whose row is rewritten without touching chunks (same content, new mtime). */
  keepChunks?: ReadonlySet<string>;
  /**
   * Keys that may already have chunks (known documents, or any key while replaying work left
   * by a crash); only these pay for a delete. Default: every document of the batch.
   */
  mayExist?: ReadonlySet<string>;
  /** Documents (and their chunks) to drop. */
  removeKeys: string[];
}

export interface StoreSearchOptions {
  top: number;
  /** Default: every chunk. */
  filter?: ChunkFilter;
  vector?: number[] | null;
  /** Weight of the vector ranking in reciprocal rank fusion; 0 leaves full-text order alone. Default 1. */
  vectorWeight?: number;
}

/** Where a chunk stood in each half of a hybrid search (null: that half did not find it). */
export interface SearchRanks {
  /** BM25 score and 1-based rank. */
  lexical: number | null;
  lexicalRank: number | null;
  /** Cosine similarity (1 = same direction) and 1-based rank. */
  vector: number | null;
  vectorRank: number | null;
}

export interface ScoredChunk extends ChunkRow {
  /** The fused (weighted reciprocal rank) score. */
  score: number;
  ranks: SearchRanks;
}

const RRF_K = 60;
/**
 * Rows from which an ANN (IVF-PQ) index is built for vectors; below it, exact search is fast
 * enough. At 10k chunks of 384 dimensions exact search measured p95 110 ms on 2 cores, the index
 * 16 ms at recall@10 0.945 (bench:query).
 */
export const ANN_THRESHOLD = 10_000;

/**
 * IVF-PQ settings for `rows` vectors of `dim` dimensions: about √rows partitions (LanceDB's
 * own rule, so a query probes a few hundred to a few thousand rows per partition), 8
 * dimensions per PQ sub-vector (SIMD-friendly; more accurate than 16, and a 384-dimension
 * model still compresses 32x), and k-means trained on 128 samples per partition for 20
 * rounds, which keeps a million-row build to minutes on two cores at no visible recall cost.
 */
export function annIndexOptions(rows: number, dim: number): lancedb.IvfPqOptions {
  return {
    numPartitions: Math.max(16, Math.round(Math.sqrt(rows))),
    numSubVectors: dim % 8 === 0 ? dim / 8 : dim % 4 === 0 ? dim / 4 : 1,
    distanceType: 'cosine',
    maxIterations: 20,
    sampleRate: 128,
  };
}

/**
 * Partitions a query visits: about 3% of them, at least 20. With refinement (re-ranking the
 * PQ candidates on full vectors) this keeps recall@10 near exact search's.
 */
export function annProbes(partitions: number): number {
  return Math.max(20, Math.ceil(partitions * 0.03));
}
const REFINE_FACTOR = 4;

/** Every chunk column a search result carries (all but the vector). */
const CHUNK_COLUMNS = [
  'id',
  'key',
  'collection',
  'path',
  'type',
  'ordinal',
  'page',
  'page_kind',
  'line_start',
  'line_end',
  'heading',
  'text',
];

interface RankedId {
  id: string;
  _rowid: bigint;
  _score?: number;
  _distance?: number;
}

/** The dimension of the `vector` column (a fixed-size list), or 0 when the table has none. */
function vectorDimension(schema: { fields: { name: string; type: unknown }[] }): number {
  const type = schema.fields.find((f) => f.name === 'vector')?.type as { listSize?: number } | undefined;
  return type?.listSize ?? 0;
}

function byId(rows: readonly ChunkRow[]): Map<string, ChunkRow> {
  return new Map(rows.map((row) => [row.id, row]));
}

export function documentKey(collection: string, path: string): string {
  return `${collection}:${path}`;
}

/** Words only: LanceDB's full-text parser rejects many punctuation characters. */
export function ftsQuery(query: string): string {
  return query
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The library's LanceDB tables for one generation (one embedding model): `documents` (one row
 * per file, with hash and status) and `chunks` (text, location, vector), with a full-text
 * index and, once large, an ANN vector index.
 */
export class LibraryStore implements Disposable {
  private _disposed = false;
  private _docs: lancedb.Table | null = null;
  private _chunks: lancedb.Table | null = null;
  private _ftsStale = false;
  private _ftsBuilt = false;
  /** Rows the vector index was trained on (0: none, search is exact). */
  private _annRows = 0;
  private _annPartitions = 0;
  private _committing: Promise<void> = Promise.resolve();
  private _adding: Promise<void> = Promise.resolve();

  private constructor(
    private readonly _lance: Lance,
    private readonly _db: lancedb.Connection,
    private readonly _suffix: string,
  ) {}

  static async open(dir: string, generation: number): Promise<LibraryStore> {
    const lance = await loadLance();
    const db = await lance.connect(dir);
    const store = new LibraryStore(lance, db, `g${generation}`);
    const names = await db.tableNames();
    if (names.includes(store._docsName)) store._docs = await db.openTable(store._docsName);
    if (names.includes(store._chunksName)) {
      store._chunks = await db.openTable(store._chunksName);
      const indices = await store._chunks.listIndices();
      store._ftsBuilt = indices.some((i) => i.columns.includes('text'));
      store._ftsStale = !store._ftsBuilt;
      const ann = indices.find((i) => i.columns.includes('vector'));
      if (ann) {
        store._annRows = ann.numIndexedRows || ANN_THRESHOLD;
        store._annPartitions = annIndexOptions(store._annRows, 8).numPartitions!;
      }
    }
    return store;
  }

  /** Generations that have tables in the folder, lowest first (to recover a lost index.json). */
  static async generations(dir: string): Promise<number[]> {
    const db = await (await loadLance()).connect(dir);
    const names = await db.tableNames();
    db.close();
    const found = new Set(names.flatMap((n) => /^(?:documents|chunks)_g(\d+)$/.exec(n)?.[1] ?? []).map(Number));
    return [...found].sort((x, y) => x - y);
  }

  /** Dimension of the stored vectors, or 0 when this generation has none (full text only, or empty). */
  async vectorDimension(): Promise<number> {
    this._check();
    return this._chunks ? vectorDimension(await this._chunks.schema()) : 0;
  }

  /** Drops a generation's tables (after a swap to a new embedding model). */
  static async drop(dir: string, generation: number): Promise<void> {
    const db = await (await loadLance()).connect(dir);
    for (const name of [`documents_g${generation}`, `chunks_g${generation}`]) {
      if ((await db.tableNames()).includes(name)) await db.dropTable(name);
    }
    db.close();
  }

  private get _docsName(): string {
    return `documents_${this._suffix}`;
  }
  private get _chunksName(): string {
    return `chunks_${this._suffix}`;
  }

  private _check(): void {
    if (this._disposed) throw new DisposedError('The library index');
  }

  async documents(filter?: DocumentFilter): Promise<DocumentRow[]> {
    this._check();
    if (!this._docs) return [];
    let q = this._docs.query();
    const where = documentWhere(filter);
    if (where) q = q.where(where);
    return (await q.toArray()) as DocumentRow[];
  }

  async chunkCount(filter?: ChunkFilter): Promise<number> {
    this._check();
    return this._chunks ? this._chunks.countRows(chunkWhere(filter) ?? undefined) : 0;
  }

  /** Every chunk of the filter (tests and re-embedding), in no particular order. */
  async chunks(filter?: ChunkFilter): Promise<ChunkRow[]> {
    this._check();
    if (!this._chunks) return [];
    let q = this._chunks.query();
    const where = chunkWhere(filter);
    if (where) q = q.where(where);
    return (await q.toArray()) as ChunkRow[];
  }

  /**
   * Writes one batch. Old rows of a re-read file are deleted before its new rows are added,
   * so replaying a batch after a crash leaves exactly one copy.
   */
  async write(batch: StoreBatch): Promise<void> {
    this._check();
    const replaced = batch.documents
      .map((d) => d.key)
      .filter((k) => !batch.keepChunks?.has(k) && (!batch.mayExist || batch.mayExist.has(k)));
    const dropChunks = [...replaced, ...batch.removeKeys];
    const dropDocs = [
      ...batch.documents.map((d) => d.key).filter((k) => !batch.mayExist || batch.mayExist.has(k)),
      ...batch.removeKeys,
    ];
    for (let i = 0; i < dropChunks.length && this._chunks; i += 500) {
      await this._chunks.delete(
        `key IN (${dropChunks
          .slice(i, i + 500)
          .map(sql)
          .join(', ')})`,
      );
      this._ftsStale = true;
    }
    if (batch.chunks.length > 0) {
      if (this._chunks) await this._chunks.add(batch.chunks);
      else this._chunks = await this._db.createTable(this._chunksName, batch.chunks);
      this._ftsStale = true;
    }
    for (let i = 0; i < dropDocs.length && this._docs; i += 500) {
      await this._docs.delete(
        `key IN (${dropDocs
          .slice(i, i + 500)
          .map(sql)
          .join(', ')})`,
      );
    }
    if (batch.documents.length > 0) {
      if (this._docs) await this._docs.add(batch.documents);
      else this._docs = await this._db.createTable(this._docsName, batch.documents);
    }
  }

  /**
   * Adds some chunks of one big file ahead of its document row; with `first`, the file's chunks
   * from the last run go first. The row itself comes later through write(), keeping these.
   */
  addChunks(key: string, chunks: ChunkRow[], first: boolean): Promise<void> {
    this._check();
    // Files read at once store their slices one after another: two first slices would both
    // create the table.
    const next = this._adding.then(async () => {
      if (first && this._chunks) await this._chunks.delete(`key = ${sql(key)}`);
      if (chunks.length === 0) return;
      if (this._chunks) await this._chunks.add(chunks);
      else this._chunks = await this._db.createTable(this._chunksName, chunks);
      this._ftsStale = true;
    });
    // The tail only orders writes; the caller gets the failure from `next`.
    this._adding = next.catch(() => undefined);
    return next;
  }

  /** Drops documents and chunks of a collection, or of a folder or file in it (a removed source or collection). */
  async remove(filter: Pick<DocumentFilter, 'collection' | 'folder'>): Promise<void> {
    this._check();
    const where = documentWhere(filter);
    if (!where) throw new LibraryError('Removing needs a collection or a folder; nothing was removed.');
    if (this._chunks) await this._chunks.delete(where);
    if (this._docs) await this._docs.delete(where);
    this._ftsStale = true;
  }

  /** Brings the search indexes up to date after a run: full text always, ANN once large. */
  commit(): Promise<void> {
    // Two index builds at once conflict in LanceDB; a search and a finishing run may both ask.
    const next = this._committing.then(() => this._commit());
    // The tail only orders commits; the caller gets the failure from `next`.
    this._committing = next.catch(() => undefined);
    return next;
  }

  private async _commit(): Promise<void> {
    this._check();
    if (!this._chunks || !this._ftsStale) return;
    // Built once; later rows are folded in by optimize() below, and until then LanceDB
    // searches unindexed rows directly, so edits are findable at once without a rebuild.
    if (!this._ftsBuilt) {
      await this._chunks.createIndex('text', {
        config: this._lance.Index.fts({ stem: true, removeStopWords: true }),
        replace: true,
      });
      this._ftsBuilt = true;
    }
    this._ftsStale = false;
    const rows = await this._chunks.countRows();
    const dim = vectorDimension(await this._chunks.schema());
    // Retrained when the table has doubled: partitions sized for a quarter of the rows would
    // each hold four times too many. Rows added in between are folded in by optimize().
    if (dim > 0 && rows >= ANN_THRESHOLD && rows >= this._annRows * 2) {
      const options = annIndexOptions(rows, dim);
      await this._chunks.createIndex('vector', { config: this._lance.Index.ivfPq(options), replace: true });
      this._annRows = rows;
      this._annPartitions = options.numPartitions!;
    }
    // Pruning old versions is housekeeping: the index is complete without it, and the next commit retries.
    await this._chunks.optimize({ cleanupOlderThan: new Date(Date.now() - 60_000) }).catch(() => undefined);
  }

  /**
   * Hybrid search: BM25 full text and (when a vector is given) nearest neighbours, fused by
   * weighted reciprocal rank fusion.
   */
  async search(query: string, options: StoreSearchOptions): Promise<ScoredChunk[]> {
    this._check();
    if (!this._chunks) return [];
    if (!this._ftsBuilt) await this.commit();
    const pool = Math.max(options.top * 3, 30);
    const text = ftsQuery(query);
    const chunks = this._chunks;
    const weight = options.vectorWeight ?? 1;
    const where = chunkWhere(options.filter);
    // Both rankings fetch only ids; the text and locations are read for the fused top rows
    // alone, which halves a query's cost at 100k chunks. The halves run side by side.
    const [lexical, semantic] = await Promise.all([
      (async () => {
        if (!text) return [];
        let q = chunks
          .query()
          .fullTextSearch(text, { columns: ['text'] })
          .select(['id', '_score'])
          .withRowId();
        if (where) q = q.where(where);
        return (await q.limit(pool).toArray()) as RankedId[];
      })(),
      (async () => {
        if (!options.vector || weight <= 0) return [];
        let q = chunks.query().nearestTo(options.vector).distanceType('cosine').select(['id', '_distance']).withRowId();
        if (where) q = q.where(where);
        if (this._annRows > 0) q = q.nprobes(annProbes(this._annPartitions)).refineFactor(REFINE_FACTOR);
        return (await q.limit(pool).toArray()) as RankedId[];
      })(),
    ]);
    const fused = new Map<string, { rowId: bigint; score: number; ranks: SearchRanks }>();
    const entry = (row: RankedId) => {
      let hit = fused.get(row.id);
      if (!hit) {
        hit = {
          rowId: row._rowid,
          score: 0,
          ranks: { lexical: null, lexicalRank: null, vector: null, vectorRank: null },
        };
        fused.set(row.id, hit);
      }
      return hit;
    };
    lexical.forEach((row, i) => {
      const hit = entry(row);
      hit.score += 1 / (RRF_K + i + 1);
      hit.ranks.lexical = row._score ?? null;
      hit.ranks.lexicalRank = i + 1;
    });
    semantic.forEach((row, i) => {
      const hit = entry(row);
      hit.score += weight / (RRF_K + i + 1);
      hit.ranks.vector = row._distance === undefined ? null : 1 - row._distance;
      hit.ranks.vectorRank = i + 1;
    });
    const best = [...fused].sort((a, b) => b[1].score - a[1].score).slice(0, options.top);
    const rows = await this._rows(best.map(([id, { rowId }]) => [id, rowId]));
    return best.flatMap(([id, { score, ranks }]) => {
      const row = rows.get(id);
      return row ? [{ ...row, score, ranks }] : [];
    });
  }

  /**
   * The chunks behind ranked ids. By row id (a direct read); a commit that compacted the table
   * in between moves rows, so then by id.
   */
  private async _rows(wanted: [string, bigint][]): Promise<Map<string, ChunkRow>> {
    if (!this._chunks || wanted.length === 0) return new Map();
    try {
      const rows = byId(
        (await this._chunks
          .takeRowIds(wanted.map(([, rowId]) => rowId))
          .select(CHUNK_COLUMNS)
          .toArray()) as ChunkRow[],
      );
      if (wanted.every(([id]) => rows.has(id))) return rows;
    } catch {
      // Row ids from before a compaction: read by id below.
    }
    return this._byIds(wanted.map(([id]) => id));
  }

  private async _byIds(ids: readonly string[]): Promise<Map<string, ChunkRow>> {
    const rows = new Map<string, ChunkRow>();
    for (let i = 0; i < ids.length && this._chunks; i += 500) {
      const part = (await this._chunks
        .query()
        .where(
          `id IN (${ids
            .slice(i, i + 500)
            .map(sql)
            .join(', ')})`,
        )
        .select(CHUNK_COLUMNS)
        .toArray()) as ChunkRow[];
      for (const row of part) rows.set(row.id, row);
    }
    return rows;
  }

  /**
   * Every chunk of one file in reading order, without vectors. A file in two collections is
   * indexed twice; one copy is enough to read it, so the first collection's is returned.
   */
  async documentChunks(path: string, filter?: ChunkFilter): Promise<ChunkRow[]> {
    this._check();
    if (!this._chunks) return [];
    const where = chunkWhere({ ...filter, within: { files: [path] } })!;
    const rows = (await this._chunks.query().where(where).select(CHUNK_COLUMNS).toArray()) as ChunkRow[];
    const key = rows.map((row) => row.key).sort()[0];
    return rows.filter((row) => row.key === key).sort((a, b) => a.ordinal - b.ordinal);
  }

  /**
   * Up to `count` chunks spread evenly over the filter (in file and reading order), without
   * vectors: only ids are read for the whole filter, text for the picked chunks alone.
   */
  async sampleChunks(count: number, filter?: ChunkFilter): Promise<ChunkRow[]> {
    this._check();
    if (!this._chunks || count <= 0) return [];
    let q = this._chunks.query().select(['id', 'key', 'ordinal']);
    const where = chunkWhere(filter);
    if (where) q = q.where(where);
    const ids = ((await q.toArray()) as Pick<ChunkRow, 'id' | 'key' | 'ordinal'>[]).sort((a, b) =>
      a.key < b.key ? -1 : a.key > b.key ? 1 : a.ordinal - b.ordinal,
    );
    const take = Math.min(count, ids.length);
    const step = ids.length / Math.max(1, take);
    const picked = Array.from({ length: take }, (_, i) => ids[Math.floor(i * step)]!.id);
    const rows = await this._byIds(picked);
    return picked.flatMap((id) => rows.get(id) ?? []);
  }

  get disposed(): boolean {
    return this._disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    this._docs?.close();
    this._chunks?.close();
    this._db.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
