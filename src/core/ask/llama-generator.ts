import { LlamaChatSession, type Llama, type LlamaContext, type LlamaModel } from 'node-llama-cpp';
import { DisposedError, type Disposable } from '../disposable';
import type { GenerateOptions, Generator } from './seams';
import { SerialQueue } from '../serial-queue';

export interface LlamaGeneratorOptions {
  /** A loaded chat model; the generator does not own it unless created by `load`. */
  model: LlamaModel;
  /** Evaluation threads. Default 1: on small machines oversubscribing is 10-500x slower. */
  threads?: number;
  /** Context size in tokens. Default: up to 4096, fitted by node-llama-cpp. */
  contextSize?: number;
}

/**
 * The Generator seam on node-llama-cpp: one context with one sequence, a fresh chat session
 * per answer (answers do not share history), calls queued so they never interleave.
 */
export class LlamaGenerator implements Generator, Disposable {
  private _disposed = false;
  private readonly _queue = new SerialQueue();

  private constructor(
    private readonly _model: LlamaModel,
    private readonly _context: LlamaContext,
    private readonly _ownsModel: boolean,
  ) {}

  static async create(options: LlamaGeneratorOptions, ownsModel = false): Promise<LlamaGenerator> {
    const context = await options.model.createContext({
      threads: options.threads ?? 1,
      contextSize: options.contextSize ?? { max: 4096 },
    });
    return new LlamaGenerator(options.model, context, ownsModel);
  }

  /** Loads a GGUF file and owns it: disposing the generator unloads the model. */
  static async load(
    llama: Llama,
    options: { modelPath: string; threads?: number; contextSize?: number },
  ): Promise<LlamaGenerator> {
    const model = await llama.loadModel({ modelPath: options.modelPath });
    try {
      return await LlamaGenerator.create({ model, threads: options.threads, contextSize: options.contextSize }, true);
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  get contextSize(): number {
    return this._context.contextSize;
  }

  countTokens(text: string): number {
    if (this._disposed) throw new DisposedError('The answer model');
    return this._model.tokenize(text).length;
  }

  generate(options: GenerateOptions): Promise<string> {
    if (this._disposed) return Promise.reject(new DisposedError('The answer model'));
    return this._queue.run(() => this._generate(options));
  }

  private async _generate(options: GenerateOptions): Promise<string> {
    if (options.signal?.aborted) return '';
    const sequence = this._context.getSequence();
    const session = new LlamaChatSession({
      contextSequence: sequence,
      systemPrompt: options.system,
      autoDisposeSequence: false,
    });
    try {
      return await session.prompt(options.prompt, {
        maxTokens: options.maxTokens ?? Math.floor(this.contextSize / 4),
        signal: options.signal,
        stopOnAbortSignal: true,
        onTextChunk: options.onToken,
      });
    } catch (error) {
      if (options.signal?.aborted) return '';
      throw error;
    } finally {
      session.dispose({ disposeSequence: false });
      sequence.dispose();
    }
  }

  get disposed(): boolean {
    return this._disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    await this._queue.idle();
    await this._context.dispose();
    if (this._ownsModel) await this._model.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
