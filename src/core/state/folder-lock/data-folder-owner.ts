import * as v from 'valibot';

/** What kind of Hearth holds a data folder; it decides whether a CLI command can reach it. */
export const OwnerKindSchema = v.picklist(['serve', 'desktop', 'node', 'cli']);
export type OwnerKind = v.InferOutput<typeof OwnerKindSchema>;

/** The lock file's content: who owns the folder, and where it can be reached. */
export const DataFolderOwnerSchema = v.object({
  pid: v.pipe(v.number(), v.integer(), v.minValue(1)),
  kind: OwnerKindSchema,
  /** The command that runs it, for messages (`hearth serve`, `hearth index`). */
  command: v.string(),
  /** The loopback port of its `/rpc` socket once it serves one; null when it serves none. */
  port: v.nullable(v.number()),
  /** When the owner started (ms since the epoch). */
  startedAt: v.number(),
  /** The owner's process start time as the OS reports it (Linux); tells a reused pid apart. */
  processStart: v.nullable(v.string()),
});
export type DataFolderOwner = v.InferOutput<typeof DataFolderOwnerSchema>;

/** The secret part, in its own 0600 file: what a same-user CLI needs to call the owner. */
export const OwnerAccessSchema = v.object({
  port: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65_535)),
  token: v.pipe(v.string(), v.regex(/^[0-9a-f]{16,128}$/)),
});
export type OwnerAccess = v.InferOutput<typeof OwnerAccessSchema>;
