import type { AskScope } from '../../shared/contract/ask';
import type { Library, SearchOptions, SearchRanks } from '../library';
import type { RetrieveOptions, RetrievedChunk, Retriever } from './seams';

type LibraryFace = Pick<Library, 'search' | 'allChunks' | 'collections'>;
type ChunkRow = Awaited<ReturnType<Library['allChunks']>>[number];

function locationKey(path: string, page: number | null, lineStart: number | null): string {
  return `${path}\u0000${page ?? 0}\u0000${lineStart ?? 0}`;
}

/** One library search per part of the scope (the scope is their union). */
function scopeSearches(scope: AskScope | undefined): SearchOptions[] {
  if (!scope) return [{}];
  const parts: SearchOptions[] = [
    ...scope.collections.map((collection) => ({ collection })),
    ...scope.folders.map((pathPrefix) => ({ pathPrefix })),
    ...scope.files.map((pathPrefix) => ({ pathPrefix })),
  ];
  return parts.length > 0 ? parts : [{}];
}

/**
 * The Retriever seam on the library's public face: ranking comes from the library's own
 * hybrid search; full chunk text (hits carry only a snippet) comes from its chunk table,
 * cached until `invalidate` (call it on `library.changed`).
 */
export class LibraryRetriever implements Retriever {
  private _chunks: Promise<{ byLocation: Map<string, ChunkRow>; byPath: Map<string, ChunkRow[]> }> | null = null;

  constructor(private readonly _library: LibraryFace) {}

  invalidate(): void {
    this._chunks = null;
  }

  private _index() {
    this._chunks ??= this._library.allChunks().then((rows) => {
      const byLocation = new Map<string, ChunkRow>();
      const byPath = new Map<string, ChunkRow[]>();
      for (const row of rows) {
        byLocation.set(
          locationKey(row.path, row.page > 0 ? row.page : null, row.line_start > 0 ? row.line_start : null),
          row,
        );
        if (!byPath.has(row.path)) byPath.set(row.path, []);
        byPath.get(row.path)!.push(row);
      }
      for (const list of byPath.values()) list.sort((a, b) => a.ordinal - b.ordinal);
      return { byLocation, byPath };
    });
    return this._chunks;
  }

  private _toChunk(row: ChunkRow, fused: number, ranks?: SearchRanks): RetrievedChunk {
    let headingPath: string[] = [];
    try {
      const parsed: unknown = JSON.parse(row.heading || '[]');
      if (Array.isArray(parsed)) headingPath = parsed.filter((h): h is string => typeof h === 'string' && h !== '');
    } catch {
      headingPath = row.heading ? [row.heading] : [];
    }
    return {
      id: row.id,
      path: row.path,
      page: row.page > 0 ? row.page : null,
      pageKind: row.page > 0 ? ((row.page_kind || 'page') as RetrievedChunk['pageKind']) : null,
      lineStart: row.line_start > 0 ? row.line_start : null,
      lineEnd: row.line_end > 0 ? row.line_end : null,
      headingPath,
      text: row.text,
      scores: { lexical: null, lexicalRank: null, vector: null, vectorRank: null, ...ranks, fused },
    };
  }

  async search(query: string, options: RetrieveOptions): Promise<RetrievedChunk[]> {
    const runs = await Promise.all(
      scopeSearches(options.scope).map((part) =>
        this._library.search(query, { ...part, top: options.top, signal: options.signal }),
      ),
    );
    const hits = runs.flat().sort((a, b) => b.score - a.score);
    let index = await this._index();
    if (hits.some((hit) => !index.byLocation.has(locationKey(hit.path, hit.page, hit.lineStart ?? null)))) {
      this.invalidate();
      index = await this._index();
    }
    const seen = new Set<string>();
    const chunks: RetrievedChunk[] = [];
    for (const hit of hits) {
      const key = locationKey(hit.path, hit.page, hit.lineStart ?? null);
      const row = index.byLocation.get(key);
      if (seen.has(key) || !row) continue;
      seen.add(key);
      chunks.push(this._toChunk(row, hit.score, hit.ranks));
      if (chunks.length >= options.top) break;
    }
    return chunks;
  }

  async documentChunks(path: string): Promise<RetrievedChunk[]> {
    const index = await this._index();
    return (index.byPath.get(path) ?? []).map((row) => this._toChunk(row, 0));
  }

  async sampleChunks(count: number, options: { scope?: AskScope } = {}): Promise<RetrievedChunk[]> {
    const index = await this._index();
    const scope = options.scope;
    // Scopes name collections; chunk rows carry their ids.
    const named = new Set(scope?.collections ?? []);
    const ids = new Set(
      (await this._library.collections()).filter((c) => named.has(c.name) || named.has(c.id)).map((c) => c.id),
    );
    const rows = [...index.byPath.values()].flat().filter((row) => {
      if (!scope || scope.collections.length + scope.folders.length + scope.files.length === 0) return true;
      return (
        scope.files.includes(row.path) ||
        scope.folders.some((folder) => row.path.startsWith(folder.endsWith('/') ? folder : `${folder}/`)) ||
        ids.has(row.collection)
      );
    });
    const take = Math.min(count, rows.length);
    const step = rows.length / Math.max(1, take);
    return Array.from({ length: take }, (_, i) => this._toChunk(rows[Math.floor(i * step)]!, 0));
  }
}
