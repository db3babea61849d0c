import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createEngine, type Engine } from '../../src/core';
import { startSocketHost, type SocketHost } from '../../src/host/socket-host';
import { tempDir } from '../helpers/temp-dir';
import { openLocalAi, STORIES, TINY_LLAMA } from './chat/local-ai-fixture';

/** Sends bytes exactly as written (no client library tidies them) and reads until the server closes. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (data) => (answer += data.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    // A server that never answers must fail the test, not hang it.
    socket.setTimeout(10_000, () => socket.destroy());
    socket.write(text);
  });
}

interface Answer {
  status: number;
  type: string;
  body: string;
}

/** One HTTP request with any headers (fetch would not send a foreign Host). */
function http(
  port: number,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (data: Buffer) => (body += data.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    // Generous: the toy model answers in well under a second; a request that hangs must fail.
    req.setTimeout(20_000, () => req.destroy(new Error(`${method} ${path} got no answer within 20 s`)));
    req.end(options.body);
  });
}

const upgradeHeaders = (port: number) =>
  `Host: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
  'Sec-WebSocket-Protocol: hearth.v1, token.wrong\r\n\r\n';

describe('hearth serve, given requests no browser would send', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let host: SocketHost;

  beforeAll(async () => {
    dir = await tempDir();
    await writeFile(join(dir.path, 'index.html'), '<!doctype html><title>Hearth</title>');
    engine = await createEngine({ dataDir: join(dir.path, 'data') });
    host = await startSocketHost({ engine, rendererDir: dir.path });
  });
  afterAll(async () => {
    await host?.close();
    await engine?.dispose();
    await dir?.cleanup();
  });

  /** Proof the host is still up: a real client connects and a contract call answers. */
  async function stillAnswers(): Promise<void> {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/rpc`, ['hearth.v1', `token.${host.token}`]);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const reply = new Promise<{ id: number; result?: unknown }>((resolve) =>
      ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as { id: number })),
    );
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'settings.get' }));
    expect((await reply).result).toBeDefined();
    ws.close();
  }

  it('refuses an upgrade whose target is not a URL, without a token, and keeps serving', async () => {
    const answer = await raw(host.port, `GET http://[/rpc HTTP/1.1\r\n${upgradeHeaders(host.port)}`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    await stillAnswers();
  });

  it('answers 400 to a page request whose target is not a URL or whose % escape is malformed', async () => {
    const end = `Host: 127.0.0.1:${host.port}\r\nConnection: close\r\n\r\n`;
    expect(await raw(host.port, `GET http://[/index.html HTTP/1.1\r\n${end}`)).toMatch(/^HTTP\/1\.1 400 /);
    expect(await raw(host.port, `GET /%E0%A4%A HTTP/1.1\r\n${end}`)).toMatch(/^HTTP\/1\.1 400 /);
    expect((await http(host.port, 'GET', '/', { headers: { host: `127.0.0.1:${host.port}` } })).status).toBe(200);
    await stillAnswers();
  });
});

describe('the local API, given requests that break the rules', () => {
  let env: Awaited<ReturnType<typeof openLocalAi>>;
  let port: number;
  let key: string;

  beforeAll(async () => {
    env = await openLocalAi({ chat: { maxTokens: 16, temperature: 0 } });
    await env.ai.models.import(STORIES, 'chat');
    await env.ai.models.import(TINY_LLAMA, 'embedding');
    await env.settings.update({
      models: { chatModel: 'stories260K.gguf', embeddingModel: 'llama-2-tiny-random.gguf' },
    });
    // Port 0 is refused by the settings schema; local-api.test.ts uses 20000 + pid % 20000.
    port = 40_000 + (process.pid % 20_000);
    await env.settings.update({ api: { enabled: true, port } });
    await env.ai.api.sync();
    key = (await env.ai.api.info()).key;
  }, 60_000);
  afterAll(async () => env?.close());

  const headers = () => ({
    host: `127.0.0.1:${port}`,
    authorization: `Bearer ${key}`,
    'content-type': 'application/json',
  });
  const chat = (body: unknown) =>
    http(port, 'POST', '/v1/chat/completions', { headers: headers(), body: JSON.stringify(body) });
  const hi = [{ role: 'user', content: 'Once upon a time' }];
  const error = (answer: Answer) => (JSON.parse(answer.body) as { error: Record<string, unknown> }).error;

  it('refuses out-of-range and mistyped sampling fields with 400 and the field named', async () => {
    for (const [param, value] of [
      ['max_tokens', 0],
      ['max_tokens', -1],
      ['max_tokens', 1e9],
      ['max_tokens', 'x'],
      ['max_tokens', 2.5],
      ['max_completion_tokens', 0],
      ['temperature', 3],
      ['temperature', -0.1],
      ['top_p', 1.5],
      ['n', 2],
      ['stream', 'yes'],
    ] as const) {
      const answer = await chat({ model: 'stories260K.gguf', messages: hi, [param]: value });
      expect(answer.status, `${param}: ${value}`).toBe(400);
      expect(error(answer)).toMatchObject({ type: 'invalid_request_error', param });
    }
  });

  it('treats null in an optional field as not given, as OpenAI does, and still answers', async () => {
    const answer = await chat({ messages: hi, max_tokens: null, temperature: null, top_p: null, n: null });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ object: 'chat.completion', choices: [{ index: 0 }] });
  });

  it('refuses null where a value is required with 400, not 500', async () => {
    for (const [body, param] of [
      [{ messages: [null] }, 'messages[0]'],
      [{ messages: [{ role: 'user', content: null }] }, 'messages[0].content'],
      [{ messages: [{ role: null, content: 'hi' }] }, 'messages[0].role'],
      [{ messages: null }, 'messages'],
      [{ model: null, messages: hi }, 'model'],
    ] as const) {
      const answer = await chat(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(error(answer).param).toBe(param);
    }
    expect((await chat(null)).status).toBe(400);
    const embeddings = await http(port, 'POST', '/v1/embeddings', { headers: headers(), body: 'null' });
    expect(embeddings.status).toBe(400);
  });

  it('refuses messages longer than the context with context_length_exceeded, not a truncated answer', async () => {
    const long = [{ role: 'user', content: 'Once upon a time there was a little dog. '.repeat(200) }];
    const answer = await chat({ messages: long });
    expect(answer.status).toBe(400);
    expect(error(answer)).toMatchObject({ param: 'messages', code: 'context_length_exceeded' });
    // The messages fit, but not with an answer as long as the whole context.
    const context = (await env.ai.chat.generator()).contextSize;
    const withAnswer = await chat({ messages: hi, max_tokens: context });
    expect(error(withAnswer)).toMatchObject({ code: 'context_length_exceeded' });
  });

  it('refuses an embedding input longer than the model reads with context_length_exceeded', async () => {
    const body = JSON.stringify({ input: ['a cat', 'word '.repeat(20_000)] });
    const answer = await http(port, 'POST', '/v1/embeddings', { headers: headers(), body });
    expect(answer.status).toBe(400);
    expect(error(answer)).toMatchObject({ param: 'input', code: 'context_length_exceeded' });
  });

  it('answers a stream for a missing model with a 404 JSON error before any event', async () => {
    const named = await chat({ model: 'gpt-4o', messages: hi, stream: true });
    expect(named.status).toBe(404);
    expect(named.type).toMatch(/^application\/json/);
    expect(error(named)).toMatchObject({ code: 'model_not_found' });
    // The chosen model's file is gone (deleted outside Hearth): still a 404, not an empty 200 stream.
    await env.settings.update({ models: { chatModel: 'deleted.gguf' } });
    try {
      const chosen = await chat({ messages: hi, stream: true });
      expect(chosen.status).toBe(404);
      expect(chosen.type).toMatch(/^application\/json/);
      expect(error(chosen)).toMatchObject({ code: 'model_not_found' });
    } finally {
      await env.settings.update({ models: { chatModel: 'stories260K.gguf' } });
    }
    const ok = await chat({ messages: hi, stream: true, max_tokens: 8 });
    expect(ok.status).toBe(200);
    expect(ok.body.trim().endsWith('data: [DONE]')).toBe(true);
  });

  it('refuses a Host other than its own loopback address (DNS rebinding)', async () => {
    for (const host of [`rebind.example:${port}`, `127.0.0.1:${port + 1}`, 'localhost']) {
      const answer = await http(port, 'GET', '/v1/models', { headers: { ...headers(), host } });
      expect(answer.status, host).toBe(421);
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) {
      expect((await http(port, 'GET', '/v1/models', { headers: { ...headers(), host } })).status).toBe(200);
    }
  });

  it('answers GET /v1/models/{id} for an installed model and 404 for another', async () => {
    const found = await http(port, 'GET', '/v1/models/stories260K.gguf', { headers: headers() });
    expect(found.status).toBe(200);
    expect(JSON.parse(found.body)).toMatchObject({ id: 'stories260K.gguf', object: 'model', owned_by: 'hearth' });
    const missing = await http(port, 'GET', '/v1/models/gpt-4o', { headers: headers() });
    expect(missing.status).toBe(404);
    expect(error(missing)).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found' });
  });

  it("refuses a missing key with OpenAI's 401 body", async () => {
    const answer = await http(port, 'GET', '/v1/models', { headers: { host: `127.0.0.1:${port}` } });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({
      error: {
        message: expect.stringContaining('API key') as unknown,
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
  });

  it('answers 400 to a target that is not a URL, and keeps serving', async () => {
    const answer = await raw(
      port,
      `GET http://[/v1/models HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${key}\r\nConnection: close\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect((await http(port, 'GET', '/v1/models', { headers: headers() })).status).toBe(200);
  });
});
