import * as v from 'valibot';
import { call, event, namespace } from './define';
import { IdSchema, PathSchema, ProgressSchema } from './common';

export const ModelRoleSchema = v.picklist(['chat', 'embedding', 'reranker']);
export type ModelRole = v.InferOutput<typeof ModelRoleSchema>;

/** A file name inside the models folder: no separators, no parent references. */
export const ModelFileSchema = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(255),
  v.regex(/^(?!\.)[^/\\]+\.gguf$/i, 'must be a .gguf file name without folders'),
);

/**
 * Whether a model fits this machine: `gpu` (every layer on the GPU), `ram` (runs, partly or
 * wholly on the CPU), `too-large`. `basis` says where the numbers come from: `gguf` means
 * node-llama-cpp's insights read the file's metadata; `catalog` means the file is not on this
 * machine and the estimate comes from the catalog's recorded size.
 */
export const FitSchema = v.object({
  verdict: v.picklist(['gpu', 'ram', 'too-large']),
  basis: v.picklist(['gguf', 'catalog']),
  gpuLayers: v.number(),
  ramBytes: v.number(),
  vramBytes: v.number(),
  contextSize: v.number(),
});
export type Fit = v.InferOutput<typeof FitSchema>;

export const InstalledModelSchema = v.object({
  file: v.string(),
  path: v.string(),
  bytes: v.number(),
  role: ModelRoleSchema,
  sha256: v.nullable(v.string()),
  /** The catalog entry it came from, or null for imported files. */
  catalogId: v.nullable(v.string()),
  architecture: v.nullable(v.string()),
  contextLength: v.nullable(v.number()),
  hasChatTemplate: v.boolean(),
  fit: v.nullable(FitSchema),
  /**
   * How fast it writes here, tokens/s: measured on its first real answer, else estimated from its
   * size (core/models/speed-estimate.ts). Absent when neither is known.
   */
  speed: v.optional(v.object({ tokensPerSecond: v.number(), measured: v.boolean() })),
});
export type InstalledModel = v.InferOutput<typeof InstalledModelSchema>;

export const CatalogEntrySchema = v.object({
  id: v.string(),
  name: v.string(),
  role: ModelRoleSchema,
  description: v.string(),
  file: v.string(),
  url: v.string(),
  bytes: v.number(),
  /** Billions of parameters. */
  paramsB: v.number(),
  sha256: v.nullable(v.string()),
  license: v.string(),
  contextLength: v.number(),
});
export type CatalogEntry = v.InferOutput<typeof CatalogEntrySchema>;

/**
 * How fast a model would generate on this machine, estimated from memory bandwidth (tokens/s is
 * about bytes streamed per second divided by the model's size; core/models/speed-estimate.ts).
 */
export const SpeedEstimateSchema = v.object({
  tokensPerSecond: v.number(),
  /** Where it would run: wholly on the GPU, or on the CPU. */
  on: v.picklist(['gpu', 'cpu']),
  /** The bandwidth the estimate assumes for that, in bytes per second. */
  bytesPerSecond: v.number(),
});
export type SpeedEstimate = v.InferOutput<typeof SpeedEstimateSchema>;

export const CatalogItemSchema = v.object({
  ...CatalogEntrySchema.entries,
  installed: v.boolean(),
  fit: FitSchema,
  speed: SpeedEstimateSchema,
});
export type CatalogItem = v.InferOutput<typeof CatalogItemSchema>;

export const DownloadProgressSchema = v.object({
  id: IdSchema,
  catalogId: v.string(),
  file: v.string(),
  bytesPerSecond: v.number(),
  state: v.picklist(['running', 'verifying', 'done', 'failed', 'cancelled']),
  /** The failure, by name (DiskFullError, ChecksumMismatchError, ...) with a readable message. */
  error: v.nullable(v.object({ name: v.string(), message: v.string() })),
  progress: ProgressSchema,
});
export type DownloadProgress = v.InferOutput<typeof DownloadProgressSchema>;

export const HardwareSchema = v.object({
  gpu: v.union([v.string(), v.literal(false)]),
  cpuCores: v.number(),
  ramTotal: v.number(),
  ramFree: v.number(),
  vramTotal: v.number(),
  vramFree: v.number(),
});

export const FirstRunSchema = v.object({
  /** True when no chat model is installed: the UI shows the welcome. */
  needed: v.boolean(),
  /**
   * null: not checked, since Hearth makes no network request until the user asks for one;
   * false: the model host did not answer (checked by `setUp`), said plainly in the UI.
   */
  online: v.nullable(v.boolean()),
  chat: v.nullable(CatalogItemSchema),
  embedding: v.nullable(CatalogItemSchema),
  /** The figures the pick is based on, for the UI to show them. */
  machine: v.object({
    cpuCores: v.number(),
    gpu: v.union([v.string(), v.literal(false)]),
    vramTotal: v.number(),
    ramTotal: v.number(),
  }),
  /** Why the chat pick was chosen, in words ("about 12 tokens/s here: ..."). */
  reason: v.string(),
});
export type FirstRun = v.InferOutput<typeof FirstRunSchema>;

export const modelsContract = namespace(
  {
    hardware: call(v.strictObject({}), HardwareSchema, 'GPU, cores and memory Hearth sees.'),
    catalog: call(
      v.strictObject({}),
      v.array(CatalogItemSchema),
      'Curated models with a fit verdict for this machine.',
    ),
    installed: call(v.strictObject({}), v.array(InstalledModelSchema), 'Models on this machine.'),
    download: call(
      v.strictObject({ catalogId: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) }),
      v.object({ id: IdSchema }),
      'Start (or resume) downloading a catalog model; progress streams as `downloadProgress`.',
    ),
    cancelDownload: call(
      v.strictObject({ id: IdSchema }),
      v.null(),
      'Stop a download; its partial file is kept to resume.',
    ),
    downloads: call(v.strictObject({}), v.array(DownloadProgressSchema), 'Downloads of this session.'),
    import: call(
      v.strictObject({
        path: PathSchema,
        role: v.optional(ModelRoleSchema),
        /** Re-importing an installed file with another role is refused (ModelRoleChangeError) unless this is true. */
        changeRole: v.optional(v.boolean()),
      }),
      InstalledModelSchema,
      'Copy a local GGUF file into the models folder after checking it is complete; the first chat or embedding model is chosen.',
    ),
    remove: call(v.strictObject({ file: ModelFileSchema }), v.null(), 'Delete an installed model.'),
    firstRun: call(
      v.strictObject({}),
      FirstRunSchema,
      'What a new user needs: the best fitting chat and embedding models.',
    ),
    apiInfo: call(
      v.strictObject({}),
      v.object({ running: v.boolean(), baseUrl: v.nullable(v.string()), key: v.string() }),
      'The OpenAI-compatible local API: whether it runs, its address and key (turn it on in settings.api).',
    ),
    setUp: call(
      v.strictObject({}),
      v.object({ downloads: v.array(IdSchema) }),
      'Download the best fitting chat and embedding models and choose them when done; OfflineError when the model host cannot be reached.',
    ),
  },
  {
    downloadProgress: event(DownloadProgressSchema, 'Progress of a model download.'),
    changed: event(v.object({}), 'The installed models changed.'),
  },
  /** What these calls fail with, by name (beside the doors' own errors). */
  [
    'ModelNotInstalledError',
    'ModelRoleChangeError',
    'NoModelChosenError',
    'UnknownCatalogModelError',
    'DownloadFailedError',
    'ChecksumMismatchError',
    'InvalidModelFileError',
    'ModelTooLargeError',
    'DiskFullError',
    'OfflineError',
  ],
);
