import * as v from 'valibot';
import { call, event, namespace } from './define';

export const AppInfoSchema = v.object({
  name: v.string(),
  version: v.string(),
  platform: v.string(),
  arch: v.string(),
  dataDir: v.string(),
  /** Where the engine is reached from: the desktop app, or the headless host. */
  host: v.picklist(['desktop', 'headless']),
});
export type AppInfo = v.InferOutput<typeof AppInfoSchema>;

/** Something the user should know that is not an error of one call (a settings reset, say). */
export const NoticeSchema = v.object({
  id: v.string(),
  level: v.picklist(['info', 'warning', 'error']),
  message: v.string(),
  at: v.number(),
});
export type Notice = v.InferOutput<typeof NoticeSchema>;

export const appContract = namespace(
  {
    info: call(v.strictObject({}), AppInfoSchema, 'Name, version, platform and data folder.'),
    notices: call(v.strictObject({}), v.array(NoticeSchema), 'Notices raised since start.'),
    dismissNotice: call(v.strictObject({ id: v.string() }), v.null(), 'Dismiss one notice.'),
    pickFolder: call(
      v.strictObject({ title: v.pipe(v.string(), v.maxLength(200)) }),
      v.object({ path: v.nullable(v.string()) }),
      'Ask for a folder with the system dialog (app only; null when cancelled).',
    ),
  },
  {
    notice: event(NoticeSchema, 'A new notice for the user.'),
  },
  /** What these calls fail with, by name (beside the doors' own errors). */
  ['DesktopOnlyError'],
);
