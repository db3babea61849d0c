import { WebSocket } from 'ws';
import { buildApi } from '../../shared/contract/build-api';
import type { HearthApi } from '../../shared/contract';
import * as v from 'valibot';
import { DoorErrorName, RemoteError, WireIssueSchema } from '../../shared/errors';
import { RPC_PATH, RPC_PROTOCOL } from '../socket-host';
import { SUBSCRIBE_METHOD, UNSUBSCRIBE_METHOD } from '../event-subscriptions';

interface RpcMessage {
  id?: number | string | null;
  result?: unknown;
  error?: { message: string; data?: { name?: string; issues?: unknown } };
  method?: string;
  params?: { name: string; payload: unknown };
}

export interface RemoteClientOptions {
  port: number;
  token: string;
}

export interface RemoteClient {
  readonly api: HearthApi;
  /** Closes the connection; calls still waiting fail with DisconnectedError. */
  close(): Promise<void>;
}

/**
 * The typed `HearthApi` of a Hearth running in another process (`hearth serve`, `hearth
 * network node`), over its loopback socket: the same contract, checked at that door.
 */
export async function connectRemoteClient(options: RemoteClientOptions): Promise<RemoteClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${options.port}${RPC_PATH}`, [RPC_PROTOCOL, `token.${options.token}`]);
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;

  ws.on('message', (data) => {
    let message: RpcMessage;
    try {
      message = JSON.parse(String(data)) as RpcMessage;
    } catch {
      return;
    }
    if (message.method === 'event' && message.params) {
      for (const listener of listeners.get(message.params.name) ?? []) listener(message.params.payload);
      return;
    }
    const waiter = typeof message.id === 'number' ? pending.get(message.id) : undefined;
    if (!waiter) return;
    pending.delete(message.id as number);
    if (message.error) {
      const { name = 'Error', issues } = message.error.data ?? {};
      const worded = v.safeParse(v.array(WireIssueSchema), issues);
      waiter.reject(new RemoteError(name, message.error.message, worded.success ? worded.output : []));
    } else waiter.resolve(message.result);
  });

  const send = (method: string, params: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      if (ws.readyState !== WebSocket.OPEN) {
        reject(new RemoteError(DoorErrorName.Disconnected, 'The running Hearth closed the connection.'));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });

  const api = buildApi({
    call: send,
    subscribe: (event, listener) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      // The host applies a subscription before it reads the next message, so a call sent after
      // this never races its own events; the reply itself needs no waiting for.
      // A refused subscribe means the socket closed, which every pending and later call reports.
      if (set.size === 0) send(SUBSCRIBE_METHOD, { event }).catch(() => undefined);
      set.add(listener);
      return () => {
        // Unsubscribing from a closed socket has nothing left to stop.
        if (set.delete(listener) && set.size === 0) send(UNSUBSCRIBE_METHOD, { event }).catch(() => undefined);
      };
    },
  });

  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_request, response) =>
      reject(
        new RemoteError(
          DoorErrorName.Disconnected,
          `The running Hearth refused the connection (HTTP ${response.statusCode}); its access file may be out of date.`,
        ),
      ),
    );
    ws.once('error', (error) =>
      reject(new RemoteError(DoorErrorName.Disconnected, `Could not reach the running Hearth: ${error.message}`)),
    );
  });
  ws.on('error', () => ws.terminate());
  ws.on('close', () => {
    for (const waiter of pending.values()) {
      waiter.reject(new RemoteError(DoorErrorName.Disconnected, 'The running Hearth stopped before it answered.'));
    }
    pending.clear();
  });

  return {
    api,
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}
