import { totalmem } from 'node:os';
import { GgufInsights, type LlamaModel } from 'node-llama-cpp';
import type { ModelRole } from '../../shared/contract/models';
import { DisposedError, type Disposable } from '../disposable';
import type { LlamaRuntime } from './llama-runtime';
import type { ModelStore } from './model-store';
import { ModelTooLargeError } from './errors';

/** A model loaded for one role, with the thread count measured for it. */
export interface LoadedModel {
  readonly role: ModelRole;
  readonly file: string;
  readonly path: string;
  readonly model: LlamaModel;
  /** Evaluation threads chosen for this model on this machine (see LlamaRuntime.chooseThreads). */
  readonly threads: number;
  /** Context size to create contexts with: fitted to memory, capped by the training length. */
  readonly contextSize: number;
}

export interface LoadModelOptions {
  /** Largest context to fit; default 8192 for chat, 512 for the others. */
  maxContextSize?: number;
  signal?: AbortSignal;
}

export interface ModelSlotsOptions {
  runtime: LlamaRuntime;
  store: ModelStore;
  /** Bytes of RAM plus VRAM all loaded models may use together. Default 75% of total RAM (plus free VRAM). */
  memoryBudget?: () => Promise<number>;
}

/**
 * One loaded model per role (chat, embedding, reranker). Loading a different file for a role
 * unloads the previous one first; loads for the same role are serialised so two callers never
 * load the same model twice.
 */
export class ModelSlots implements Disposable {
  private readonly _slots = new Map<ModelRole, { loaded: LoadedModel; estimate: number }>();
  private readonly _pending = new Map<ModelRole, Promise<LoadedModel>>();
  private _disposed = false;

  constructor(private readonly _options: ModelSlotsOptions) {}

  /** The model loaded for `role`, or null. */
  current(role: ModelRole): LoadedModel | null {
    return this._slots.get(role)?.loaded ?? null;
  }

  /** Loads `file` for `role` (or returns it when already loaded). */
  async load(role: ModelRole, file: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
    if (this._disposed) throw new DisposedError('The model slots');
    const previous = this._pending.get(role);
    const run = (async () => {
      // Only waits for the previous load of this role to settle; its failure went to its caller.
      await previous?.catch(() => undefined);
      const current = this._slots.get(role);
      if (current?.loaded.file === file && !current.loaded.model.disposed) return current.loaded;
      return this._load(role, file, options);
    })();
    this._pending.set(role, run);
    try {
      return await run;
    } finally {
      if (this._pending.get(role) === run) this._pending.delete(role);
    }
  }

  private async _load(role: ModelRole, file: string, options: LoadModelOptions): Promise<LoadedModel> {
    await this.unload(role);
    const path = await this._options.store.require(file);
    const llama = await this._options.runtime.getLlama();
    const facts = await this._options.store.facts(file);
    const insights = await GgufInsights.from(facts.info, llama);
    const wanted = Math.min(
      options.maxContextSize ?? (role === 'chat' ? 8192 : 512),
      insights.trainContextSize ?? 4096,
    );
    const config = await insights.configurationResolver.resolveAndScoreConfig({
      targetContextSize: wanted,
      embeddingContext: role !== 'chat',
    });
    const estimate = config.resolvedValues.totalRamUsage + config.resolvedValues.totalVramUsage;
    const budget = await this._budget();
    const used = [...this._slots.values()].reduce((sum, s) => sum + s.estimate, 0);
    if (config.compatibilityScore === 0 || used + estimate > budget) {
      throw new ModelTooLargeError(file, estimate, Math.max(0, budget - used));
    }
    options.signal?.throwIfAborted();
    const model = await llama.loadModel({ modelPath: path, gpuLayers: 'auto', loadSignal: options.signal });
    try {
      const threads = await this._options.runtime.chooseThreads(model, file);
      const loaded: LoadedModel = {
        role,
        file,
        path,
        model,
        threads,
        contextSize: Math.min(wanted, Math.max(config.resolvedValues.contextSize, 128)),
      };
      this._slots.set(role, { loaded, estimate });
      return loaded;
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  private async _budget(): Promise<number> {
    if (this._options.memoryBudget) return this._options.memoryBudget();
    const llama = await this._options.runtime.getLlama();
    const vram = await llama.getVramState();
    return Math.round(totalmem() * 0.75) + vram.free;
  }

  /** Unloads the model of `role`, freeing its memory; contexts made from it are disposed too. */
  async unload(role: ModelRole): Promise<void> {
    const slot = this._slots.get(role);
    if (!slot) return;
    this._slots.delete(role);
    await slot.loaded.model.dispose();
  }

  /** Unloads every role that has `file` loaded (before deleting the file). */
  async unloadFile(file: string): Promise<void> {
    for (const [role, slot] of [...this._slots]) if (slot.loaded.file === file) await this.unload(role);
  }

  get disposed(): boolean {
    return this._disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    await Promise.allSettled([...this._pending.values()]);
    for (const role of [...this._slots.keys()]) await this.unload(role);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
