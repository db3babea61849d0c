import type { LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import { DisposedError, type Disposable } from '../disposable';
import type { Embedder } from './chunk-index';

/** The Embedder on node-llama-cpp's embedding context, one text at a time (threads default 1). */
export class LlamaEmbedder implements Embedder, Disposable {
  private _disposed = false;

  private constructor(
    private readonly _model: LlamaModel,
    private readonly _context: LlamaEmbeddingContext,
    private readonly _maxTokens: number,
    readonly dimension: number,
  ) {}

  static async create(
    model: LlamaModel,
    options: { threads?: number; contextSize?: number } = {},
  ): Promise<LlamaEmbedder> {
    const contextSize = options.contextSize ?? 512;
    const context = await model.createEmbeddingContext({ threads: options.threads ?? 1, contextSize });
    const probe = await context.getEmbeddingFor('dimension');
    return new LlamaEmbedder(model, context, contextSize - 8, probe.vector.length);
  }

  async embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<number[][]> {
    if (this._disposed) throw new DisposedError('The embedding model');
    const out: number[][] = [];
    for (const text of texts) {
      options.signal?.throwIfAborted();
      // Texts longer than the context are embedded by their beginning.
      const tokens = this._model.tokenize(text).slice(0, this._maxTokens);
      const embedding = await this._context.getEmbeddingFor(tokens);
      out.push([...embedding.vector]);
    }
    return out;
  }

  get disposed(): boolean {
    return this._disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    await this._context.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
