import { spawn as nodeSpawn, type SpawnOptions } from 'node:child_process';
import { posix, win32 } from 'node:path';
import { openCitedFile, type FileOpener } from './open-cited-file';

/** The part of `child_process.spawn` the viewer needs; tests pass a recorder. */
export type SpawnViewer = (
  command: string,
  args: readonly string[],
  options: SpawnOptions,
) => Pick<ReturnType<typeof nodeSpawn>, 'once' | 'unref'>;

export interface ViewerProcessOptions {
  /** Default: process.platform. */
  platform?: NodeJS.Platform;
  /** Default: node's spawn. */
  spawn?: SpawnViewer;
}

/**
 * The desktop's own "open this" program, run directly: never through a shell (`cmd /c start`
 * would read `&`, `|` or `^` in a file name as commands), with the path as one argument.
 */
export function viewerCommand(platform: NodeJS.Platform): string {
  if (platform === 'win32') return 'explorer.exe';
  if (platform === 'darwin') return 'open';
  return 'xdg-open';
}

/** Opens files headless (hearth serve, the CLI) by starting the system viewer, without a shell. */
export function viewerProcessOpener(options: ViewerProcessOptions = {}): FileOpener {
  const platform = options.platform ?? process.platform;
  const spawn = options.spawn ?? nodeSpawn;
  const dirname = platform === 'win32' ? win32.dirname : posix.dirname;
  const launch = (target: string) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(viewerCommand(platform), [target], { shell: false, detached: true, stdio: 'ignore' });
      child.once('error', reject);
      child.once('spawn', () => {
        child.unref();
        resolve();
      });
    });
  // Revealing is opening the containing folder: no viewer flag (explorer's `/select,`) to parse.
  return { open: launch, reveal: (path) => launch(dirname(path)) };
}

/** Hands a file to the desktop's default viewer (or its folder, for programs) without waiting. */
export async function openWithSystemViewer(path: string): Promise<void> {
  await openCitedFile(path, viewerProcessOpener());
}
