import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The data folder of the app, `hearth serve` and the CLI alike: `HEARTH_HOME` when set, else the
 * OS convention. One folder for all of them is what lets the folder lock keep a single owner.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.HEARTH_HOME) return env.HEARTH_HOME;
  const home = homedir();
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Hearth');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Hearth');
  return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'hearth');
}

/** Installed GGUF files live here, by file name; settings refer to them by that name. */
export function modelsDir(dataDir: string): string {
  return join(dataDir, 'models');
}
