import type { HearthApi } from '../../../../shared/contract';
import { RemoteError, wireIssues } from './remote-error';

interface RpcReply {
  id?: number | string | null;
  result?: unknown;
  error?: { message: string; data?: { name?: string; issues?: unknown } };
  method?: string;
  params?: { name: string; payload: unknown };
}

export interface SocketConnection {
  api: HearthApi;
  /** Called once if the connection drops after it was made. */
  onClose(listener: () => void): void;
}

/** Connects to `hearth serve` on this page's own origin with the token it printed. */
export function connectSocket(token: string, origin = location.origin): Promise<SocketConnection> {
  const url = `${origin.replace(/^http/, 'ws')}/rpc`;
  const ws = new WebSocket(url, ['hearth.v1', `token.${token}`]);
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const closeListeners: (() => void)[] = [];
  let nextId = 1;

  ws.onmessage = (message) => {
    const reply = JSON.parse(String(message.data)) as RpcReply;
    if (reply.method === 'event' && reply.params) {
      for (const listener of listeners.get(reply.params.name) ?? []) listener(reply.params.payload);
      return;
    }
    const waiter = typeof reply.id === 'number' ? pending.get(reply.id) : undefined;
    if (!waiter) return;
    pending.delete(reply.id as number);
    if (reply.error) {
      const { name = 'Error', issues } = reply.error.data ?? {};
      waiter.reject(new RemoteError(name, reply.error.message, wireIssues(issues)));
    } else waiter.resolve(reply.result);
  };

  const call = (method: string, input: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      if (ws.readyState !== WebSocket.OPEN) {
        reject(new RemoteError('DisconnectedError', 'Hearth is not connected; is `hearth serve` still running?'));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params: input ?? {} }));
    });

  // The host sends only the events this page asked for: ask on the first listener of a name,
  // stop asking when its last listener goes. Replies to these carry no waiter and are dropped.
  const tellHost = (method: 'rpc.on' | 'rpc.off', event: string) => {
    if (ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params: { event } }));
    }
  };
  const subscribe = (name: string, listener: (payload: unknown) => void) => {
    const set = listeners.get(name) ?? new Set();
    listeners.set(name, set);
    if (set.size === 0) tellHost('rpc.on', name);
    set.add(listener);
    return () => {
      if (set.delete(listener) && set.size === 0) tellHost('rpc.off', name);
    };
  };

  // `api.settings.update(x)` calls `settings.update`; `api.settings.onChanged(f)` listens to
  // `settings.changed`. The contract's types make the proxy's shape exact.
  const api = new Proxy({} as Record<string, unknown>, {
    get: (_target, ns: string) =>
      new Proxy({} as Record<string, unknown>, {
        get: (_t, member: string) =>
          /^on[A-Z]/.test(member)
            ? (listener: (payload: unknown) => void) =>
                subscribe(`${ns}.${member.charAt(2).toLowerCase()}${member.slice(3)}`, listener)
            : (input?: unknown) => call(`${ns}.${member}`, input),
      }),
  }) as unknown as HearthApi;

  return new Promise((resolve, reject) => {
    ws.onopen = () => {
      ws.onclose = () => {
        for (const waiter of pending.values()) waiter.reject(new RemoteError('DisconnectedError', 'Hearth stopped.'));
        pending.clear();
        for (const listener of closeListeners) listener();
      };
      resolve({ api, onClose: (listener) => closeListeners.push(listener) });
    };
    ws.onclose = () =>
      reject(new RemoteError('UnauthorizedError', 'Hearth refused the connection: the token is missing or wrong.'));
  });
}
