import * as v from 'valibot';
import { call, event, namespace } from './define';
import { IdSchema, PathSchema, ProgressSchema } from './common';

export const ModelRoleSchema = v.picklist(['chat', 'embedding', 'reranker']);

export const InstalledModelSchema = v.object({
  file: v.string(),
  path: v.string(),
  bytes: v.number(),
  role: ModelRoleSchema,
  sha256: v.nullable(v.string()),
});

export const DownloadProgressSchema = v.object({
  id: IdSchema,
  file: v.string(),
  bytesPerSecond: v.number(),
  state: v.picklist(['running', 'verifying', 'done', 'failed', 'cancelled']),
  error: v.nullable(v.string()),
  progress: ProgressSchema,
});

/** Declared for the models issue; the engine answers NotImplementedError until it lands. */
export const modelsContract = namespace(
  {
    installed: call(v.strictObject({}), v.array(InstalledModelSchema), 'Models on this machine.'),
    import: call(
      v.strictObject({ path: PathSchema, role: ModelRoleSchema }),
      InstalledModelSchema,
      'Import a local GGUF file after checking its header.',
    ),
    remove: call(v.strictObject({ file: v.string() }), v.null(), 'Delete an installed model.'),
  },
  {
    downloadProgress: event(DownloadProgressSchema, 'Progress of a model download.'),
  },
);
