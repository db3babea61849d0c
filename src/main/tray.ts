import { existsSync } from 'node:fs';
import { app, Menu, nativeImage, Tray } from 'electron';

/**
 * A tray icon, so the user can always see that Hearth is running (it may be contributing
 * compute) and bring it back or quit it.
 */
export function createTray(iconPath: string, show: () => void): Tray | undefined {
  if (!existsSync(iconPath)) return undefined;
  const tray = new Tray(nativeImage.createFromPath(iconPath).resize({ width: 16, height: 16 }));
  tray.setToolTip('Hearth');
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Show Hearth', click: show },
      { type: 'separator' },
      { label: 'Quit Hearth', click: () => app.quit() },
    ]),
  );
  tray.on('click', show);
  return tray;
}
