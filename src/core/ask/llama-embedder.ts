import type { LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import { DisposedError, type Disposable } from '../disposable';
import type { Embedder } from './chunk-index';

/** The Embedder on node-llama-cpp's embedding context, one text at a time on one thread. */
export class LlamaEmbedder implements Embedder, Disposable {
  private _disposed = false;

  private constructor(
    private readonly _context: LlamaEmbeddingContext,
    readonly dimension: number,
  ) {}

  static async create(
    model: LlamaModel,
    options: { threads?: number; contextSize?: number } = {},
  ): Promise<LlamaEmbedder> {
    const context = await model.createEmbeddingContext({
      threads: options.threads ?? 1,
      contextSize: options.contextSize ?? 512,
    });
    const probe = await context.getEmbeddingFor('dimension');
    return new LlamaEmbedder(context, probe.vector.length);
  }

  async embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<number[][]> {
    if (this._disposed) throw new DisposedError('The embedding model');
    const out: number[][] = [];
    for (const text of texts) {
      options.signal?.throwIfAborted();
      const embedding = await this._context.getEmbeddingFor(text.slice(0, 2000));
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
