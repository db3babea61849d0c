import { fork } from 'node:child_process';
import type { FromWorker, ToWorker } from './worker-messages';

/** How a worker is started: the entry script, its arguments, and the little it may see. */
export interface WorkerLaunchOptions {
  entry: string;
  args: readonly string[];
  /** The worker's own empty temp folder. */
  cwd: string;
  /** The whole environment: see workerEnvironment. */
  env: Record<string, string>;
}

/** A running worker, whether a Node child process (headless) or an Electron utility process (app). */
export interface WorkerChannel {
  send(message: ToWorker): void;
  onMessage(listener: (message: FromWorker) => void): () => void;
  /** Called once, when the process has gone (exit code, or null if killed by a signal). */
  onExit(listener: (code: number | null) => void): void;
  readonly exited: boolean;
  /** Asks the process to end (SIGTERM or the platform's equivalent). */
  stop(): void;
  /** Ends it now (SIGKILL), for a worker that ignored stop(). */
  kill(): void;
}

/**
 * Starts worker processes. The desktop app supplies one built on Electron's utilityProcess
 * (src/main/utility-worker.ts), because its RunAsNode fuse is off; headless, it is forkWorker.
 */
export type WorkerLauncher = (options: WorkerLaunchOptions) => WorkerChannel;

/** Headless: a Node child process over Node IPC (structured clone). */
export const forkWorker: WorkerLauncher = ({ entry, args, cwd, env }) => {
  if (process.versions.electron) {
    // Inside Electron, fork would start a second app (the RunAsNode fuse is off): a door bug.
    throw new Error('The Hearth app must start network workers through its utility-process launcher.');
  }
  const child = fork(entry, [...args], {
    cwd,
    env,
    execArgv: [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  return {
    send: (message) => void child.send(message),
    onMessage: (listener) => {
      child.on('message', listener);
      return () => void child.off('message', listener);
    },
    onExit: (listener) => {
      if (exited) listener(child.exitCode);
      else child.once('exit', (code) => listener(code));
    },
    get exited() {
      return exited;
    },
    stop: () => void child.kill('SIGTERM'),
    kill: () => void child.kill('SIGKILL'),
  };
};
