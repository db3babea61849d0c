import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as v from 'valibot';
import { WebSocketServer, type WebSocket } from 'ws';
import { toWireError, validateEvent, type Engine } from '../core';
import { isLoopbackHost, requestPath } from '../core/http';
import { DoorErrorName } from '../shared/errors';
import { applySubscription, SUBSCRIBE_METHOD, UNSUBSCRIBE_METHOD } from './event-subscriptions';
import { rpcError, rpcEvent, rpcResult, RpcRequestSchema } from './json-rpc';
import { serveStatic } from './static-files';

/** The subprotocol a client offers, beside `token.<hex>`, to speak to this host. */
export const RPC_PROTOCOL = 'hearth.v1';
export const RPC_PATH = '/rpc';
/** Largest message a client may send; anything larger closes the connection. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export interface SocketHostOptions {
  engine: Engine;
  /** Default 0: a free port chosen by the system. */
  port?: number;
  /** The built renderer to serve at `/`; without it only the socket is served. */
  rendererDir?: string;
  /** Default: 32 random bytes, hex. */
  token?: string;
}

export interface SocketHost {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

/**
 * Door two: the engine's contract as JSON-RPC over a WebSocket on 127.0.0.1, for the browser
 * UI, the CLI and tests. A client must present the token, and a browser must come from this
 * host's own origin.
 */
export async function startSocketHost(options: SocketHostOptions): Promise<SocketHost> {
  const { engine } = options;
  const token = options.token ?? randomBytes(32).toString('hex');
  // Every handler below catches what it throws: one odd request must never end the process.
  const server = createServer((req, res) => {
    try {
      serveRequest(req, res);
    } catch (error) {
      failRequest(engine, res, error);
    }
  });
  const serveRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (!isLoopbackHost(req.headers.host, port())) {
      res.writeHead(421).end();
      return;
    }
    if (!options.rendererDir) {
      res.writeHead(404).end();
      return;
    }
    serveStatic(options.rendererDir, req, res).catch((error: unknown) => failRequest(engine, res, error));
  };
  const port = () => (server.address() as AddressInfo).port;
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(RPC_PROTOCOL) ? RPC_PROTOCOL : false),
  });

  /** The events each client asked for (`rpc.on`); nothing else is sent to it. */
  const subscriptions = new Map<WebSocket, Set<string>>();

  server.on('upgrade', (req, socket, head) => {
    // Node leaves an upgrading socket without an error listener: a client that resets it
    // mid-handshake would otherwise be an uncaught 'error' event.
    socket.on('error', () => socket.destroy());
    try {
      const refusal = refuseUpgrade(req, token, port());
      if (refusal) {
        socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\n\r\n`);
        return;
      }
      sockets.handleUpgrade(req, socket, head, (ws) => {
        const subscribed = new Set<string>();
        subscriptions.set(ws, subscribed);
        ws.on('close', () => subscriptions.delete(ws));
        serveClient(engine, ws, subscribed);
      });
    } catch (error) {
      engine.log.error({ event: 'upgrade-failed', error: describe(error) });
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    }
  });

  const stopEvents = engine.events.onAny((name, payload) => {
    try {
      let message: string | null = null;
      for (const [client, subscribed] of subscriptions) {
        if (!subscribed.has(name) || client.readyState !== client.OPEN) continue;
        message ??= rpcEvent(name, validateEvent(name, payload));
        client.send(message);
      }
    } catch (error) {
      // The service that emitted must not fail because a listener here did.
      engine.log.error({ event: 'event-push-failed', name, error: describe(error) });
    }
  });

  await listen(server, options.port ?? 0);
  return {
    url: `http://127.0.0.1:${port()}/#token=${token}`,
    port: port(),
    token,
    close: async () => {
      stopEvents();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/** A handler failed unexpectedly: log it and answer 500 if the answer has not started. */
function failRequest(engine: Engine, res: ServerResponse, error: unknown): void {
  engine.log.error({ event: 'request-failed', error: describe(error) });
  if (res.headersSent) res.destroy();
  else res.writeHead(500).end();
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Returns the HTTP status line to refuse with, or undefined to accept. */
function refuseUpgrade(req: IncomingMessage, token: string, port: number): string | undefined {
  const path = requestPath(req.url);
  if (path === null) return '400 Bad Request';
  if (path !== RPC_PATH) return '404 Not Found';
  if (!isLoopbackHost(req.headers.host, port)) return '421 Misdirected Request';
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) {
    return '403 Forbidden';
  }
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const presented = offered.find((p) => p.startsWith('token.'))?.slice('token.'.length) ?? '';
  if (!sameSecret(presented, token)) return '401 Unauthorized';
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function serveClient(engine: Engine, ws: WebSocket, subscribed: Set<string>): void {
  // Oversized or malformed frames close this one connection; the host stays up.
  ws.on('error', () => ws.terminate());
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      ws.close(1003, 'Hearth speaks JSON text frames only');
      return;
    }
    answer(engine, data.toString(), subscribed, (reply) => {
      if (ws.readyState === ws.OPEN) ws.send(reply);
    }).catch((error: unknown) => {
      // A reply that could not even be written: log it and drop this connection, not the host.
      engine.log.error({ event: 'reply-failed', error: describe(error) });
      ws.terminate();
    });
  });
}

async function answer(
  engine: Engine,
  text: string,
  subscribed: Set<string>,
  reply: (message: string) => void,
): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    reply(rpcError(null, { name: 'ParseError', message: 'The message is not valid JSON.' }));
    return;
  }
  const request = v.safeParse(RpcRequestSchema, json);
  if (!request.success) {
    reply(rpcError(null, { name: 'InvalidRequest', message: 'The message is not a JSON-RPC 2.0 request.' }));
    return;
  }
  const { id, method, params } = request.output;
  if (method === SUBSCRIBE_METHOD || method === UNSUBSCRIBE_METHOD) {
    // Applied before the next message is read, so an event right after a call is never missed.
    const refusal = applySubscription(subscribed, method, params);
    reply(refusal ? rpcError(id, { name: DoorErrorName.InvalidInput, message: refusal }) : rpcResult(id, null));
    return;
  }
  try {
    reply(rpcResult(id, await engine.dispatch(method, params, { door: 'socket' })));
  } catch (error) {
    const wire = toWireError(error);
    if (wire.name === DoorErrorName.Internal || !(error instanceof Error)) {
      engine.log.error({ event: 'call-failed', method, name: wire.name });
    }
    reply(rpcError(id, wire));
  }
}
