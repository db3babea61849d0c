import * as lancedb from '@lancedb/lancedb';
import type { AskScope } from '../../shared/contract/ask';
import { DisposedError, type Disposable } from '../disposable';
import type { RetrieveOptions, RetrievedChunk, Retriever } from './seams';

/** Turns texts into vectors (an embedding model); optional, the index works on full text alone. */
export interface Embedder {
  readonly dimension: number;
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<number[][]>;
}

export interface ChunkIndexOptions {
  /** Folder of the LanceDB database. */
  dir: string;
  /** Table name. Default `ask_chunks`. */
  table?: string;
  embedder?: Embedder | null;
  /** Target characters per chunk. Default 1200. */
  chunkChars?: number;
}

export interface IndexDocument {
  path: string;
  collection: string;
  /** The text of each page (PDF pages, slides); a single string for formats without pages. */
  pages: string[] | string;
  pageKind?: 'page' | 'slide' | 'sheet';
}

interface ChunkRow {
  id: string;
  path: string;
  collection: string;
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

const RRF_K = 60;

function sql(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A LanceDB filter for a scope; null when the scope is everything. */
export function scopeFilter(scope: AskScope | undefined): string | null {
  if (!scope) return null;
  const any: string[] = [];
  if (scope.collections.length > 0) any.push(`collection IN (${scope.collections.map(sql).join(', ')})`);
  for (const folder of scope.folders) {
    const prefix = folder.endsWith('/') ? folder : `${folder}/`;
    any.push(`starts_with(path, ${sql(prefix)})`);
  }
  if (scope.files.length > 0) any.push(`path IN (${scope.files.map(sql).join(', ')})`);
  return any.length > 0 ? any.map((clause) => `(${clause})`).join(' OR ') : null;
}

/** Line-aware chunks of one page: paragraphs joined up to `chunkChars`, line ranges kept. */
function chunkPage(
  text: string,
  chunkChars: number,
): { text: string; lineStart: number; lineEnd: number; heading: string }[] {
  const lines = text.split(/\r?\n/);
  const chunks: { text: string; lineStart: number; lineEnd: number; heading: string }[] = [];
  let buffer: string[] = [];
  let start = 1;
  let heading = '';
  let chunkHeading = '';
  const flush = (end: number) => {
    const body = buffer.join('\n').trim();
    if (body) chunks.push({ text: body, lineStart: start, lineEnd: end, heading: chunkHeading });
    buffer = [];
  };
  lines.forEach((line, i) => {
    const headingMatch = /^#{1,6}\s+(.+)/.exec(line);
    if (headingMatch) {
      flush(i);
      heading = headingMatch[1]!.trim();
    }
    if (buffer.length === 0) {
      start = i + 1;
      chunkHeading = heading;
    }
    buffer.push(line);
    const size = buffer.reduce((sum, l) => sum + l.length + 1, 0);
    if (size >= chunkChars && (line.trim() === '' || size >= chunkChars * 1.5)) flush(i + 1);
  });
  flush(lines.length);
  return chunks;
}

/**
 * A small LanceDB chunk store with full-text and vector search fused by reciprocal rank
 * fusion, implementing the Retriever seam. Ask uses it for its benchmark and tests on its own
 * tables; the library's index replaces it in the app.
 */
export class ChunkIndex implements Retriever, Disposable {
  private _disposed = false;
  private _table: lancedb.Table | null = null;
  private _ftsStale = false;

  private constructor(
    private readonly _db: lancedb.Connection,
    private readonly _options: ChunkIndexOptions,
  ) {}

  static async open(options: ChunkIndexOptions): Promise<ChunkIndex> {
    const db = await lancedb.connect(options.dir);
    const index = new ChunkIndex(db, options);
    const name = options.table ?? 'ask_chunks';
    if ((await db.tableNames()).includes(name)) index._table = await db.openTable(name);
    return index;
  }

  private _check(): void {
    if (this._disposed) throw new DisposedError('The chunk index');
  }

  /** Chunks and stores documents; call `commit` once after adding to (re)build the search index. */
  async add(documents: readonly IndexDocument[], options: { signal?: AbortSignal } = {}): Promise<number> {
    this._check();
    const rows: ChunkRow[] = [];
    for (const doc of documents) {
      const pages = typeof doc.pages === 'string' ? [doc.pages] : doc.pages;
      const paged = typeof doc.pages !== 'string';
      let ordinal = 0;
      pages.forEach((pageText, p) => {
        for (const chunk of chunkPage(pageText, this._options.chunkChars ?? 1200)) {
          rows.push({
            id: `${doc.path}#${ordinal}`,
            path: doc.path,
            collection: doc.collection,
            ordinal: ordinal++,
            page: paged ? p + 1 : 0,
            page_kind: paged ? (doc.pageKind ?? 'page') : '',
            line_start: chunk.lineStart,
            line_end: chunk.lineEnd,
            heading: chunk.heading,
            text: chunk.text,
          });
        }
      });
    }
    if (rows.length === 0) return 0;
    const embedder = this._options.embedder;
    if (embedder) {
      const vectors = await embedder.embed(
        rows.map((r) => r.text),
        options,
      );
      rows.forEach((row, i) => (row.vector = vectors[i]!));
    }
    if (this._table) await this._table.add(rows);
    else this._table = await this._db.createTable(this._options.table ?? 'ask_chunks', rows);
    this._ftsStale = true;
    return rows.length;
  }

  /** Rebuilds the full-text index after adds. */
  async commit(): Promise<void> {
    this._check();
    if (!this._table || !this._ftsStale) return;
    await this._table.createIndex('text', {
      config: lancedb.Index.fts({ stem: true, removeStopWords: true }),
      replace: true,
    });
    this._ftsStale = false;
  }

  private _toChunk(row: ChunkRow): RetrievedChunk {
    return {
      id: row.id,
      path: row.path,
      page: row.page > 0 ? row.page : null,
      pageKind: row.page > 0 ? (row.page_kind as RetrievedChunk['pageKind']) : null,
      lineStart: row.line_start,
      lineEnd: row.line_end,
      headingPath: row.heading ? [row.heading] : [],
      text: row.text,
      scores: { lexical: null, lexicalRank: null, vector: null, vectorRank: null, fused: 0 },
    };
  }

  /** Full text (BM25) only: the plain-search baseline. */
  async searchText(query: string, options: RetrieveOptions): Promise<RetrievedChunk[]> {
    this._check();
    if (!this._table) return [];
    await this.commit();
    const text = query.replace(/[^\p{L}\p{N}\s]/gu, ' ').trim();
    if (!text) return [];
    let q = this._table.query().fullTextSearch(text, { columns: ['text'] });
    const filter = scopeFilter(options.scope);
    if (filter) q = q.where(filter);
    const rows = (await q.limit(options.top).toArray()) as (ChunkRow & { _score: number })[];
    return rows.map((row, i) => {
      const chunk = this._toChunk(row);
      chunk.scores.lexical = row._score;
      chunk.scores.lexicalRank = i + 1;
      chunk.scores.fused = 1 / (RRF_K + i + 1);
      return chunk;
    });
  }

  async search(query: string, options: RetrieveOptions): Promise<RetrievedChunk[]> {
    this._check();
    if (!this._table) return [];
    const pool = Math.max(options.top * 2, 20);
    const lexical = await this.searchText(query, { ...options, top: pool });
    const embedder = this._options.embedder;
    if (!embedder) return lexical.slice(0, options.top);
    const [vector] = await embedder.embed([query], options);
    let q = this._table.query().nearestTo(vector!).distanceType('cosine');
    const filter = scopeFilter(options.scope);
    if (filter) q = q.where(filter);
    const rows = (await q.limit(pool).toArray()) as (ChunkRow & { _distance: number })[];
    const byId = new Map(lexical.map((chunk) => [chunk.id, chunk]));
    rows.forEach((row, i) => {
      const chunk = byId.get(row.id) ?? this._toChunk(row);
      chunk.scores.vector = 1 - row._distance;
      chunk.scores.vectorRank = i + 1;
      byId.set(row.id, chunk);
    });
    for (const chunk of byId.values()) {
      chunk.scores.fused =
        (chunk.scores.lexicalRank ? 1 / (RRF_K + chunk.scores.lexicalRank) : 0) +
        (chunk.scores.vectorRank ? 1 / (RRF_K + chunk.scores.vectorRank) : 0);
    }
    return [...byId.values()].sort((a, b) => b.scores.fused - a.scores.fused).slice(0, options.top);
  }

  async documentChunks(path: string): Promise<RetrievedChunk[]> {
    this._check();
    if (!this._table) return [];
    const rows = (await this._table
      .query()
      .where(`path = ${sql(path)}`)
      .toArray()) as ChunkRow[];
    return rows.sort((a, b) => a.ordinal - b.ordinal).map((row) => this._toChunk(row));
  }

  async sampleChunks(count: number, options: { scope?: AskScope } = {}): Promise<RetrievedChunk[]> {
    this._check();
    if (!this._table) return [];
    let q = this._table
      .query()
      .select([
        'id',
        'path',
        'collection',
        'ordinal',
        'page',
        'page_kind',
        'line_start',
        'line_end',
        'heading',
        'text',
      ]);
    const filter = scopeFilter(options.scope);
    if (filter) q = q.where(filter);
    const rows = ((await q.toArray()) as ChunkRow[]).sort((a, b) => a.id.localeCompare(b.id));
    const step = rows.length / Math.min(count, rows.length);
    return Array.from({ length: Math.min(count, rows.length) }, (_, i) => this._toChunk(rows[Math.floor(i * step)]!));
  }

  get disposed(): boolean {
    return this._disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    this._table?.close();
    this._db.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
