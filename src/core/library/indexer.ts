import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { chunkBlocks, type TokenCounter } from './chunker';
import { LibraryFileError } from './errors';
import { fileType, type ExtractedDocument } from './extract';
import { documentKey, type ChunkRow, type DocumentRow } from './store';

export interface IndexFileOptions {
  collection: string;
  path: string;
  /** The document row from the last run, if any. */
  known?: DocumentRow;
  force: boolean;
  maxBytes: number;
  chunkTokens: number;
  overlapTokens: number;
  countTokens: TokenCounter;
  /** Reads the file's content (the library's worker pool; the bytes are handed over). */
  extract: (path: string, bytes: Uint8Array) => Promise<ExtractedDocument>;
}

export interface IndexedFile {
  document: DocumentRow;
  chunks: ChunkRow[];
  /** Same content as last time: only the document row changes. */
  unchanged: boolean;
}

function problemRow(
  options: IndexFileOptions,
  state: DocumentRow['state'],
  message: string,
  bytes = 0,
  mtime = 0,
): DocumentRow {
  return {
    key: documentKey(options.collection, options.path),
    collection: options.collection,
    path: options.path,
    type: fileType(options.path),
    bytes,
    mtime,
    hash: '',
    state,
    message,
    chunks: 0,
    indexed_at: Date.now(),
  };
}

function megabytes(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

/**
 * Reads, hashes, extracts and chunks one file. Never throws for a bad file: every failure
 * becomes a document row with a state and a message the user can act on.
 */
export async function indexFile(options: IndexFileOptions): Promise<IndexedFile> {
  const { path } = options;
  let bytes: Buffer;
  let mtime: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      return {
        document: problemRow(
          options,
          'skipped',
          info.isDirectory()
            ? 'This file was replaced by a folder; Hearth reads the files inside it at the next scan.'
            : 'This is not a regular file (a pipe, socket or device), so it cannot be read as a document.',
        ),
        chunks: [],
        unchanged: false,
      };
    }
    mtime = Math.floor(info.mtimeMs);
    if (info.size > options.maxBytes) {
      return {
        document: problemRow(
          options,
          'skipped',
          `This file is ${megabytes(info.size)}, above the ${megabytes(options.maxBytes)} limit; raise "Largest file" in Settings → Library to index it.`,
          info.size,
          mtime,
        ),
        chunks: [],
        unchanged: false,
      };
    }
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return {
        document: problemRow(options, 'skipped', 'This file was deleted or moved before Hearth could read it.'),
        chunks: [],
        unchanged: false,
      };
    }
    return {
      document: problemRow(
        options,
        'error',
        `Hearth cannot read this file (${code ?? String(error)}); check that your user may open it.`,
      ),
      chunks: [],
      unchanged: false,
    };
  }
  const hash = createHash('sha256').update(bytes).digest('hex');
  const base: DocumentRow = { ...problemRow(options, 'indexed', '', bytes.byteLength, mtime), hash };
  const known = options.known;
  if (!options.force && known && known.state === 'indexed' && known.hash === hash) {
    return { document: { ...known, mtime, indexed_at: known.indexed_at }, chunks: [], unchanged: true };
  }
  try {
    const doc = await options.extract(path, bytes);
    const chunks = chunkBlocks(doc.blocks, doc.pageKind, {
      chunkTokens: options.chunkTokens,
      overlapTokens: options.overlapTokens,
      countTokens: options.countTokens,
    });
    if (chunks.length === 0) {
      return {
        document: { ...base, type: doc.type, state: 'skipped', message: 'This file has no text to index.', hash },
        chunks: [],
        unchanged: false,
      };
    }
    const rows: ChunkRow[] = chunks.map((chunk, i) => ({
      id: `${base.key}#${i}`,
      key: base.key,
      collection: options.collection,
      path,
      type: extname(path).slice(1).toLowerCase() || doc.type,
      ordinal: i,
      page: chunk.page ?? 0,
      page_kind: chunk.pageKind ?? '',
      line_start: chunk.lineStart ?? 0,
      line_end: chunk.lineEnd ?? 0,
      heading: JSON.stringify(chunk.headingPath),
      text: chunk.text,
    }));
    return {
      document: { ...base, type: doc.type, chunks: rows.length, message: doc.note ?? '' },
      chunks: rows,
      unchanged: false,
    };
  } catch (error) {
    if (error instanceof LibraryFileError) {
      const state =
        error.reason === 'unsupported' || error.reason === 'binary' || error.reason === 'empty' ? 'skipped' : 'error';
      // A skipped file keeps the hash of what was read (binary, no text), so an unchanged one is not
      // read again; a failed one has none.
      return {
        document: { ...base, state, message: error.message, hash: state === 'skipped' ? hash : '' },
        chunks: [],
        unchanged: false,
      };
    }
    return {
      document: {
        ...base,
        state: 'error',
        message: `Hearth could not read this file (${error instanceof Error ? error.message : String(error)}); it may be damaged.`,
        hash: '',
      },
      chunks: [],
      unchanged: false,
    };
  }
}
