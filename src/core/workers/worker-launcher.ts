import { fork } from 'node:child_process';

/** How a worker is started: the entry script, its arguments, and the little it may see. */
export interface WorkerLaunchOptions {
  entry: string;
  args: readonly string[];
  /** The worker's own folder (an empty temp folder for network workers). */
  cwd: string;
  /** The whole environment: see workerEnvironment. */
  env: Record<string, string>;
  /** Node options for the worker (a heap cap; tsx when the entry is TypeScript source). */
  execArgv?: readonly string[];
  /** What the OS task manager shows for it (Electron utility processes). */
  serviceName?: string;
}

/** A running worker, whether a Node child process (headless) or an Electron utility process (app). */
export interface WorkerChannel<In, Out> {
  send(message: In): void;
  onMessage(listener: (message: Out) => void): () => void;
  /** Called once, when the process has gone (exit code, or null if killed by a signal). */
  onExit(listener: (code: number | null) => void): void;
  readonly exited: boolean;
  /** Asks the process to end (SIGTERM or the platform's equivalent). */
  stop(): void;
  /** Ends it now (SIGKILL), for a worker that ignored stop(). */
  kill(): void;
}

/**
 * Starts worker processes. A process, not a thread: a worker that runs out of memory or
 * crashes in native code takes only itself down. The desktop app supplies one built on
 * Electron's utilityProcess (src/main/utility-worker.ts), because its RunAsNode fuse is off;
 * headless, it is forkWorker.
 */
export type WorkerLauncher = <In, Out>(options: WorkerLaunchOptions) => WorkerChannel<In, Out>;

/** Headless: a Node child process over Node IPC (structured clone). */
export const forkWorker: WorkerLauncher = <In, Out>({ entry, args, cwd, env, execArgv }: WorkerLaunchOptions) => {
  if (process.versions.electron) {
    // Inside Electron, fork would start a second app (the RunAsNode fuse is off): a door bug.
    throw new Error('The Hearth app must start workers through its utility-process launcher.');
  }
  const child = fork(entry, [...args], {
    cwd,
    env,
    execArgv: [...(execArgv ?? [])],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  const channel: WorkerChannel<In, Out> = {
    send: (message) => void child.send(message as object),
    onMessage: (listener) => {
      const handler = (message: unknown) => listener(message as Out);
      child.on('message', handler);
      return () => void child.off('message', handler);
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
  return channel;
};
