import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { OnStateDamage } from '../state';
import { estimateTokens, type TokenCounter } from './chunker';
import { loadEmbedModel, sameEmbedModel, type LoadedEmbedModel } from './embed-model';
import type { Embedder, EmbedModelInfo } from './embedder';
import { emptyIndexMeta, readIndexMeta, UNKNOWN_MODEL, type IndexMeta } from './index-meta';
import { LibraryStore } from './store';

export interface IndexGenerationOptions {
  /** The library's folder: `index.json` and `lancedb/` live here. */
  dir: string;
  /** The embedding model the user chose (absolute .gguf path); see LibraryOptions.embedModelPath. */
  embedModelPath: string | null;
  /** Where installed models live, to find the index's own model when none is chosen. */
  modelsDir?: string;
  /** CPU threads for embedding. Default 1. */
  embedThreads?: number;
  onNotice?: (message: string) => void;
  onDamage?: OnStateDamage;
}

/**
 * The index's generation: one LanceDB store (`documents_gN`, `chunks_gN`) per embedding model,
 * the model that embeds into it, and while the user's new model builds, a second store that
 * is swapped in when it is complete. `index.json` records which is which.
 */
export class IndexGeneration {
  private _meta: IndexMeta = emptyIndexMeta();
  private _store!: LibraryStore;
  private _buildStore: LibraryStore | null = null;
  private _model: LoadedEmbedModel | null = null;
  /** Why indexing waits (the model the vectors need is not loaded); null while it may run. */
  private _held: string | null = null;
  private _recovered: 'damaged' | 'missing' | null = null;

  private constructor(private readonly _options: IndexGenerationOptions) {}

  /** Reads index.json (or recovers it from the tables) and opens the active store. */
  static async open(options: IndexGenerationOptions): Promise<IndexGeneration> {
    const generation = new IndexGeneration(options);
    const { meta, recovered } = await readIndexMeta(options.dir, generation._lanceDir, options.onDamage);
    generation._meta = meta;
    generation._recovered = recovered;
    generation._store = await LibraryStore.open(generation._lanceDir, meta.generation);
    return generation;
  }

  private get _lanceDir(): string {
    return join(this._options.dir, 'lancedb');
  }

  /** The store searches read. */
  get store(): LibraryStore {
    return this._store;
  }

  /** The store index runs write: the new generation while one builds, else the active one. */
  get target(): LibraryStore {
    return this._buildStore ?? this._store;
  }

  /** Every open store; removals apply to both while a new generation builds. */
  get stores(): LibraryStore[] {
    return this._buildStore ? [this._store, this._buildStore] : [this._store];
  }

  /** The model of the active generation's vectors; null for a library searched by full text only. */
  get model(): EmbedModelInfo | null {
    return this._meta.model;
  }

  get building(): boolean {
    return this._meta.building !== null;
  }

  get embedder(): Embedder | null {
    return this._model?.embedder ?? null;
  }

  get countTokens(): TokenCounter {
    return this._model?.countTokens ?? estimateTokens;
  }

  get held(): string | null {
    return this._held;
  }

  /**
   * Loads the embedding model and settles the generation. Only the user's choice of a different
   * model starts a new generation (`rebuild` queues the scans that fill it); no choice, a
   * missing or unloadable model, or a damaged settings file keep the generation the library
   * has, searched with the model it was built with when that can be found, else by full text
   * with new files held back until it is.
   */
  async settle(rebuild: () => Promise<void>): Promise<void> {
    await this._settleModel(rebuild);
    if (this._meta.building) this._buildStore = await LibraryStore.open(this._lanceDir, this._meta.building.generation);
  }

  private async _settleModel(rebuild: () => Promise<void>): Promise<void> {
    const threads = this._options.embedThreads ?? 1;
    const chosen = this._options.embedModelPath;
    const notice = (message: string) => this._options.onNotice?.(message);
    const load = chosen ? await loadEmbedModel(chosen, threads) : null;
    const chosenProblem =
      load && !load.ok ? `The embedding model ${basename(chosen!)} could not be loaded: ${load.problem}` : null;
    const recovered = this._recovered;
    if (recovered) await this._recoverModel(load?.ok ? load.model : null);
    // Right after recovery, vectors of an unknown model are not replaced by whatever is chosen;
    // on a later start the choice counts like any other and re-indexes the library.
    if (load?.ok && !(recovered && this._meta.model?.name === UNKNOWN_MODEL)) {
      this._model = load.model;
      await this._adoptModel(load.model.embedder.info, load.model.path, rebuild);
      if (chosenProblem) notice(chosenProblem);
      return;
    }
    if (load?.ok) await load.model.dispose();
    const model = this._meta.model;
    if (this._meta.building) {
      // The re-index the user started goes on with its model, when that can still be found.
      const build = this._meta.building;
      const own = build.modelPath ? await loadEmbedModel(build.modelPath, threads) : null;
      if (own?.ok && sameEmbedModel(own.model.embedder.info, build.model)) {
        this._model = own.model;
        if (chosenProblem) notice(`${chosenProblem}. The library goes on re-indexing with ${build.model?.name}.`);
        return;
      }
      if (own?.ok) await own.model.dispose();
      const wanted = build.model?.name ?? 'the new embedding model';
      this._hold(
        `${chosenProblem ?? 'No embedding model is chosen'}, so the re-index for ${wanted} waits and the library answers from its current index. ` +
          `Choose ${wanted} again on the Models page to finish it, or another model to start over.`,
      );
      return;
    }
    if (!model) {
      if (chosenProblem) notice(`${chosenProblem}. The library is searched by full text only.`);
      return;
    }
    const recorded =
      this._meta.modelPath ?? (this._options.modelsDir ? join(this._options.modelsDir, model.name) : null);
    let missing = `is not at ${recorded}`;
    if (model.name !== UNKNOWN_MODEL && recorded) {
      const own = await loadEmbedModel(recorded, threads);
      if (!own.ok && existsSync(recorded)) missing = `could not be loaded from ${recorded} (${own.problem})`;
      if (own.ok) missing = `is not the file now at ${recorded}`;
      if (own.ok && sameEmbedModel(own.model.embedder.info, model)) {
        this._model = own.model;
        if (chosenProblem)
          notice(`${chosenProblem}. The library keeps searching with ${model.name}, the model its vectors came from.`);
        return;
      }
      if (own.ok) await own.model.dispose();
    }
    const where = this._options.modelsDir ?? 'the models folder';
    this._hold(
      model.name === UNKNOWN_MODEL
        ? `The library's index record was damaged, so Hearth cannot tell which embedding model made its ${model.dimension}-dimension vectors. ` +
            'It keeps them and searches by full text; new or changed files wait. Choose the embedding model you want on the Models page (or with `hearth models use FILE`): that re-indexes the library.'
        : `${chosenProblem ? `${chosenProblem}. ` : ''}The library's vectors were made with ${model.name}, which ${missing}. ` +
            `It keeps them and searches by full text; new or changed files wait until ${model.name} is back in ${where}. ` +
            'Choosing another embedding model on the Models page re-indexes the library instead.',
    );
  }

  /**
   * After a damaged or missing index.json: the model of the stored vectors is unknown. A loaded
   * model of the same dimension is taken as theirs; otherwise the vectors are kept under an
   * unknown model, so no new generation starts until the user chooses a model.
   */
  private async _recoverModel(loaded: LoadedEmbedModel | null): Promise<void> {
    const dimension = await this._store.vectorDimension();
    const empty = (await this._store.documents()).length === 0;
    if (!empty && dimension > 0) {
      this._meta.model =
        loaded && loaded.embedder.info.dimension === dimension
          ? loaded.embedder.info
          : { name: UNKNOWN_MODEL, bytes: 0, dimension, weak: false };
      this._meta.modelPath = this._meta.model.name === UNKNOWN_MODEL ? null : loaded!.path;
    }
    // A damaged file has had its notice. A missing one is normal: a library searched by full
    // text only never needed to write index.json before this version.
    await this._saveMeta();
  }

  /** Indexing waits (the queue is kept) and search uses full text; the user is told why. */
  private _hold(reason: string): void {
    this._held = reason;
    this._options.onNotice?.(reason);
  }

  /** The user chose a model: a different one than the index's starts (or resumes) a new generation. */
  private async _adoptModel(model: EmbedModelInfo, path: string, rebuild: () => Promise<void>): Promise<void> {
    if (sameEmbedModel(this._meta.model, model)) {
      if (this._meta.building) await this._dropBuild();
      if (this._meta.modelPath !== path) {
        this._meta.modelPath = path;
        await this._saveMeta();
      }
      return;
    }
    if (this._meta.building && sameEmbedModel(this._meta.building.model, model)) return;
    if (this._meta.building) await this._dropBuild();
    const empty = (await this._store.documents()).length === 0;
    if (empty) {
      this._meta.model = model;
      this._meta.modelPath = path;
    } else {
      this._meta.building = { generation: this._meta.generation + 1, model, modelPath: path };
      await LibraryStore.drop(this._lanceDir, this._meta.building.generation);
      await rebuild();
    }
    await this._saveMeta();
  }

  private async _dropBuild(): Promise<void> {
    const generation = this._meta.building!.generation;
    this._meta.building = null;
    await this._buildStore?.dispose();
    this._buildStore = null;
    await LibraryStore.drop(this._lanceDir, generation);
    await this._saveMeta();
  }

  /** After a run: brings the written store's indexes up to date and, once a new generation is complete, swaps it in and drops the old one. */
  async finishRun(queueEmpty: boolean): Promise<void> {
    await this.target.commit();
    if (!this._meta.building || !queueEmpty) return;
    const old = this._meta.generation;
    const oldStore = this._store;
    this._store = this._buildStore!;
    this._buildStore = null;
    const { generation, model, modelPath } = this._meta.building;
    this._meta = { generation, model, modelPath, building: null };
    await this._saveMeta();
    await oldStore.dispose();
    await LibraryStore.drop(this._lanceDir, old);
  }

  private _saveMeta(): Promise<void> {
    return writeFileAtomic(join(this._options.dir, 'index.json'), JSON.stringify(this._meta));
  }

  /** Closes the embedding model first (a batch in flight is refused, so a run ends at once). */
  async disposeModel(): Promise<void> {
    await this._model?.dispose();
  }

  /** Closes the stores; the model must be closed already (disposeModel) and no run writing. */
  async dispose(): Promise<void> {
    await this._buildStore?.dispose();
    await this._store.dispose();
  }
}
