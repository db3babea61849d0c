import type { LlamaModel, LlamaRankingContext } from 'node-llama-cpp';
import { DisposedError, type Disposable } from '../disposable';
import type { Reranker } from './seams';
import { SerialQueue } from '../serial-queue';

/** The model cannot rerank (it is not a cross-encoder such as bge-reranker). */
export class RerankerUnsupportedError extends Error {
  override readonly name = 'RerankerUnsupportedError';
  constructor(readonly modelName: string) {
    super(
      `${modelName} cannot rerank passages; install a GGUF reranker (for example bge-reranker-v2-m3) ` +
        'for the reranker role, or leave the role empty to answer without reranking.',
    );
  }
}

/** The Reranker seam on node-llama-cpp's ranking context (a GGUF cross-encoder). */
export class LlamaReranker implements Reranker, Disposable {
  private _disposed = false;
  private readonly _queue = new SerialQueue();

  private constructor(private readonly _context: LlamaRankingContext) {}

  /** Creates the ranking context; threads default to 1: on small machines oversubscribing is 10-500x slower. */
  static async create(
    model: LlamaModel,
    options: { threads?: number; contextSize?: number } = {},
  ): Promise<LlamaReranker> {
    try {
      const context = await model.createRankingContext({
        threads: options.threads ?? 1,
        contextSize: options.contextSize ?? { max: 2048 },
      });
      return new LlamaReranker(context);
    } catch (error) {
      if (error instanceof Error && /not supported/i.test(error.message)) {
        throw new RerankerUnsupportedError(model.fileInfo.metadata.general?.name ?? 'This model');
      }
      throw error;
    }
  }

  rank(query: string, texts: string[], options: { signal?: AbortSignal } = {}): Promise<number[]> {
    if (this._disposed) return Promise.reject(new DisposedError('The reranker'));
    return this._queue.run(async () => {
      options.signal?.throwIfAborted();
      return this._context.rankAll(query, texts, { onOverflow: 'maxChunk' });
    });
  }

  get disposed(): boolean {
    return this._disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    await this._queue.idle();
    await this._context.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
