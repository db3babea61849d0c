import { freemem, totalmem } from 'node:os';
import { getLlama, type Llama, type LlamaModel } from 'node-llama-cpp';
import { LLAMA_OPTIONS } from './llama-options';
import { DisposedError, type Disposable } from '../disposable';

export interface LlamaRuntimeOptions {
  /** GPU backend: `auto` detects CUDA, Metal or Vulkan and falls back to the CPU. Default `auto`. */
  gpu?: 'auto' | false;
  /** Fixed thread count; 0 or undefined means measure (see chooseThreads). */
  threads?: () => number;
}

/** What the machine offers for inference; plain data for the UI. */
export interface HardwareState {
  /** `cuda`, `metal`, `vulkan`, or false for CPU only. */
  gpu: string | false;
  cpuCores: number;
  ramTotal: number;
  ramFree: number;
  vramTotal: number;
  vramFree: number;
}

/** How long a probe generation took with each thread count, and the winner. */
export interface ThreadMeasurement {
  threads: number;
  msPerToken: Record<number, number>;
}

const PROBE_TOKENS = 12;

/**
 * The one node-llama-cpp runtime of the process. The native backend is loaded lazily on first
 * use (it costs a second and some memory), once, and shared by every capability.
 */
export class LlamaRuntime implements Disposable {
  private _llama: Promise<Llama> | null = null;
  private _disposed = false;
  private readonly _measured = new Map<string, Promise<ThreadMeasurement>>();

  constructor(private readonly _options: LlamaRuntimeOptions = {}) {}

  /** The shared Llama; GPU auto-detected unless the runtime was created with `gpu: false`. */
  getLlama(): Promise<Llama> {
    if (this._disposed) return Promise.reject(new DisposedError('The model runtime'));
    this._llama ??= getLlama({ ...LLAMA_OPTIONS, gpu: this._options.gpu ?? 'auto' }).catch(
      (error: unknown) => {
        this._llama = null;
        throw error;
      },
    );
    return this._llama;
  }

  async hardware(): Promise<HardwareState> {
    const llama = await this.getLlama();
    const vram = await llama.getVramState();
    return {
      gpu: llama.gpu,
      cpuCores: llama.cpuMathCores,
      ramTotal: totalmem(),
      ramFree: freemem(),
      vramTotal: vram.total,
      vramFree: vram.free,
    };
  }

  /**
   * The thread count for evaluating `model` on this machine. A user setting wins; otherwise
   * each candidate (1 up to the CPU's math cores) generates a few tokens and the fastest is
   * kept for the life of the process. Guessing is not good enough: on 2 cores under load the
   * wrong count is 10-500x slower (../shared/models/README.md). With a GPU doing the work the
   * CPU count matters little and this simply settles on the fastest.
   */
  async chooseThreads(model: LlamaModel, key = model.filename ?? 'model'): Promise<number> {
    const fixed = this._options.threads?.() ?? 0;
    if (fixed > 0) return fixed;
    let measured = this._measured.get(key);
    if (!measured) {
      measured = this.measureThreads(model);
      this._measured.set(key, measured);
      measured.catch(() => this._measured.delete(key));
    }
    return (await measured).threads;
  }

  /** Times a short greedy generation with each candidate thread count. */
  async measureThreads(model: LlamaModel): Promise<ThreadMeasurement> {
    const llama = await this.getLlama();
    const cores = Math.max(1, llama.cpuMathCores);
    const candidates = [...new Set([1, Math.min(2, cores), Math.ceil(cores / 2), cores])].sort((a, b) => a - b);
    const prompt = model.tokenize('Once upon a time, in a small house by the sea, there lived');
    const msPerToken: Record<number, number> = {};
    let fastest = Number.POSITIVE_INFINITY;
    for (const threads of candidates) {
      const context = await model.createContext({ contextSize: 128, threads, batchSize: 64 });
      let best = Number.POSITIVE_INFINITY;
      let loser = false;
      try {
        // Best of two: the first run also warms caches.
        for (let round = 0; round < 2 && !loser; round++) {
          const sequence = context.getSequence();
          try {
            const start = performance.now();
            // A candidate 3x slower than the fastest so far has lost; stop timing it.
            const limit = fastest * PROBE_TOKENS * 3;
            let count = 0;
            for await (const token of sequence.evaluate(prompt, { temperature: 0 })) {
              void token;
              count++;
              if (count >= PROBE_TOKENS) break;
              if (performance.now() - start > limit) {
                loser = true;
                break;
              }
            }
            best = Math.min(best, (performance.now() - start) / Math.max(1, count));
          } finally {
            await sequence.dispose();
          }
        }
      } finally {
        await context.dispose();
      }
      msPerToken[threads] = Math.round(best * 1000) / 1000;
      fastest = Math.min(fastest, best);
      // More threads will not help when this many already lost.
      if (loser || best > 1.5 * fastest) break;
    }
    const threads = Number(Object.entries(msPerToken).sort((a, b) => a[1] - b[1])[0]![0]);
    return { threads, msPerToken };
  }

  get disposed(): boolean {
    return this._disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    // A runtime that failed to load has nothing to close; its error went to the model that asked.
    const llama = await this._llama?.catch(() => null);
    await llama?.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
