import { createEngine, createLocalClient, defaultDataDir } from '../../core';
import type { LibraryOverrides } from '../../core/library';
import {
  DataFolderInUseError,
  DataFolderLock,
  describeOwner,
  findFolderOwner,
  type DataFolderOwner,
} from '../../core/state';
import type { HearthApi } from '../../shared/contract';
import { connectRemoteClient } from './remote-client';

/** A CLI command's way to Hearth: an engine of its own, or the one that owns the data folder. */
export interface HearthSession {
  readonly api: HearthApi;
  readonly dataDir: string;
  /** `here`: an engine in this process, which holds the folder's lock; `running`: the owner's, over its socket. */
  readonly where: 'here' | 'running';
  /** The process that owns the folder, when `where` is `running`. */
  readonly owner: DataFolderOwner | null;
  close(): Promise<void>;
}

export interface OpenHearthOptions {
  /** The command, for other processes' messages (`hearth index`). */
  command: string;
  /**
   * Set when this run cannot go through a running Hearth (an option that changes how the
   * engine opens): what to do instead, said when one runs.
   */
  needsOwnEngine?: string;
  /** How a one-shot engine opens the library (the CLI never watches folders). */
  library?: LibraryOverrides;
}

/**
 * One data folder, one owner. When a Hearth that serves a socket owns the folder, the command
 * talks to it through the contract, so what it does shows in the open UI and nothing is written
 * by two processes; when the owner serves no socket (the app, another one-shot command), the
 * command refuses and says what to do. Otherwise it locks the folder and runs an engine here.
 */
export async function openHearth(options: OpenHearthOptions): Promise<HearthSession> {
  const dataDir = defaultDataDir();
  const running = await findFolderOwner(dataDir);
  if (running) {
    // A server between taking the lock and opening its socket has no access file yet.
    const starting =
      !running.access && (running.owner.kind === 'serve' || running.owner.kind === 'node')
        ? 'It is still starting: run this again in a moment.'
        : undefined;
    if (!running.access || options.needsOwnEngine) {
      throw new DataFolderInUseError(dataDir, running.owner, options.needsOwnEngine ?? starting);
    }
    const remote = await connectRemoteClient(running.access).catch((error: unknown) => {
      throw new Error(
        `${describeOwner(running.owner)} owns the data folder ${dataDir} but did not answer ` +
          `(${error instanceof Error ? error.message : String(error)}). Stop it, or wait until it has started.`,
      );
    });
    return { api: remote.api, dataDir, where: 'running', owner: running.owner, close: remote.close };
  }

  const lock = await DataFolderLock.acquire(dataDir, { kind: 'cli', command: options.command });
  const releaseOnExit = () => lock.releaseSync();
  process.once('exit', releaseOnExit);
  const engine = await createEngine({ dataDir, host: 'headless' }).catch(async (error: unknown) => {
    await lock.release();
    throw error;
  });
  // A one-shot command never watches folders; the library opens on its first call.
  engine.library.configure({ watch: false, ...options.library });
  return {
    api: createLocalClient(engine),
    dataDir,
    where: 'here',
    owner: null,
    close: async () => {
      try {
        await engine.dispose();
      } finally {
        await lock.release();
        process.off('exit', releaseOnExit);
      }
    },
  };
}

/** Runs `use` with a session and always closes it. */
export async function withHearth<T>(
  options: OpenHearthOptions,
  use: (session: HearthSession) => Promise<T>,
): Promise<T> {
  const session = await openHearth(options);
  try {
    return await use(session);
  } finally {
    await session.close();
  }
}
