import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as v from 'valibot';
import { WebSocketServer, type WebSocket } from 'ws';
import { toWireError, validateEvent, type Engine } from '../core';
import { DoorErrorName } from '../shared/errors';
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
  const server = createServer((req, res) => {
    if (!isAllowedHost(req, port())) {
      res.writeHead(421).end();
      return;
    }
    if (!options.rendererDir) {
      res.writeHead(404).end();
      return;
    }
    serveStatic(options.rendererDir, req, res).catch(() => res.writeHead(500).end());
  });
  const port = () => (server.address() as AddressInfo).port;
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(RPC_PROTOCOL) ? RPC_PROTOCOL : false),
  });

  server.on('upgrade', (req, socket, head) => {
    const refusal = refuseUpgrade(req, token, port());
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => serveClient(engine, ws));
  });

  const stopEvents = engine.events.onAny((name, payload) => {
    const message = rpcEvent(name, validateEvent(name, payload));
    for (const client of sockets.clients) client.send(message);
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

/** Blocks DNS rebinding: only requests addressed to this loopback host and port. */
function isAllowedHost(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** Returns the HTTP status line to refuse with, or undefined to accept. */
function refuseUpgrade(req: IncomingMessage, token: string, port: number): string | undefined {
  if (new URL(req.url ?? '/', 'http://localhost').pathname !== RPC_PATH) return '404 Not Found';
  if (!isAllowedHost(req, port)) return '421 Misdirected Request';
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

function serveClient(engine: Engine, ws: WebSocket): void {
  // Oversized or malformed frames close this one connection; the host stays up.
  ws.on('error', () => ws.terminate());
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      ws.close(1003, 'Hearth speaks JSON text frames only');
      return;
    }
    void answer(engine, data.toString(), (reply) => {
      if (ws.readyState === ws.OPEN) ws.send(reply);
    });
  });
}

async function answer(engine: Engine, text: string, reply: (message: string) => void): Promise<void> {
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
