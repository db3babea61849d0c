import { arch, platform } from 'node:process';
import type { AppInfo, Contract } from '../../shared/contract';
import type { ServiceOf } from '../../shared/contract/define';
import type { NoticeBoard } from './notice-board';

export interface AppServiceInit {
  version: string;
  dataDir: string;
  host: AppInfo['host'];
  notices: NoticeBoard;
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
  };
}
