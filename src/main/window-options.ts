import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowOptionsInit {
  /** Absolute path of the built preload script. */
  preload: string;
  /** Window icon (Linux; macOS and Windows take it from the app bundle). */
  icon?: string;
  /** The window shows itself once the UI has painted, to avoid a white flash. */
  show?: boolean;
}

/**
 * The main window's options. Kept pure so a unit test can hold every security setting in
 * place: an isolated, sandboxed renderer without Node, which only reaches the engine through
 * the preload's contract API.
 */
export function mainWindowOptions(init: WindowOptionsInit): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 760,
    minHeight: 520,
    show: init.show ?? false,
    title: 'Hearth',
    backgroundColor: '#1b1a19',
    autoHideMenuBar: true,
    ...(init.icon ? { icon: init.icon } : {}),
    webPreferences: {
      preload: init.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: true,
    },
  };
}
