import type { HearthApi } from '../../../../shared/contract';
import { bridgeApi, type Bridge } from './bridge-client';
import { connectSocket } from './socket-client';

declare global {
  interface Window {
    /** Present in the desktop app: the preload's contract API. */
    hearth?: Bridge;
  }
}

const TOKEN_KEY = 'hearth.token';

/** Takes the token from `#token=...` once, keeps it for this tab, and removes it from the URL. */
function takeToken(): string | null {
  const match = /(?:^#|&)token=([0-9a-f]+)/.exec(location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export interface Connection {
  api: HearthApi;
  door: 'desktop' | 'browser';
  onClose(listener: () => void): void;
}

/** The desktop app's preload API when present, else the local socket with its token. */
export async function connect(): Promise<Connection> {
  if (window.hearth) return { api: bridgeApi(window.hearth), door: 'desktop', onClose: () => undefined };
  const token = takeToken();
  if (!token) {
    throw new Error('Open Hearth with the full address that `hearth serve` printed (it ends in #token=...).');
  }
  const socket = await connectSocket(token);
  return { ...socket, door: 'browser' };
}
