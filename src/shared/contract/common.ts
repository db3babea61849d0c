import * as v from 'valibot';

/** An id made by the engine (collections, conversations, downloads, jobs). */
export const IdSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(200));

/** An absolute or relative file-system path given by the user. */
export const PathSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));

/** Progress of one long operation; `total` is null while unknown. */
export const ProgressSchema = v.object({
  done: v.number(),
  total: v.nullable(v.number()),
  /** Seconds left, or null while unknown. */
  etaSeconds: v.nullable(v.number()),
});
