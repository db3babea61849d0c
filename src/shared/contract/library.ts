import * as v from 'valibot';
import { call, event, namespace } from './define';
import { IdSchema, PathSchema, ProgressSchema } from './common';

export const CollectionSchema = v.object({
  id: IdSchema,
  name: v.string(),
  sources: v.array(v.string()),
});

export const SearchHitSchema = v.object({
  path: v.string(),
  page: v.nullable(v.number()),
  score: v.number(),
  snippet: v.string(),
});

/** Declared for the library issue; the engine answers NotImplementedError until it lands. */
export const libraryContract = namespace(
  {
    collections: call(v.strictObject({}), v.array(CollectionSchema), 'Collections and their sources.'),
    addSource: call(
      v.strictObject({ collection: v.pipe(v.string(), v.minLength(1), v.maxLength(200)), path: PathSchema }),
      CollectionSchema,
      'Add a folder or file to a collection (created if new) and index it.',
    ),
    search: call(
      v.strictObject({
        query: v.pipe(v.string(), v.minLength(1), v.maxLength(2000)),
        collection: v.optional(v.string()),
        top: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100))),
      }),
      v.array(SearchHitSchema),
      'Hybrid search over the library.',
    ),
  },
  {
    progress: event(
      v.object({ collectionId: IdSchema, phase: v.string(), progress: ProgressSchema }),
      'Indexing progress of a collection.',
    ),
  },
);
