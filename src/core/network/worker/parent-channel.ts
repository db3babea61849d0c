import type { FromWorker, ToWorker } from './worker-messages';

/** Electron's port to the main process, present in a utility process (typed here: core never imports electron). */
interface ParentPort {
  on(event: 'message', listener: (event: { data: ToWorker }) => void): void;
  postMessage(message: FromWorker): void;
}

/** The worker's side of WorkerChannel: Electron's parentPort in the app, Node IPC headless. */
export interface ParentChannel {
  send(message: FromWorker): void;
  onMessage(listener: (message: ToWorker) => void): void;
}

export function parentChannel(): ParentChannel {
  const port = (process as { parentPort?: ParentPort }).parentPort;
  if (port) {
    // Electron ends utility processes with the app, so there is no disconnect to watch.
    return { send: (message) => port.postMessage(message), onMessage: (l) => port.on('message', (e) => l(e.data)) };
  }
  // The provider going away takes the worker with it.
  process.on('disconnect', () => process.exit(0));
  return {
    send: (message) => void process.send?.(message),
    onMessage: (listener) => void process.on('message', (message: ToWorker) => listener(message)),
  };
}
