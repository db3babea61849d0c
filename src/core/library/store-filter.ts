import { sep } from 'node:path';

/**
 * Which rows a read or a removal may touch. Each field narrows the one before; the lists of
 * `within` are a union (a scope of collections, folders and files). Values are escaped here, so
 * nothing outside the store writes a LanceDB filter string.
 */
export interface ChunkFilter {
  /** Only this collection (by id). */
  collection?: string;
  /** Only this file, or this folder and everything below it (absolute). */
  folder?: string;
  /** Only chunks in any of these collections (ids), folders (absolute) or files (absolute); empty lists: anywhere. */
  within?: { collections?: readonly string[]; folders?: readonly string[]; files?: readonly string[] };
  /** Only these file types: extensions without the dot, lower case. */
  types?: readonly string[];
}

/** Which document rows (one per file) a read or a removal may touch; see ChunkFilter. */
export interface DocumentFilter extends Pick<ChunkFilter, 'collection' | 'folder'> {
  /** Only these documents (documentKey of collection and path). */
  keys?: readonly string[];
  /** Only files that are not indexed: errors, skipped and empty files. */
  problems?: boolean;
}

/** A string as a LanceDB (DataFusion SQL) literal. */
export function sql(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A folder without its trailing separators ("/" stays "/"). */
function folderPath(folder: string): string {
  const trimmed = folder.replace(/[\\/]+$/, '');
  return trimmed === '' ? folder.slice(0, 1) : trimmed;
}

/** A file, or a folder and everything below it: "/a/b" takes /a/b/c.md but not /a/bc.md. */
function inFolder(folder: string): string {
  const path = folderPath(folder);
  const below = path.endsWith(sep) ? path : path + sep;
  return `path = ${sql(path)} OR starts_with(path, ${sql(below)})`;
}

/** Clauses and-ed together, each in parentheses when there is more than one; null for none. */
function allOf(clauses: string[]): string | null {
  if (clauses.length === 0) return null;
  return clauses.length === 1 ? clauses[0]! : clauses.map((c) => `(${c})`).join(' AND ');
}

/** The LanceDB filter for a ChunkFilter, or null for every chunk. */
export function chunkWhere(filter: ChunkFilter | undefined): string | null {
  if (!filter) return null;
  const clauses: string[] = [];
  if (filter.collection !== undefined) clauses.push(`collection = ${sql(filter.collection)}`);
  if (filter.folder !== undefined) clauses.push(inFolder(filter.folder));
  const within = filter.within ?? {};
  const places: string[] = [];
  if (within.collections?.length) places.push(`collection IN (${within.collections.map(sql).join(', ')})`);
  if (within.files?.length) places.push(`path IN (${within.files.map(sql).join(', ')})`);
  for (const folder of within.folders ?? []) places.push(inFolder(folder));
  if (places.length > 0) clauses.push(places.length === 1 ? places[0]! : places.map((p) => `(${p})`).join(' OR '));
  if (filter.types?.length) clauses.push(`type IN (${filter.types.map(sql).join(', ')})`);
  return allOf(clauses);
}

/** The LanceDB filter for a DocumentFilter (also valid on chunks, which carry the same columns but `state`). */
export function documentWhere(filter: DocumentFilter | undefined): string | null {
  if (!filter) return null;
  const clauses: string[] = [];
  if (filter.collection !== undefined) clauses.push(`collection = ${sql(filter.collection)}`);
  if (filter.folder !== undefined) clauses.push(inFolder(filter.folder));
  if (filter.keys) clauses.push(filter.keys.length > 0 ? `key IN (${filter.keys.map(sql).join(', ')})` : 'false');
  if (filter.problems) clauses.push("state != 'indexed'");
  return allOf(clauses);
}
