import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { contract } from '../shared/contract';
import { eventMethodName } from '../shared/contract/define';
import type { WireResult } from '../shared/errors';

const CALL_CHANNEL = 'hearth:call';
const EVENT_CHANNEL = 'hearth:event';
const SUBSCRIBE_CHANNEL = 'hearth:subscribe';

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(EVENT_CHANNEL, (_event: IpcRendererEvent, name: string, payload: unknown) => {
  for (const listener of listeners.get(name) ?? []) listener(payload);
});

/** The main process sends this window only the events it listens to: ask on the first listener, stop on the last. */
function subscribe(name: string, listener: Listener): () => void {
  const set = listeners.get(name) ?? new Set<Listener>();
  listeners.set(name, set);
  if (set.size === 0) ipcRenderer.send(SUBSCRIBE_CHANNEL, name, true);
  set.add(listener);
  return () => {
    if (set.delete(listener) && set.size === 0) ipcRenderer.send(SUBSCRIBE_CHANNEL, name, false);
  };
}

/**
 * Exactly the contract's calls and `onX` events, nothing else. Calls resolve to a WireResult
 * because contextBridge drops an Error's name; the renderer's client unwraps it.
 */
const bridge = Object.fromEntries(
  Object.entries(contract).map(([ns, spec]) => [
    ns,
    {
      ...Object.fromEntries(
        Object.keys(spec.calls).map((name) => [
          name,
          (input?: unknown): Promise<WireResult> => ipcRenderer.invoke(CALL_CHANNEL, `${ns}.${name}`, input ?? {}),
        ]),
      ),
      ...Object.fromEntries(
        Object.keys(spec.events).map((event) => [
          eventMethodName(event),
          (listener: Listener) => subscribe(`${ns}.${event}`, listener),
        ]),
      ),
    },
  ]),
);

contextBridge.exposeInMainWorld('hearth', bridge);

// Where a file dropped on the window lives (the renderer cannot know: a sandboxed page sees only
// the File). Used to add dropped folders and files to the library; it reads nothing itself.
contextBridge.exposeInMainWorld('hearthFiles', { pathFor: (file: File) => webUtils.getPathForFile(file) });
