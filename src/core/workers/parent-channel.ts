/** Electron's port to the main process, present in a utility process (typed here: core never imports electron). */
interface ParentPort<In, Out> {
  on(event: 'message', listener: (event: { data: In }) => void): void;
  postMessage(message: Out): void;
}

/** The worker's side of WorkerChannel: Electron's parentPort in the app, Node IPC headless. */
export interface ParentChannel<In, Out> {
  send(message: Out): void;
  onMessage(listener: (message: In) => void): void;
}

export function parentChannel<In, Out>(): ParentChannel<In, Out> {
  const port = (process as { parentPort?: ParentPort<In, Out> }).parentPort;
  if (port) {
    // Electron ends utility processes with the app, so there is no disconnect to watch.
    return { send: (message) => port.postMessage(message), onMessage: (l) => port.on('message', (e) => l(e.data)) };
  }
  // The parent going away takes the worker with it.
  process.on('disconnect', () => process.exit(0));
  return {
    send: (message) => void process.send?.(message),
    onMessage: (listener) => void process.on('message', (message: In) => listener(message)),
  };
}
