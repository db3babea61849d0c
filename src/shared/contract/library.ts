import * as v from 'valibot';
import { call, event, namespace } from './define';
import { IdSchema, PathSchema, ProgressSchema } from './common';

const NameSchema = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200));
/** A collection by id or by name. */
const CollectionRefSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(200));

/** What happened to one file: indexed, or why not. */
export const FileStateSchema = v.picklist(['indexed', 'error', 'skipped']);

export const CollectionSchema = v.object({
  id: IdSchema,
  name: v.string(),
  /** Folders and single files, absolute. */
  sources: v.array(v.string()),
  /** idle, queued or indexing, paused by the user. */
  state: v.picklist(['idle', 'indexing', 'paused']),
  files: v.number(),
  chunks: v.number(),
  errors: v.number(),
  /** Epoch milliseconds of the last finished run, or null. */
  indexedAt: v.nullable(v.number()),
});
export type Collection = v.InferOutput<typeof CollectionSchema>;

export const FileStatusSchema = v.object({
  path: v.string(),
  state: FileStateSchema,
  /** Why the file is not indexed, in words a user can act on; null when indexed. */
  message: v.nullable(v.string()),
  chunks: v.number(),
  bytes: v.number(),
});
export type FileStatus = v.InferOutput<typeof FileStatusSchema>;

/** Where a passage stood in each half of a hybrid search (null: that half did not find it). */
export const SearchRanksSchema = v.object({
  /** Full-text (BM25) score and 1-based rank. */
  lexical: v.nullable(v.number()),
  lexicalRank: v.nullable(v.number()),
  /** Vector similarity (1 = identical) and 1-based rank. */
  vector: v.nullable(v.number()),
  vectorRank: v.nullable(v.number()),
});

export const SearchHitSchema = v.object({
  /** The chunk's id: names this exact passage until its file is indexed again. */
  id: v.string(),
  path: v.string(),
  /** 1-based page, slide or sheet; null for formats without pages. */
  page: v.nullable(v.number()),
  /** The fused (reciprocal rank) score. */
  score: v.number(),
  ranks: SearchRanksSchema,
  /** The passage's full text; `snippet` is the part around the query's words. */
  text: v.string(),
  snippet: v.string(),
  collection: v.optional(v.string()),
  pageKind: v.optional(v.nullable(v.picklist(['page', 'slide', 'sheet', 'chapter']))),
  lineStart: v.optional(v.nullable(v.number())),
  lineEnd: v.optional(v.nullable(v.number())),
  headingPath: v.optional(v.array(v.string())),
  type: v.optional(v.string()),
});
export type SearchHit = v.InferOutput<typeof SearchHitSchema>;

export const LibraryStatusSchema = v.object({
  /** `lexical` when no embedding model is configured: full-text search only. */
  mode: v.picklist(['lexical', 'hybrid']),
  /** Why the mode is what it is, for the UI. */
  modeReason: v.string(),
  embedModel: v.nullable(v.object({ name: v.string(), dimension: v.number(), weak: v.boolean() })),
  collections: v.array(CollectionSchema),
  queue: v.object({ pending: v.number(), paused: v.boolean() }),
  /** Files that failed or were skipped (newest runs), with reasons. */
  problems: v.array(v.object({ collectionId: IdSchema, ...FileStatusSchema.entries })),
});
export type LibraryStatus = v.InferOutput<typeof LibraryStatusSchema>;

export const ProgressEventSchema = v.object({
  collectionId: IdSchema,
  phase: v.picklist(['scanning', 'indexing', 'embedding', 'finishing', 'idle', 'paused', 'cancelled']),
  progress: ProgressSchema,
  files: v.object({ done: v.number(), total: v.number() }),
  bytes: v.object({ done: v.number(), total: v.number() }),
  chunks: v.number(),
  errors: v.number(),
});
export type LibraryProgress = v.InferOutput<typeof ProgressEventSchema>;

/** A span of `text` in UTF-16 code units, end exclusive. */
export const TextRangeSchema = v.object({ start: v.number(), end: v.number() });
export type TextRange = v.InferOutput<typeof TextRangeSchema>;

/** A passage shown where it stands in its file: the text around it and where to highlight. */
export const PassageContextSchema = v.object({
  path: v.string(),
  /** The file's type by extension (pdf, docx, md, ...). */
  type: v.string(),
  page: v.nullable(v.number()),
  pageKind: v.nullable(v.picklist(['page', 'slide', 'sheet', 'chapter'])),
  /** The passage's page (or slide, sheet, chapter) in full; for formats without pages, the passages around it. */
  text: v.string(),
  /** Where the passage itself stands in `text`. */
  passage: TextRangeSchema,
  /** Where the given words occur in `text`, for highlighting. */
  matches: v.array(TextRangeSchema),
  /** Whether the file goes on before and after `text`. */
  moreBefore: v.boolean(),
  moreAfter: v.boolean(),
  /** A PDF's bytes (base64) for rendering its pages; null for other formats and for PDFs over the size limit. */
  pdf: v.nullable(v.string()),
});
export type PassageContext = v.InferOutput<typeof PassageContextSchema>;

const RefInput = v.strictObject({ collection: CollectionRefSchema });
const OptionalRefInput = v.strictObject({ collection: v.optional(CollectionRefSchema) });

export const libraryContract = namespace(
  {
    collections: call(v.strictObject({}), v.array(CollectionSchema), 'Collections and their sources.'),
    createCollection: call(v.strictObject({ name: NameSchema }), CollectionSchema, 'Create an empty collection.'),
    renameCollection: call(
      v.strictObject({ collection: CollectionRefSchema, name: NameSchema }),
      CollectionSchema,
      'Rename a collection.',
    ),
    removeCollection: call(RefInput, v.object({}), 'Remove a collection and its index (your files stay).'),
    addSource: call(
      v.strictObject({ collection: NameSchema, path: PathSchema }),
      CollectionSchema,
      'Add a folder or file to a collection (created if new) and index it in the background.',
    ),
    removeSource: call(
      v.strictObject({ collection: CollectionRefSchema, path: PathSchema }),
      CollectionSchema,
      'Stop indexing a folder or file and drop it from the index.',
    ),
    reindex: call(
      v.strictObject({ collection: CollectionRefSchema, force: v.optional(v.boolean()) }),
      CollectionSchema,
      'Look for changes now (force: read every file again).',
    ),
    pause: call(v.strictObject({}), v.object({}), 'Pause indexing; the queue is kept.'),
    resume: call(v.strictObject({}), v.object({}), 'Resume indexing.'),
    cancel: call(OptionalRefInput, v.object({}), 'Drop queued work (of one collection or all).'),
    files: call(
      v.strictObject({ collection: CollectionRefSchema, problemsOnly: v.optional(v.boolean()) }),
      v.array(FileStatusSchema),
      'Per-file status of a collection.',
    ),
    status: call(v.strictObject({}), LibraryStatusSchema, 'Search mode, collections, queue and problem files.'),
    search: call(
      v.strictObject({
        query: v.pipe(v.string(), v.minLength(1), v.maxLength(2000)),
        collection: v.optional(v.string()),
        /** Only files under this folder (absolute). */
        pathPrefix: v.optional(PathSchema),
        /** Only these types, by extension without the dot (pdf, docx, md, ...). */
        types: v.optional(v.array(v.pipe(v.string(), v.maxLength(20)))),
        top: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100))),
      }),
      v.array(SearchHitSchema),
      'Hybrid search over the library.',
    ),
    context: call(
      v.strictObject({
        /** An indexed file: only files inside the library's folders are read. */
        path: PathSchema,
        /** The passage (a search hit's or a source's chunk id); without it, the first passage on `page`. */
        chunkId: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200))),
        page: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
        /** Words to mark in the text (the query's matched words). */
        terms: v.optional(v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(100))), v.maxLength(50)), []),
      }),
      PassageContextSchema,
      'A passage in context: its page or the passages around it, with the passage and the words to highlight.',
    ),
  },
  {
    progress: event(ProgressEventSchema, 'Indexing progress of a collection: counts, bytes and ETA.'),
    changed: event(v.object({ collectionId: IdSchema }), 'A collection or its files changed.'),
  },
  /** What these calls fail with, by name (beside the doors' own errors). */
  ['LibraryError', 'LibraryFileError'],
);
