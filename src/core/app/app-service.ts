import { arch, platform } from 'node:process';
import type { AppInfo, Contract } from '../../shared/contract';
import type { ServiceOf } from '../../shared/contract/define';
import { DesktopOnlyError, type DesktopShell } from './desktop-shell';
import type { NoticeBoard } from './notice-board';

export interface AppServiceInit {
  version: string;
  dataDir: string;
  host: AppInfo['host'];
  notices: NoticeBoard;
  /** The desktop app's dialogs; absent headless. */
  desktop?: DesktopShell;
}

export function createAppService(init: AppServiceInit): ServiceOf<Contract['app']> {
  return {
    info: async () => ({
      name: 'Hearth',
      version: init.version,
      platform,
      arch,
      dataDir: init.dataDir,
      host: init.host,
    }),
    notices: async () => init.notices.list(),
    dismissNotice: async ({ id }) => {
      init.notices.dismiss(id);
      return null;
    },
    pickFolder: async ({ title }, context) => {
      // Only the app's own window may raise a dialog on the desktop, never a browser tab.
      if (!init.desktop || context.door !== 'ipc') throw new DesktopOnlyError('Choosing a folder with a dialog');
      return { path: await init.desktop.pickFolder({ title }) };
    },
  };
}
