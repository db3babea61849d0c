import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { Chunker, type Chunk, type TokenCounter } from './chunker';
import { LibraryFileError } from './errors';
import { fileType, type ExtractedDocument } from './extract';
import type { OnExtractPart } from './extract/extract-pool';
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
  /**
   * Reads the file's content (the library's reader pool, which reads the file itself), handing
   * a big document's blocks to `onPart` as they come.
   */
  extract: (path: string, size: number, onPart: OnExtractPart) => Promise<ExtractedDocument>;
  /**
   * Stores chunks of a big file before the file is finished (`first`: its first ones, so the
   * last run's chunks go), so no more than `sliceChunks` of its chunks are held at once. Without
   * it, all chunks are returned.
   */
  writeChunks?: (rows: ChunkRow[], first: boolean) => Promise<void>;
  /** Chunks held before they go to writeChunks. Default 256. */
  sliceChunks?: number;
}

export interface IndexedFile {
  document: DocumentRow;
  /** The chunks not yet stored (all of them without writeChunks). */
  chunks: ChunkRow[];
  /** Chunks already given to writeChunks; the document row must keep them (or drop them if it failed). */
  written: number;
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
  let size: number;
  let hash: string;
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
        written: 0,
        unchanged: false,
      };
    }
    mtime = Math.floor(info.mtimeMs);
    if (info.size > options.maxBytes) {
      return {
        document: problemRow(
          options,
          'skipped',
          `This file is ${megabytes(info.size)}, above the ${megabytes(options.maxBytes)} limit; raise "Largest file (MB)" on the Settings page, under Library, to index it.`,
          info.size,
          mtime,
        ),
        chunks: [],
        written: 0,
        unchanged: false,
      };
    }
    size = info.size;
    // Hashed as a stream: the engine never holds the file's bytes; the reader reads it itself.
    hash = await hashFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return {
        document: problemRow(options, 'skipped', 'This file was deleted or moved before Hearth could read it.'),
        chunks: [],
        written: 0,
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
      written: 0,
      unchanged: false,
    };
  }
  const base: DocumentRow = { ...problemRow(options, 'indexed', '', size, mtime), hash };
  const known = options.known;
  if (!options.force && known && known.state === 'indexed' && known.hash === hash) {
    return { document: { ...known, mtime, indexed_at: known.indexed_at }, chunks: [], written: 0, unchanged: true };
  }
  let chunker: Chunker | null = null;
  let rows: ChunkRow[] = [];
  let ordinal = 0;
  let written = 0;
  const slice = options.sliceChunks ?? 256;
  /** Chunks the blocks; finished chunks become rows. */
  const take = (type: string, pageKind: ExtractedDocument['pageKind'], blocks: ExtractedDocument['blocks']) => {
    chunker ??= new Chunker(pageKind, {
      chunkTokens: options.chunkTokens,
      overlapTokens: options.overlapTokens,
      countTokens: options.countTokens,
    });
    for (const block of blocks) chunker.add(block);
    for (const chunk of chunker.take()) rows.push(chunkRow(options, base.key, type, ordinal++, chunk));
  };
  try {
    const doc = await options.extract(path, size, async (part) => {
      take(part.type, part.pageKind, part.blocks);
      if (!options.writeChunks || rows.length < slice) return;
      const out = rows;
      rows = [];
      await options.writeChunks(out, written === 0);
      written += out.length;
    });
    take(doc.type, doc.pageKind, doc.blocks);
    chunker!.end();
    take(doc.type, doc.pageKind, []);
    if (ordinal === 0) {
      return {
        document: { ...base, type: doc.type, state: 'skipped', message: 'This file has no text to index.', hash },
        chunks: [],
        written,
        unchanged: false,
      };
    }
    return {
      document: { ...base, type: doc.type, chunks: ordinal, message: doc.note ?? '' },
      chunks: rows,
      written,
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
        written,
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
      written,
      unchanged: false,
    };
  }
}

function chunkRow(options: IndexFileOptions, key: string, type: string, ordinal: number, chunk: Chunk): ChunkRow {
  return {
    id: `${key}#${ordinal}`,
    key,
    collection: options.collection,
    path: options.path,
    type: extname(options.path).slice(1).toLowerCase() || type,
    ordinal,
    page: chunk.page ?? 0,
    page_kind: chunk.pageKind ?? '',
    line_start: chunk.lineStart ?? 0,
    line_end: chunk.lineEnd ?? 0,
    heading: JSON.stringify(chunk.headingPath),
    text: chunk.text,
  };
}

/** The file's SHA-256, read in slices. */
function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (data) => hash.update(data))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
