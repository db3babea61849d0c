import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import type { Settings } from '../../shared/settings';
import type { Disposable } from '../disposable';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import type { ChatService } from '../chat/chat-service';
import { NoModelChosenError, type ModelSlots, type ModelStore } from '../models';
import type { SecretStore } from '../secrets';

export interface LocalApiServerOptions {
  chat: ChatService;
  slots: ModelSlots;
  store: ModelStore;
  settings: { get(): Settings };
  events: EventBus;
  log: Logger;
  secrets: SecretStore;
}

export interface LocalApiInfo {
  running: boolean;
  /** `http://127.0.0.1:<port>/v1` while running. */
  baseUrl: string | null;
  key: string;
}

const KEY_SECRET = 'local-api-key';
const MAX_BODY = 8 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

/**
 * The OpenAI-compatible local API: `/v1/models`, `/v1/chat/completions` (with SSE streaming)
 * and `/v1/embeddings`, on 127.0.0.1 only, every request needing the API key. Off until
 * settings.api.enabled; follows settings changes (start, stop, port).
 */
export class LocalApiServer implements Disposable {
  private _server: Server | null = null;
  private _port: number | null = null;
  private _key: string | null = null;
  private _embedding: { model: LlamaModel; context: LlamaEmbeddingContext } | null = null;
  private _sync: Promise<void> = Promise.resolve();
  private _disposed = false;
  private readonly _unsubscribe: () => void;

  constructor(private readonly _o: LocalApiServerOptions) {
    this._unsubscribe = _o.events.on('settings.changed', () => void this.sync());
    void this.sync();
  }

  /** Starts, stops or moves the server to match settings.api; resolves when done. */
  sync(): Promise<void> {
    const run = this._sync.then(async () => {
      // Once disposed the settings may already be closed: do not read them.
      const api = this._disposed ? null : this._o.settings.get().api;
      const want = api?.enabled ? api.port : null;
      if (want === this._port) return;
      await this._close();
      if (want !== null) await this._listen(want);
    });
    this._sync = run.catch((error: unknown) => {
      this._o.log.warn({ event: 'local-api-failed', error: (error as Error).message });
    });
    return run;
  }

  /** The API key, created (and stored as a secret) on first use. */
  async key(): Promise<string> {
    if (this._key) return this._key;
    const stored = await this._o.secrets.get(KEY_SECRET);
    if (stored && stored.length > 0) this._key = stored.toString('utf8');
    else {
      this._key = `hearth-${randomBytes(24).toString('hex')}`;
      await this._o.secrets.set(KEY_SECRET, Buffer.from(this._key, 'utf8'));
    }
    return this._key;
  }

  async info(): Promise<LocalApiInfo> {
    return {
      running: this._server !== null,
      baseUrl: this._port !== null ? `http://127.0.0.1:${this._port}/v1` : null,
      key: await this.key(),
    };
  }

  private async _listen(port: number): Promise<void> {
    await this.key();
    const server = createServer((req, res) => void this._handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this._server = server;
    this._port = port;
    this._o.log.info({ event: 'local-api-start', port });
  }

  private async _close(): Promise<void> {
    const server = this._server;
    this._server = null;
    this._port = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this._o.log.info({ event: 'local-api-stop' });
  }

  private _authorized(req: IncomingMessage): boolean {
    const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '';
    const key = this._key ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(key);
    return key.length > 0 && a.length === b.length && timingSafeEqual(a, b);
  }

  private async _handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (!this._authorized(req))
        throw new HttpError(
          401,
          'Missing or wrong API key. Copy the key from Hearth (Models page, Local API).',
          'invalid_api_key',
          'invalid_api_key',
        );
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/\/$/, '');
      if (req.method === 'GET' && path === '/v1/models') return json(res, 200, await this._models());
      if (req.method === 'POST' && path === '/v1/chat/completions') return await this._chatCompletions(req, res);
      if (req.method === 'POST' && path === '/v1/embeddings')
        return json(res, 200, await this._embeddings(await readJson(req)));
      throw new HttpError(
        404,
        `${req.method} ${path} is not part of Hearth's API.`,
        'invalid_request_error',
        'not_found',
      );
    } catch (error) {
      const e = error instanceof HttpError ? error : toHttpError(error);
      if (res.headersSent) {
        res.end();
        return;
      }
      json(res, e.status, { error: { message: e.message, type: e.type, code: e.code, param: null } });
    }
  }

  private async _models() {
    const models = await this._o.store.list();
    return {
      object: 'list',
      data: models.map((m) => ({ id: m.file, object: 'model', created: 0, owned_by: 'hearth', role: m.role })),
    };
  }

  /** An installed file named by the request, or the chosen model of the role. */
  private async _resolveModel(requested: unknown, role: 'chat' | 'embedding'): Promise<string> {
    const installed = await this._o.store.list();
    if (typeof requested === 'string' && installed.some((m) => m.file === requested)) return requested;
    const chosen =
      role === 'chat' ? this._o.settings.get().models.chatModel : this._o.settings.get().models.embeddingModel;
    if (requested === undefined || requested === '' || requested === 'hearth' || requested === 'default') {
      if (!chosen) throw new NoModelChosenError(role);
      return chosen;
    }
    throw new HttpError(
      404,
      `The model "${String(requested)}" is not installed in Hearth. GET /v1/models lists the installed ones.`,
      'invalid_request_error',
      'model_not_found',
    );
  }

  private async _chatCompletions(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readJson(req)) as {
      model?: unknown;
      messages?: unknown;
      stream?: unknown;
      max_tokens?: unknown;
      max_completion_tokens?: unknown;
      temperature?: unknown;
      top_p?: unknown;
    };
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      throw new HttpError(400, '`messages` must be a non-empty array.');
    const messages = body.messages.map((m: { role?: unknown; content?: unknown }) => {
      const role = m.role === 'developer' ? 'system' : m.role;
      if (role !== 'system' && role !== 'user' && role !== 'assistant')
        throw new HttpError(400, `Unsupported message role "${String(m.role)}".`);
      const text =
        typeof m.content === 'string'
          ? m.content
          : Array.isArray(m.content)
            ? m.content.map((p: { text?: string }) => p.text ?? '').join('')
            : '';
      return { role: role as 'system' | 'user' | 'assistant', text };
    });
    const model = await this._resolveModel(body.model, 'chat');
    const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
    const created = Math.floor(Date.now() / 1000);
    const stream = body.stream === true;
    if (stream) {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
    }
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    let first = true;
    const result = await this._o.chat.generate({
      model,
      messages,
      maxTokens: num(body.max_completion_tokens) ?? num(body.max_tokens),
      temperature: num(body.temperature),
      topP: num(body.top_p),
      signal: controller.signal,
      onToken: stream
        ? (text) => {
            res.write(chunk(first ? { role: 'assistant', content: text } : { content: text }, null));
            first = false;
          }
        : undefined,
    });
    const finish = result.stopReason === 'maxTokens' ? 'length' : 'stop';
    if (stream) {
      res.end(`${chunk({}, finish)}data: [DONE]\n\n`);
      return;
    }
    const generator = await this._o.chat.generator(model);
    const promptTokens = generator.countTokens(messages.map((m) => m.text).join('\n'));
    const completionTokens = generator.countTokens(result.text);
    json(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: result.text }, finish_reason: finish }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    });
  }

  private async _embeddings(raw: unknown) {
    const body = raw as { model?: unknown; input?: unknown; encoding_format?: unknown };
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((x) => typeof x === 'string')) {
      throw new HttpError(400, '`input` must be a string or a non-empty array of strings.');
    }
    const file = await this._resolveModel(body.model, 'embedding');
    const loaded = await this._o.slots.load('embedding', file);
    if (this._embedding?.model !== loaded.model || this._embedding.context.disposed) {
      await this._embedding?.context.dispose();
      const context = await loaded.model.createEmbeddingContext({
        contextSize: loaded.contextSize,
        threads: loaded.threads,
      });
      this._embedding = { model: loaded.model, context };
    }
    const context = this._embedding.context;
    const base64 = body.encoding_format === 'base64';
    let tokens = 0;
    const data = [];
    for (const [index, text] of (inputs as string[]).entries()) {
      tokens += loaded.model.tokenize(text).length;
      const vector = (await context.getEmbeddingFor(text)).vector;
      const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : [...vector];
      data.push({ object: 'embedding', index, embedding });
    }
    return { object: 'list', data, model: file, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  }

  get disposed(): boolean {
    return this._disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    this._unsubscribe();
    await this.sync();
    await this._embedding?.context.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'The request body is larger than 8 MB.');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.');
  }
}

function toHttpError(error: unknown): HttpError {
  const e = error as Error;
  if (e.name === 'NoModelChosenError' || e.name === 'ModelNotInstalledError')
    return new HttpError(404, e.message, 'invalid_request_error', 'model_not_found');
  if (e.name === 'ModelTooLargeError') return new HttpError(507, e.message, 'server_error');
  return new HttpError(500, e.message || 'Hearth could not answer.', 'server_error');
}
