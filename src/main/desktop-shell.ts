import { BrowserWindow, dialog, shell } from 'electron';
import type { DesktopShell } from '../core';
import { openCitedFile } from '../core/app/open-file';

/** Electron's dialogs and shell for the engine, attached to the window the user is looking at. */
export function desktopShell(): DesktopShell {
  return {
    pickFolder: async ({ title }) => {
      const window = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
      const options = { title, properties: ['openDirectory' as const] };
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    openFile: async (path) => {
      // Programs and scripts are shown in their folder, never run (see isExecutableFile).
      await openCitedFile(path, {
        open: async (file) => {
          const failure = await shell.openPath(file);
          if (failure) throw new Error(failure);
        },
        reveal: async (file) => shell.showItemInFolder(file),
      });
    },
  };
}
