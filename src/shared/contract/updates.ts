import * as v from 'valibot';
import { call, event, namespace } from './define';

/**
 * Where updating stands. `off`: the user has not allowed update checks (or said no), so Hearth
 * makes no update request at all. `unavailable`: this copy cannot update itself (a development
 * build or the headless host). `ready`: downloaded, installed on the restart the user chooses.
 */
export const UpdateStateSchema = v.picklist([
  'off',
  'unavailable',
  'idle',
  'checking',
  'downloading',
  'ready',
  'error',
]);
export type UpdateState = v.InferOutput<typeof UpdateStateSchema>;

export const UpdateStatusSchema = v.object({
  state: UpdateStateSchema,
  currentVersion: v.string(),
  /** The newer version on offer (while downloading and when ready). */
  version: v.nullable(v.string()),
  /** What changed in it, as plain text from the release notes. */
  notes: v.nullable(v.string()),
  /** Download progress from 0 to 1 while downloading. */
  progress: v.nullable(v.number()),
  /** Why the last check failed, for the user. */
  message: v.nullable(v.string()),
  /** When Hearth last asked for updates (ms since the epoch). */
  checkedAt: v.nullable(v.number()),
});
export type UpdateStatus = v.InferOutput<typeof UpdateStatusSchema>;

export const updatesContract = namespace(
  {
    status: call(v.strictObject({}), UpdateStatusSchema, 'Where updating stands.'),
    check: call(
      v.strictObject({}),
      UpdateStatusSchema,
      'Check for a newer version now (only when the user allowed update checks).',
    ),
    restart: call(v.strictObject({}), v.null(), 'Restart into the downloaded update, now that the user chose to.'),
  },
  {
    status: event(UpdateStatusSchema, 'Updating moved on (checking, downloading, ready, off).'),
  },
  /** What these calls fail with, by name (beside the doors' own errors). */
  ['UpdatesOffError', 'NoUpdateReadyError', 'UpdatesUnavailableError'],
);
