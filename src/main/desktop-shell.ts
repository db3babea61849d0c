import { BrowserWindow, dialog } from 'electron';
import type { DesktopShell } from '../core';

/** Electron's dialogs for the engine, attached to the window the user is looking at. */
export function desktopShell(): DesktopShell {
  return {
    pickFolder: async ({ title }) => {
      const window = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
      const options = { title, properties: ['openDirectory' as const] };
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  };
}
