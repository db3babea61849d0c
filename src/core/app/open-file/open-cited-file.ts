import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { openAction } from './executable-files';

/** How a host shows files: Electron's shell in the app, a viewer process headless. */
export interface FileOpener {
  /** Opens a document in its default viewer. */
  open(path: string): Promise<void>;
  /** Shows the file in its folder without opening it. */
  reveal(path: string): Promise<void>;
}

export interface OpenCitedFileOptions {
  /** Default: process.platform. */
  platform?: NodeJS.Platform;
}

/**
 * Opens a file the user asked for, unless it could run: programs and scripts are revealed in
 * their folder instead (see isExecutableFile). Throws if the file is gone or not a file.
 */
export async function openCitedFile(
  path: string,
  opener: FileOpener,
  options: OpenCitedFileOptions = {},
): Promise<'opened' | 'revealed'> {
  const platform = options.platform ?? process.platform;
  if (!isAbsolute(path)) throw new Error(`${path} is not an absolute path; Hearth opens only files it indexed.`);
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`${path} is not a file.`);
  if (openAction(path, { platform, mode: info.mode }) === 'reveal') {
    await opener.reveal(path);
    return 'revealed';
  }
  await opener.open(path);
  return 'opened';
}
