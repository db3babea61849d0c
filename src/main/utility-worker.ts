import { utilityProcess } from 'electron';
import type { WorkerChannel, WorkerLauncher, WorkerLaunchOptions } from '../core/workers/worker-launcher';

/**
 * The app's workers (document readers, network jobs): Electron utility processes, since the
 * RunAsNode fuse is off and `child_process.fork` would start a second Hearth instead of Node.
 * Same entry, arguments, environment and folder as headless.
 */
export const utilityWorker: WorkerLauncher = <In, Out>({
  entry,
  args,
  cwd,
  env,
  execArgv,
  serviceName,
}: WorkerLaunchOptions): WorkerChannel<In, Out> => {
  const child = utilityProcess.fork(entry, [...args], {
    cwd,
    env,
    execArgv: [...(execArgv ?? [])],
    stdio: ['ignore', 'ignore', 'inherit'],
    serviceName: serviceName ?? 'Hearth worker',
  });
  let exited = false;
  let exitCode: number | null = null;
  child.once('exit', (code) => {
    exited = true;
    exitCode = code;
  });
  return {
    send: (message: In) => child.postMessage(message),
    onMessage: (listener: (message: Out) => void) => {
      const handler = (message: unknown) => listener(message as Out);
      child.on('message', handler);
      return () => void child.off('message', handler);
    },
    onExit: (listener) => {
      if (exited) listener(exitCode);
      else child.once('exit', (code) => listener(code));
    },
    get exited() {
      return exited;
    },
    stop: () => void child.kill(),
    kill: () => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    },
  };
};
