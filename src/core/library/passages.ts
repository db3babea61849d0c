import { resolve } from 'node:path';
import type { PageKind } from './extract/types';
import type { ChunkFilter, ChunkRow, SearchRanks } from './store';

/** One passage of the library: the chunk's id, its full text and where it stands in its file. */
export interface LibraryPassage {
  id: string;
  path: string;
  /** The collection's name. */
  collection: string;
  type: string;
  /** 1-based page, slide, sheet or chapter; null for formats without pages. */
  page: number | null;
  pageKind: PageKind | null;
  lineStart: number | null;
  lineEnd: number | null;
  headingPath: string[];
  text: string;
}

/**
 * One found passage and how the search ranked it: everything Ask and the CLI need, so nothing
 * is read again (or joined back by location) to find the passage.
 */
export interface LibraryHit extends LibraryPassage {
  /** The fused (reciprocal rank) score. */
  score: number;
  ranks: SearchRanks;
  /** About 240 characters of the text around the query's words. */
  snippet: string;
}

/** Where to look: any of these collections (ids or names), folders or files. Empty: the whole library. */
export interface LibraryScope {
  collections?: readonly string[];
  folders?: readonly string[];
  files?: readonly string[];
}

export interface SearchOptions {
  /** Only this collection (id or name). */
  collection?: string;
  /** Only this folder or file (absolute). */
  pathPrefix?: string;
  /** Only the union of these places; combined with the options above, all must hold. */
  scope?: LibraryScope;
  types?: string[];
  top?: number;
  /** Overrides the fusion weight of the vector ranking (benchmarks). */
  vectorWeight?: number;
  signal?: AbortSignal;
}

/** Finds a collection's id by id or name (throws a LibraryError for an unknown one). */
type CollectionId = (ref: string) => string;

/** A scope as one store filter: collections by id (names resolved), folders and files absolute. */
export function scopeFilter(scope: LibraryScope | undefined, idOf: CollectionId): ChunkFilter {
  if (!scope) return {};
  return {
    within: {
      collections: (scope.collections ?? []).map(idOf),
      folders: (scope.folders ?? []).map((folder) => resolve(folder)),
      files: (scope.files ?? []).map((file) => resolve(file)),
    },
  };
}

/** Search options as one store filter; every option given must hold. */
export function searchFilter(options: SearchOptions, idOf: CollectionId): ChunkFilter {
  const filter = scopeFilter(options.scope, idOf);
  if (options.collection) filter.collection = idOf(options.collection);
  if (options.pathPrefix) filter.folder = resolve(options.pathPrefix);
  if (options.types?.length) filter.types = options.types.map((t) => t.toLowerCase().replace(/^\./, ''));
  return filter;
}

/** A stored chunk as the passage the user sees, its collection by name. */
export function toPassage(row: ChunkRow, collectionName: string): LibraryPassage {
  const paged = row.page > 0;
  return {
    id: row.id,
    path: row.path,
    collection: collectionName,
    type: row.type,
    page: paged ? row.page : null,
    pageKind: paged ? ((row.page_kind || 'page') as PageKind) : null,
    lineStart: row.line_start > 0 ? row.line_start : null,
    lineEnd: row.line_end > 0 ? row.line_end : null,
    headingPath: parseHeading(row.heading),
    text: row.text,
  };
}

function parseHeading(heading: string): string[] {
  try {
    const parsed: unknown = JSON.parse(heading);
    return Array.isArray(parsed) ? parsed.filter((h): h is string => typeof h === 'string' && h !== '') : [];
  } catch {
    return [];
  }
}

/** About 240 characters around the densest run of query words. */
export function snippet(text: string, query: string, width = 240): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= width) return flat;
  const words = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [])];
  const lower = flat.toLowerCase();
  let best = 0;
  let bestScore = -1;
  for (let start = 0; start < flat.length; start += 40) {
    const window = lower.slice(start, start + width);
    const score = words.reduce((n, w) => n + (window.includes(w) ? 1 : 0), 0);
    if (score > bestScore) {
      bestScore = score;
      best = start;
    }
  }
  const start = best > 0 ? flat.lastIndexOf(' ', best) + 1 : 0;
  const body = flat.slice(start, start + width);
  return `${start > 0 ? '…' : ''}${body}${start + width < flat.length ? '…' : ''}`;
}
