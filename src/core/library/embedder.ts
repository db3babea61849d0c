import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DisposedError, type Disposable } from '../disposable';
import { SerialQueue } from '../serial-queue';
import { LLAMA_OPTIONS } from '../models/llama-options';
import { LibraryError } from './errors';

/** Identity of the model the vectors came from, stored with the index. */
export interface EmbedModelInfo {
  name: string;
  bytes: number;
  dimension: number;
  /**
   * A model too small to rank anything (see isWeakEmbedModel): its vectors are stored but
   * hybrid search does not let them reorder full-text results.
   */
  weak: boolean;
}

/** 8 MiB: above the toy test models (1-2 MB), below any real sentence-embedding GGUF. */
const WEAK_BELOW_BYTES = 8 * 1024 * 1024;

/**
 * Whether a model's vectors are too poor to fuse into search. Below 128 dimensions (the toy
 * stories260K has 64, llama-2-tiny-random 8) or below 8 MiB. The size bar was 20 MB, which
 * threw away real models: all-MiniLM-L6-v2 quantized to Q4_0 is 13.5 MiB and still lifts
 * Cranfield well above BM25 (docs/RETRIEVAL.md).
 */
export function isWeakEmbedModel(dimension: number, bytes: number): boolean {
  return dimension < 128 || bytes < WEAK_BELOW_BYTES;
}

export interface EmbedderOptions {
  /** Absolute path of the GGUF file. */
  modelPath: string;
  /** CPU threads for the worker. Default 1, so indexing never starves the chat model. */
  threads?: number;
  /** Tokens per text; longer chunks are embedded by their beginning. Default 512. */
  contextSize?: number;
}

// The worker is plain JavaScript given as a string so that it runs the same from the sources
// (tests), from the bundle (out/main) and inside Electron, without a separate build entry.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { getLlama } = await import(workerData.llamaUrl);
  const llama = await getLlama({ ...workerData.llamaOptions, gpu: false });
  const model = await llama.loadModel({ modelPath: workerData.modelPath });
  const context = await model.createEmbeddingContext({ threads: workerData.threads, contextSize: workerData.contextSize });
  const max = Math.max(8, workerData.contextSize - 8);
  const probe = await context.getEmbeddingFor('dimension');
  parentPort.postMessage({ type: 'ready', dimension: probe.vector.length });
  // One message at a time: closing never frees the context under an embedding in progress
  // (that crashes the process); a batch stops at the next text once a close is asked for.
  let busy = Promise.resolve();
  let closing = false;
  parentPort.on('message', (message) => {
    if (message.type === 'close') {
      closing = true;
      busy = busy.then(async () => {
        await context.dispose(); await model.dispose(); await llama.dispose();
        parentPort.postMessage({ type: 'closed' });
      });
      return;
    }
    busy = busy.then(async () => {
      try {
        const dim = probe.vector.length;
        const out = new Float32Array(message.texts.length * dim);
        for (let i = 0; i < message.texts.length; i++) {
          if (closing) throw new Error('The embedding model is closing.');
          const tokens = model.tokenize(message.texts[i]).slice(0, max);
          const embedding = tokens.length ? await context.getEmbeddingFor(tokens) : { vector: new Array(dim).fill(0) };
          out.set(embedding.vector, i * dim);
        }
        parentPort.postMessage({ type: 'vectors', id: message.id, data: out }, [out.buffer]);
      } catch (error) {
        parentPort.postMessage({ type: 'error', id: message.id, message: String(error && error.message || error) });
      }
    });
  });
})().catch((error) => parentPort.postMessage({ type: 'failed', message: String(error && error.message || error) }));
`;

interface Pending {
  resolve: (vectors: number[][]) => void;
  reject: (error: Error) => void;
}

/**
 * An embedding model running in a worker thread (node-llama-cpp's embedding context), so that
 * the engine's thread stays free. Texts are sent in batches; one batch is in flight at a time.
 */
export class Embedder implements Disposable {
  private _disposed = false;
  private _nextId = 1;
  private readonly _pending = new Map<number, Pending>();
  private readonly _queue = new SerialQueue();

  private constructor(
    private readonly _worker: Worker,
    readonly info: EmbedModelInfo,
  ) {
    _worker.on('message', (message: { type: string; id?: number; data?: Float32Array; message?: string }) => {
      const pending = message.id === undefined ? undefined : this._pending.get(message.id);
      if (!pending) return;
      this._pending.delete(message.id!);
      if (message.type === 'vectors') {
        const dim = info.dimension;
        const data = message.data!;
        pending.resolve(
          Array.from({ length: data.length / dim }, (_, i) => Array.from(data.subarray(i * dim, (i + 1) * dim))),
        );
      } else pending.reject(new LibraryError(`The embedding model failed: ${message.message}`));
    });
    _worker.on('error', (error) => this._failAll(error));
    _worker.on('exit', () => this._failAll(new LibraryError('The embedding worker stopped.')));
  }

  static async create(options: EmbedderOptions): Promise<Embedder> {
    const bytes = await stat(options.modelPath).then(
      (s) => s.size,
      () => {
        throw new LibraryError(
          `The embedding model ${options.modelPath} does not exist; download it in Models or pass --embed-model with a .gguf file.`,
        );
      },
    );
    const llamaUrl = pathToFileURL(createRequire(import.meta.url).resolve('node-llama-cpp')).href;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        llamaUrl,
        llamaOptions: LLAMA_OPTIONS,
        modelPath: options.modelPath,
        threads: options.threads ?? 1,
        contextSize: options.contextSize ?? 512,
      },
    });
    const dimension = await new Promise<number>((resolve, reject) => {
      worker.once('message', (m: { type: string; dimension?: number; message?: string }) =>
        m.type === 'ready'
          ? resolve(m.dimension!)
          : reject(new LibraryError(`The embedding model could not be loaded: ${m.message}`)),
      );
      worker.once('error', reject);
    });
    const weak = isWeakEmbedModel(dimension, bytes);
    return new Embedder(worker, { name: basename(options.modelPath), bytes, dimension, weak });
  }

  private _failAll(error: Error): void {
    for (const pending of this._pending.values()) pending.reject(error);
    this._pending.clear();
  }

  /** Vectors for the texts, in order. Batches queue behind each other. */
  embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<number[][]> {
    if (this._disposed) return Promise.reject(new DisposedError('The embedding model'));
    if (texts.length === 0) return Promise.resolve([]);
    return this._queue.run(() => {
      options.signal?.throwIfAborted();
      if (this._disposed) throw new DisposedError('The embedding model');
      return new Promise<number[][]>((resolve, reject) => {
        const id = this._nextId++;
        this._pending.set(id, { resolve, reject });
        this._worker.postMessage({ type: 'embed', id, texts });
      });
    });
  }

  get disposed(): boolean {
    return this._disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    // Not after the batch in flight (64 chunks can take a minute on a busy machine): the worker
    // stops it at the next text and then closes its context; what was waiting is refused.
    this._failAll(new DisposedError('The embedding model'));
    const closed = new Promise<void>((resolve) => {
      // Terminating a worker inside native code can crash the process: give it time to close.
      const timer = setTimeout(resolve, 10_000);
      this._worker.on('message', (m: { type: string }) => {
        if (m.type === 'closed') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    this._worker.postMessage({ type: 'close' });
    await closed;
    await this._worker.terminate();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
