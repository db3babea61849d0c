import { LlamaChat, LlamaCompletion, type ChatHistoryItem, type LlamaContext, type LlamaModel } from 'node-llama-cpp';
import { DisposedError, type Disposable } from '../disposable';
import type { LoadedModel } from '../models';
import { SerialQueue } from '../serial-queue';
import { chatWrapperFor } from './chat-template';

/** One message of a conversation given to `generate`. */
export interface GenerateMessage {
  role: 'system' | 'user' | 'assistant';
  text: string;
}

export interface GenerateRequest {
  /** The conversation so far, ending with the user's message. Use this or `prompt`. */
  messages?: GenerateMessage[];
  /** A single user message (with `system`), for one-off generations such as answers over files. */
  prompt?: string;
  /** System prompt; a `system` message in `messages` wins. Default none. */
  system?: string;
  /** Default 1024. */
  maxTokens?: number;
  /** Default 0.7. */
  temperature?: number;
  /** Default 0.95. */
  topP?: number;
  /** Aborting stops generation at once; the result holds the text so far. */
  signal?: AbortSignal;
  /** Called with each piece of text as it is generated. */
  onToken?: (text: string) => void;
}

/** Plain text for the model to continue, with no chat template: how a base model is prompted. */
export interface CompleteRequest {
  /** The text the model continues, as it is. */
  text: string;
  /** Generation ends at the first of these; the result leaves it out. */
  stopAt?: readonly string[];
  /** Default 1024. */
  maxTokens?: number;
  /** Default 0.7. */
  temperature?: number;
  /** Aborting stops generation at once; the result holds the text so far. */
  signal?: AbortSignal;
  /** Called with each piece of text as it is generated. */
  onToken?: (text: string) => void;
}

export interface GenerateResult {
  text: string;
  stopReason: 'end' | 'maxTokens' | 'abort';
  /** Milliseconds from the call to the first piece of text; null when none came. */
  firstTokenMs: number | null;
  /** Tokens generated. */
  tokens: number;
  /** Generation speed after the first token (the prompt's evaluation left out); null below MEASURED_MIN_TOKENS. */
  tokensPerSecond: number | null;
}

/** Fewer tokens than this say more about timer noise than about the model's speed. */
export const MEASURED_MIN_TOKENS = 16;

export interface ChatGeneratorOptions {
  hasChatTemplate: boolean;
  /** Told the speed of every generation long enough to measure it (GenerateResult.tokensPerSecond). */
  onMeasured?: (tokensPerSecond: number) => void;
}

/**
 * The chat model's generation path: one context with one sequence, calls queued so they never
 * interleave. Its KV cache is kept between calls, so the next turn of a conversation only
 * evaluates what is new. The prompt format comes from `chatWrapperFor`.
 */
export class ChatGenerator implements Disposable {
  private readonly _queue = new SerialQueue();
  private _disposed = false;
  /** The plain-text path on the same sequence, made on first use (see `complete`). */
  private _completion: LlamaCompletion | null = null;

  private constructor(
    readonly loaded: LoadedModel,
    private readonly _context: LlamaContext,
    private readonly _chat: LlamaChat,
    /** Whether the model carries its own chat template; a model without one is a base model. */
    readonly hasChatTemplate: boolean,
    private readonly _onMeasured?: (tokensPerSecond: number) => void,
  ) {}

  static async create(loaded: LoadedModel, options: ChatGeneratorOptions): Promise<ChatGenerator> {
    const context = await loaded.model.createContext({
      contextSize: { max: loaded.contextSize },
      threads: loaded.threads,
    });
    const chatWrapper = chatWrapperFor(loaded.model, options.hasChatTemplate);
    const chat = new LlamaChat({ contextSequence: context.getSequence(), chatWrapper, autoDisposeSequence: true });
    return new ChatGenerator(loaded, context, chat, options.hasChatTemplate, options.onMeasured);
  }

  /** The prompt format in use, for example "Gemma", "ChatML" or "General". */
  get templateName(): string {
    return this._chat.chatWrapper.wrapperName;
  }

  get model(): LlamaModel {
    return this.loaded.model;
  }

  /** Tokens the context holds (prompt plus answer). */
  get contextSize(): number {
    return this._context.contextSize;
  }

  countTokens(text: string): number {
    if (this.disposed) throw new DisposedError('The chat model');
    return this.loaded.model.tokenize(text).length;
  }

  /** Runs one generation after any running one; see GenerateRequest. */
  generate(request: GenerateRequest): Promise<GenerateResult> {
    if (this.disposed) return Promise.reject(new DisposedError('The chat model'));
    return this._queue.run(() => this._generate(request));
  }

  /**
   * Continues `request.text` as it is, after any running call. A base model has no chat template
   * and follows a shown example far better than a described turn; both paths share one sequence,
   * which re-evaluates only what differs from what it holds.
   */
  complete(request: CompleteRequest): Promise<GenerateResult> {
    if (this.disposed) return Promise.reject(new DisposedError('The chat model'));
    return this._queue.run(async () => {
      if (request.signal?.aborted) return NOTHING;
      this._completion ??= new LlamaCompletion({ contextSequence: this._chat.sequence, autoDisposeSequence: false });
      const meter = new GenerationMeter(request.onToken);
      const response = await this._completion.generateCompletionWithMeta(request.text, {
        maxTokens: request.maxTokens ?? 1024,
        temperature: request.temperature ?? 0.7,
        signal: request.signal,
        stopOnAbortSignal: true,
        customStopTriggers: request.stopAt ? [...request.stopAt] : undefined,
        onToken: (chunk) => meter.tokens(chunk.length),
        onTextChunk: (text) => meter.text(text),
      });
      return this._result(response.response, response.metadata.stopReason, meter);
    });
  }

  private async _generate(request: GenerateRequest): Promise<GenerateResult> {
    if (request.signal?.aborted) return NOTHING;
    const meter = new GenerationMeter(request.onToken);
    const response = await this._chat.generateResponse(toHistory(request), {
      maxTokens: request.maxTokens ?? 1024,
      temperature: request.temperature ?? 0.7,
      topP: request.topP ?? 0.95,
      signal: request.signal,
      stopOnAbortSignal: true,
      onToken: (chunk) => meter.tokens(chunk.length),
      onTextChunk: (text) => meter.text(text),
    });
    return this._result(response.response, response.metadata.stopReason, meter);
  }

  private _result(text: string, reason: string, meter: GenerationMeter): GenerateResult {
    const tokensPerSecond = meter.tokensPerSecond();
    if (tokensPerSecond !== null) this._onMeasured?.(tokensPerSecond);
    return {
      text,
      stopReason: reason === 'abort' ? 'abort' : reason === 'maxTokens' ? 'maxTokens' : 'end',
      firstTokenMs: meter.firstTokenMs,
      tokens: meter.count,
      tokensPerSecond,
    };
  }

  get disposed(): boolean {
    return this._disposed || this._context.disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    await this._queue.idle();
    this._completion?.dispose();
    this._chat.dispose();
    await this._context.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

const NOTHING: GenerateResult = { text: '', stopReason: 'abort', firstTokenMs: null, tokens: 0, tokensPerSecond: null };

/** Times one generation: first text, and the speed of writing after the first token. */
class GenerationMeter {
  private readonly _started = performance.now();
  firstTokenMs: number | null = null;
  count = 0;
  private _firstAt = 0;
  private _lastAt = 0;

  constructor(private readonly _onText?: (text: string) => void) {}

  tokens(n: number): void {
    this._lastAt = performance.now();
    if (this.count === 0) this._firstAt = this._lastAt;
    this.count += n;
  }

  text(text: string): void {
    this.firstTokenMs ??= performance.now() - this._started;
    this._onText?.(text);
  }

  /** Tokens after the first over the time they took: the speed of writing, as the user sees it. */
  tokensPerSecond(): number | null {
    return this.count >= MEASURED_MIN_TOKENS && this._lastAt > this._firstAt
      ? ((this.count - 1) * 1000) / (this._lastAt - this._firstAt)
      : null;
  }
}

function toHistory(request: GenerateRequest): ChatHistoryItem[] {
  const messages = request.messages ?? [{ role: 'user' as const, text: request.prompt ?? '' }];
  const history: ChatHistoryItem[] = [];
  const system = messages.find((m) => m.role === 'system')?.text ?? request.system;
  if (system) history.push({ type: 'system', text: system });
  for (const m of messages) {
    if (m.role === 'user') history.push({ type: 'user', text: m.text });
    else if (m.role === 'assistant') history.push({ type: 'model', response: [m.text] });
  }
  // generateResponse continues the last model item: give it an empty one to write into.
  history.push({ type: 'model', response: [] });
  return history;
}
