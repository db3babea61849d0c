import electronUpdater, { type AppUpdater, type ProgressInfo } from 'electron-updater';
import { releaseNotesText, type UpdateFeed } from '../core/updates';

/**
 * The release feed behind the engine's UpdateService: electron-updater reading the
 * `app-update.yml` electron-builder wrote (GitHub releases). It never downloads or installs on
 * its own; the engine asks it to, and only after the user allowed update checks. Kept free of
 * `electron` imports so tests can drive it with a real AppUpdater against a local feed.
 */
export function createUpdateFeed(updater: AppUpdater = electronUpdater.autoUpdater): UpdateFeed {
  updater.autoDownload = false;
  // Installing waits for the restart the user chooses, not for any quit.
  updater.autoInstallOnAppQuit = false;
  updater.autoRunAppAfterInstall = true;
  updater.logger = null;
  return {
    async check() {
      const result = await updater.checkForUpdates();
      if (!result?.isUpdateAvailable) return null;
      return { version: result.updateInfo.version, notes: releaseNotesText(result.updateInfo.releaseNotes) };
    },
    async download(onProgress) {
      const listener = (progress: ProgressInfo) => onProgress(progress.percent / 100);
      updater.on('download-progress', listener);
      try {
        await updater.downloadUpdate();
      } finally {
        updater.off('download-progress', listener);
      }
    },
    install() {
      updater.quitAndInstall(false, true);
    },
  };
}
