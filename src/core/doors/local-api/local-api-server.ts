import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import type { Settings } from '../../../shared/settings';
import { StackOwner } from '../../dispose-stack';
import type { EventBus } from '../../events';
import type { Logger } from '../../log';
import type { ChatService } from '../../chat/chat-service';
import { decodePath, isLoopbackHost, requestPath } from '../../http';
import { NoModelChosenError, type ModelSlots, type ModelStore } from '../../models';
import type { SecretStore } from '../../secrets';
import { ApiError } from './api-error';
import { parseChatCompletionRequest, requireObject } from './chat-completion-request';

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

/** What a chat template adds around each message, beyond the text's own tokens (an overestimate). */
const TEMPLATE_TOKENS_PER_MESSAGE = 8;

/**
 * The OpenAI-compatible local API: `/v1/models`, `/v1/chat/completions` (with SSE streaming)
 * and `/v1/embeddings`, on 127.0.0.1 only, every request needing the API key. Off until
 * settings.api.enabled; follows settings changes (start, stop, port).
 */
export class LocalApiServer extends StackOwner {
  private _server: Server | null = null;
  private _port: number | null = null;
  private _key: string | null = null;
  private _embedding: { model: LlamaModel; context: LlamaEmbeddingContext } | null = null;
  private _sync: Promise<void> = Promise.resolve();

  constructor(private readonly _o: LocalApiServerOptions) {
    super('The local API');
    const stack = this._stack;
    // Newest first: stop following settings, close the server (sync sees the stack disposed),
    // then the embedding context the server's requests used.
    stack.defer(() => this._embedding?.context.dispose());
    stack.defer(() => this.sync());
    stack.defer(_o.events.on('settings.changed', () => void this.sync()));
    void this.sync();
  }

  /** Starts, stops or moves the server to match settings.api; resolves when done. */
  sync(): Promise<void> {
    const run = this._sync.then(async () => {
      // Once disposed the settings may already be closed: do not read them.
      const api = this._stack.disposed ? null : this._o.settings.get().api;
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
      baseUrl: this._server ? `http://127.0.0.1:${(this._server.address() as AddressInfo).port}/v1` : null,
      key: await this.key(),
    };
  }

  private async _listen(port: number): Promise<void> {
    await this.key();
    const server = createServer((req, res) => {
      this._handle(req, res, (server.address() as AddressInfo).port).catch((error: unknown) => {
        // Even the error answer failed (the client is gone, most likely): log, never crash.
        this._o.log.warn({ event: 'local-api-request-failed', error: (error as Error).message });
        res.destroy();
      });
    });
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

  private async _handle(req: IncomingMessage, res: ServerResponse, port: number): Promise<void> {
    try {
      await this._route(req, res, port);
    } catch (error) {
      const e = toApiError(error);
      if (e.status >= 500) this._o.log.warn({ event: 'local-api-error', status: e.status, error: e.message });
      if (!res.headersSent) return json(res, e.status, e.body);
      // A stream already started: OpenAI's clients read an error event, then the end.
      if (String(res.getHeader('content-type')).startsWith('text/event-stream') && !res.writableEnded) {
        res.end(`data: ${JSON.stringify(e.body)}\n\n`);
      } else res.destroy();
    }
  }

  private async _route(req: IncomingMessage, res: ServerResponse, port: number): Promise<void> {
    if (!isLoopbackHost(req.headers.host, port))
      throw new ApiError(421, 'Hearth answers requests addressed to 127.0.0.1 or localhost only.', {
        code: 'invalid_host',
      });
    if (!this._authorized(req))
      throw new ApiError(401, 'Missing or wrong API key. Copy the key from Hearth: Settings page, Local API.', {
        code: 'invalid_api_key',
      });
    const target = requestPath(req.url);
    if (target === null) throw new ApiError(400, 'The request target is not a valid URL path.');
    const path = target.replace(/\/$/, '');
    if (req.method === 'GET' && path === '/v1/models') return json(res, 200, await this._models());
    if (req.method === 'GET' && path.startsWith('/v1/models/'))
      return json(res, 200, await this._model(decodePath(path.slice('/v1/models/'.length))));
    if (req.method === 'POST' && path === '/v1/chat/completions') return await this._chatCompletions(req, res);
    if (req.method === 'POST' && path === '/v1/embeddings')
      return json(res, 200, await this._embeddings(await readJson(req)));
    throw new ApiError(404, `${req.method} ${path} is not part of Hearth's API.`, { code: 'not_found' });
  }

  private async _models() {
    const models = await this._o.store.list();
    return { object: 'list', data: models.map(modelObject) };
  }

  private async _model(id: string | null) {
    const found = (await this._o.store.list()).find((m) => m.file === id);
    if (!found) throw modelNotFound(id ?? '');
    return modelObject(found);
  }

  /** An installed file named by the request, or the chosen model of the role. */
  private async _resolveModel(requested: string | undefined, role: 'chat' | 'embedding'): Promise<string> {
    const installed = await this._o.store.list();
    if (requested !== undefined && installed.some((m) => m.file === requested)) return requested;
    if (requested !== undefined && requested !== '' && requested !== 'hearth' && requested !== 'default')
      throw modelNotFound(requested);
    const models = this._o.settings.get().models;
    const chosen = role === 'chat' ? models.chatModel : models.embeddingModel;
    if (!chosen) throw new NoModelChosenError(role);
    if (!installed.some((m) => m.file === chosen))
      throw new ApiError(
        404,
        `The chosen ${role} model "${chosen}" is no longer in Hearth's models folder. Choose another on the Models page.`,
        { code: 'model_not_found', param: 'model' },
      );
    return chosen;
  }

  private async _chatCompletions(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = parseChatCompletionRequest(await readJson(req));
    const { messages, stream } = request;
    // Everything that can refuse the request happens before the first byte of the answer.
    const model = await this._resolveModel(request.model, 'chat');
    const generator = await this._o.chat.generator(model);
    const maxTokens = this._answerBudget(request, generator);
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
    const created = Math.floor(Date.now() / 1000);
    if (stream) {
      // setHeader, not writeHead's object: _handle reads the content type back if this fails.
      res.setHeader('content-type', 'text/event-stream');
      res.setHeader('cache-control', 'no-cache');
      res.setHeader('connection', 'keep-alive');
      res.writeHead(200);
    }
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    let first = true;
    const result = await this._o.chat.generate({
      model,
      messages,
      maxTokens,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.topP !== undefined ? { topP: request.topP } : {}),
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

  /**
   * The longest answer that fits the context after the messages. A request that cannot fit is
   * refused as OpenAI does, rather than left to the generator, which would drop the oldest
   * messages without saying so.
   */
  private _answerBudget(
    request: ReturnType<typeof parseChatCompletionRequest>,
    generator: { contextSize: number; countTokens(text: string): number },
  ): number {
    const context = generator.contextSize;
    const asked = request.maxTokens;
    if (asked && asked.value > context)
      throw new ApiError(
        400,
        `${asked.param} is too large: ${asked.value}. This model supports at most ${context} tokens (its context).`,
        { param: asked.param, code: 'invalid_value' },
      );
    const prompt = request.messages.reduce(
      (sum, m) => sum + generator.countTokens(m.text) + TEMPLATE_TOKENS_PER_MESSAGE,
      TEMPLATE_TOKENS_PER_MESSAGE,
    );
    const room = context - prompt;
    if (room < 1 || (asked && asked.value > room)) {
      const completion = asked ? ` and ${asked.value} for the answer` : '';
      throw new ApiError(
        400,
        `This model's maximum context length is ${context} tokens. However, your messages need about ${prompt} tokens${completion}. Please reduce the length of the messages${asked ? ' or of the answer' : ''}.`,
        { param: 'messages', code: 'context_length_exceeded' },
      );
    }
    return asked?.value ?? Math.min(this._o.settings.get().chat.maxTokens, room);
  }

  private async _embeddings(raw: unknown) {
    const body = requireObject(raw);
    if (body.model !== undefined && body.model !== null && typeof body.model !== 'string')
      throw new ApiError(400, "Invalid type for 'model': expected a string.", { param: 'model', code: 'invalid_type' });
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((x) => typeof x === 'string')) {
      throw new ApiError(400, '`input` must be a string or a non-empty array of strings.', {
        param: 'input',
        code: 'invalid_type',
      });
    }
    const file = await this._resolveModel(body.model ?? undefined, 'embedding');
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
      const count = loaded.model.tokenize(text).length;
      if (count > loaded.contextSize)
        throw new ApiError(
          400,
          `input[${index}] is ${count} tokens; this embedding model reads at most ${loaded.contextSize}. Split the text into shorter pieces.`,
          { param: 'input', code: 'context_length_exceeded' },
        );
      tokens += count;
      const vector = (await context.getEmbeddingFor(text)).vector;
      const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : [...vector];
      data.push({ object: 'embedding', index, embedding });
    }
    return { object: 'list', data, model: file, usage: { prompt_tokens: tokens, total_tokens: tokens } };
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
    if (size > MAX_BODY)
      throw new ApiError(413, 'The request body is larger than 8 MB.', { code: 'request_too_large' });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ApiError(400, 'The request body is not valid JSON.', { code: 'invalid_json' });
  }
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const e = error as Error;
  if (e.name === 'NoModelChosenError' || e.name === 'ModelNotInstalledError')
    return new ApiError(404, e.message, { param: 'model', code: 'model_not_found' });
  if (e.name === 'ModelTooLargeError') return new ApiError(507, e.message);
  return new ApiError(500, e.message || 'Hearth could not answer.');
}

function modelNotFound(id: string): ApiError {
  return new ApiError(404, `The model '${id}' is not installed in Hearth. GET /v1/models lists the installed ones.`, {
    param: 'model',
    code: 'model_not_found',
  });
}

function modelObject(m: { file: string; role: string }) {
  return { id: m.file, object: 'model', created: 0, owned_by: 'hearth', role: m.role };
}
