import { utilityProcess } from 'electron';
import type { FromWorker, ToWorker } from '../core/network/worker/worker-messages';
import type { WorkerLauncher } from '../core/network/worker/worker-launcher';

/**
 * The app's network workers: Electron utility processes, since the RunAsNode fuse is off and
 * `child_process.fork` would start a second Hearth instead of Node. Same entry, arguments,
 * environment and folder as headless (see InferenceWorkerProcess).
 */
export const utilityWorker: WorkerLauncher = ({ entry, args, cwd, env }) => {
  const child = utilityProcess.fork(entry, [...args], {
    cwd,
    env,
    execArgv: [],
    stdio: ['ignore', 'ignore', 'inherit'],
    serviceName: 'Hearth network worker',
  });
  let exited = false;
  let exitCode: number | null = null;
  child.once('exit', (code) => {
    exited = true;
    exitCode = code;
  });
  return {
    send: (message: ToWorker) => child.postMessage(message),
    onMessage: (listener: (message: FromWorker) => void) => {
      child.on('message', listener);
      return () => void child.off('message', listener);
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
