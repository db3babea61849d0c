import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createEngine, type Engine } from '../../src/core';
import { connectRemoteClient } from '../../src/host/client/remote-client';
import { startSocketHost, type SocketHost } from '../../src/host/socket-host';
import { isHearthError } from '../../src/shared/contract/error-names';
import { tempDir } from '../helpers/temp-dir';

interface Reply {
  id?: number | null;
  result?: unknown;
  error?: { code: number; message: string; data: { name: string; issues?: { path: string; message: string }[] } };
  method?: string;
  params?: { name: string; payload: unknown };
}

function open(url: string, protocols: string[], headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket, match: (reply: Reply) => boolean): Promise<Reply> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const reply = JSON.parse(data.toString()) as Reply;
      if (match(reply)) {
        ws.off('message', onMessage);
        resolve(reply);
      }
    };
    ws.on('message', onMessage);
  });
}

describe('the socket host', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let host: SocketHost;
  let rpcUrl: string;

  beforeAll(async () => {
    dir = await tempDir();
    engine = await createEngine({ dataDir: dir.path });
    host = await startSocketHost({ engine });
    rpcUrl = `ws://127.0.0.1:${host.port}/rpc`;
  });
  afterAll(async () => {
    await host.close();
    await engine.dispose();
    await dir.cleanup();
  });

  const client = () => open(rpcUrl, ['hearth.v1', `token.${host.token}`]);
  const call = async (ws: WebSocket, id: number, method: string, params?: unknown) => {
    const reply = nextMessage(ws, (r) => r.id === id);
    ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    return reply;
  };

  it('listens on loopback only and prints a URL carrying the token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${host.token}`);
    expect(host.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers contract calls and pushes the events a client subscribed to, and only those', async () => {
    const ws = await client();
    const bystander = await client();
    const seenByBystander: Reply[] = [];
    bystander.on('message', (data: Buffer) => seenByBystander.push(JSON.parse(data.toString()) as Reply));
    expect((await call(ws, 10, 'rpc.on', { event: 'settings.changed' })).result).toBeNull();
    const event = nextMessage(ws, (r) => r.method === 'event');
    const reply = await call(ws, 1, 'settings.update', { models: { threads: 3 } });
    expect((reply.result as { models: { threads: number } }).models.threads).toBe(3);
    expect((await event).params).toMatchObject({ name: 'settings.changed', payload: { models: { threads: 3 } } });
    // The bystander's own call is answered after the event went out, so had the host sent it
    // the event, it would have arrived by now.
    await call(bystander, 11, 'settings.get');
    expect(seenByBystander.filter((r) => r.method === 'event')).toEqual([]);

    expect((await call(ws, 12, 'rpc.off', { event: 'settings.changed' })).result).toBeNull();
    const after: Reply[] = [];
    ws.on('message', (data: Buffer) => after.push(JSON.parse(data.toString()) as Reply));
    await call(ws, 13, 'settings.update', { models: { threads: 2 } });
    await call(ws, 14, 'settings.get');
    expect(after.filter((r) => r.method === 'event')).toEqual([]);
    const typo = await call(ws, 15, 'rpc.on', { event: 'settings.chnged' });
    expect(typo.error).toMatchObject({ data: { name: 'InvalidInputError' } });
    expect(typo.error!.message).toMatch(/no event named "settings\.chnged"/);
    ws.close();
    bystander.close();
  });

  it('serves the typed remote client: calls, subscribed events, and a clear refusal of a wrong token', async () => {
    const refused = await connectRemoteClient({ port: host.port, token: 'ab'.repeat(32) }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: 'DisconnectedError', message: expect.stringMatching(/HTTP 401/) as unknown });
    const remote = await connectRemoteClient({ port: host.port, token: host.token });
    const seen: number[] = [];
    const stop = remote.api.settings.onChanged((settings) => seen.push(settings.models.threads));
    await remote.api.settings.update({ models: { threads: 4 } });
    stop();
    expect(seen).toEqual([4]);
    const invalid = await remote.api.settings.update({ chat: { temperature: 5 } }).catch((e: unknown) => e);
    expect(isHearthError(invalid, 'InvalidInputError')).toBe(true);
    // The remote client rebuilds the worded issues, so a caller can place them by field.
    expect(invalid).toMatchObject({
      issues: [{ path: 'chat.temperature', message: 'chat.temperature must be between 0 and 2; 5 is not.' }],
    });
    await remote.close();
    await expect(remote.api.settings.get()).rejects.toMatchObject({ name: 'DisconnectedError' });
  });

  it('refuses a wrong, missing or foreign-origin connection before upgrading', async () => {
    await expect(open(rpcUrl, ['hearth.v1', 'token.deadbeef'])).rejects.toThrow('HTTP 401');
    await expect(open(rpcUrl, ['hearth.v1'])).rejects.toThrow('HTTP 401');
    await expect(
      open(rpcUrl, ['hearth.v1', `token.${host.token}`], { origin: 'https://evil.example' }),
    ).rejects.toThrow('HTTP 403');
    await expect(
      open(rpcUrl, ['hearth.v1', `token.${host.token}`], { host: `rebind.example:${host.port}` }),
    ).rejects.toThrow('HTTP 421');
  });

  it('rejects a payload that breaks the schema with a readable error, and stays up', async () => {
    const ws = await client();
    const bad = await call(ws, 2, 'settings.update', { chat: { temperature: 'hot' } });
    expect(bad.error).toMatchObject({ code: -32602, data: { name: 'InvalidInputError' } });
    const words = 'chat.temperature must be a number; "hot" is not.';
    expect(bad.error!.message).toBe(words);
    expect(bad.error!.data.issues).toEqual([{ path: 'chat.temperature', message: words }]);
    const unknown = await call(ws, 3, 'settings.explode', {});
    expect(unknown.error).toMatchObject({ code: -32601, data: { name: 'UnknownCallError' } });
    const garbage = nextMessage(ws, (r) => r.id === null);
    ws.send('{not json');
    expect((await garbage).error).toMatchObject({ code: -32700 });
    const ok = await call(ws, 4, 'settings.get');
    expect(ok.result).toBeDefined();
    ws.close();
  });

  it('closes a connection that sends an oversized message', async () => {
    const ws = await client();
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('x'.repeat(5 * 1024 * 1024));
    expect(await closed).toBe(1009);
  });
});
