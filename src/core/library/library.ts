import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import * as v from 'valibot';
import writeFileAtomic from 'write-file-atomic';
import type { Collection, FileStatus, LibraryProgress, LibraryStatus } from '../../shared/contract/library';
import type { Settings } from '../../shared/settings';

type LibrarySettings = Settings['library'];
import { DisposedError, type Disposable } from '../disposable';
import { readJsonState, type OnStateDamage } from '../state';
import { estimateTokens, type TokenCounter } from './chunker';
import { loadEmbedModel, sameEmbedModel, type LoadedEmbedModel } from './embed-model';
import type { Embedder, EmbedModelInfo } from './embedder';
import { LibraryError } from './errors';
import { DEFAULT_LIMITS } from './extract';
import { ExtractPool, type ExtractPoolInit } from './extract/extract-pool';
import { readIndexMeta, emptyIndexMeta, UNKNOWN_MODEL, type IndexMeta } from './index-meta';
import { indexFile, type IndexedFile } from './indexer';
import { scanSource } from './scanner';
import type { PageKind } from './extract/types';
import {
  documentKey,
  LibraryStore,
  type ChunkFilter,
  type ChunkRow,
  type DocumentRow,
  type SearchRanks,
} from './store';
import { LibraryWatcher } from './watcher';
import { WorkQueue, type WorkItem } from './work-queue';

export interface LibraryOptions {
  /** Folder of the index: LanceDB tables, collections, the work queue. */
  dir: string;
  /** Library settings, read at the start of each batch so changes apply to the next files. */
  settings: () => LibrarySettings;
  /**
   * The embedding model the user chose (absolute .gguf path). A different model than the index
   * was built with starts a new generation. Null or unloadable never does: the library keeps its
   * generation and looks for the model it was built with (recorded path, then `modelsDir`).
   */
  embedModelPath?: string | null;
  /** Where installed models live, to find the index's own model when none is chosen. */
  modelsDir?: string;
  /** Something the user should know (the model the vectors need is missing, say). */
  onNotice?: (message: string) => void;
  /** Told about damaged state files (index.json, collections.json, queue.json) after they were set aside. */
  onDamage?: OnStateDamage;
  /** CPU threads for embedding. Default 1. */
  embedThreads?: number;
  /** Follow file changes with a watcher (the app); the CLI indexes once. Default: settings.watch. */
  watch?: boolean;
  /** Start working through the persisted queue right away. Default true. */
  autoStart?: boolean;
  /** Indexing waits between batches while this says the user is busy (chatting). */
  isBusy?: () => boolean;
  onProgress?: (progress: LibraryProgress) => void;
  onChanged?: (collectionId: string) => void;
  /** How documents are read off the engine thread (tests shorten the time budget). */
  reader?: ExtractPoolInit;
  /** Called just before a file is read; tests use it to change the file under the indexer. */
  beforeRead?: (path: string) => Promise<void> | void;
}

const StoredCollectionSchema = v.object({
  id: v.string(),
  name: v.string(),
  sources: v.array(v.string()),
  indexedAt: v.nullable(v.number()),
});
type StoredCollection = v.InferOutput<typeof StoredCollectionSchema>;

interface RunStats {
  startedAt: number;
  filesTotal: number;
  filesDone: number;
  bytesTotal: number;
  bytesDone: number;
  chunks: number;
  errors: number;
  phase: LibraryProgress['phase'];
}

/** One passage of the library: the chunk's id, its full text and where it stands in its file. */
export interface LibraryPassage {
  id: string;
  path: string;
  /** The collection's name. */
  collection: string;
  type: string;
  /** 1-based page, slide, sheet or chapter; null for formats without pages. */
  page: number | null;
  pageKind: PageKind | null;
  lineStart: number | null;
  lineEnd: number | null;
  headingPath: string[];
  text: string;
}

/**
 * One found passage and how the search ranked it: everything Ask and the CLI need, so nothing
 * is read again (or joined back by location) to find the passage.
 */
export interface LibraryHit extends LibraryPassage {
  /** The fused (reciprocal rank) score. */
  score: number;
  ranks: SearchRanks;
  /** About 240 characters of the text around the query's words. */
  snippet: string;
}

/** Where to look: any of these collections (ids or names), folders or files. Empty: the whole library. */
export interface LibraryScope {
  collections?: readonly string[];
  folders?: readonly string[];
  files?: readonly string[];
}

export interface SearchOptions {
  /** Only this collection (id or name). */
  collection?: string;
  /** Only this folder or file (absolute). */
  pathPrefix?: string;
  /** Only the union of these places; combined with the options above, all must hold. */
  scope?: LibraryScope;
  types?: string[];
  top?: number;
  /** Overrides the fusion weight of the vector ranking (benchmarks). */
  vectorWeight?: number;
  signal?: AbortSignal;
}

const BATCH_FILES = 64;
/**
 * Chunks a batch may hold before it stops taking files (the rest wait for the next batch). A big
 * file's chunks do not count: they are stored in slices of BIG_FILE_SLICE as they come.
 */
const BATCH_CHUNKS = 4096;
const BIG_FILE_SLICE = 512;
const READ_CONCURRENCY = 4;

/**
 * The private library: collections of folders and files, indexed into LanceDB through a
 * persisted work queue, kept current by a watcher, searched with hybrid full text + vectors.
 */
export class Library implements Disposable {
  private _disposed = false;
  private _collections: StoredCollection[] = [];
  private _meta: IndexMeta = emptyIndexMeta();
  private _store!: LibraryStore;
  private _buildStore: LibraryStore | null = null;
  private _queue!: WorkQueue;
  private _embedder: Embedder | null = null;
  private _countTokens: TokenCounter = estimateTokens;
  private _model: LoadedEmbedModel | null = null;
  /** Why indexing waits (the model the vectors need is not loaded); null while it may run. */
  private _held: string | null = null;
  private _watcher: LibraryWatcher | null = null;
  private _running: Promise<void> | null = null;
  private _paused = false;
  private _resume: (() => void) | null = null;
  private _abort = new AbortController();
  private readonly _runs = new Map<string, RunStats>();
  private _lastEmit = 0;
  private _idleWaiters: (() => void)[] = [];
  private _replaying = false;
  private readonly _reader: ExtractPool;

  private constructor(private readonly _options: LibraryOptions) {
    this._reader = new ExtractPool(_options.reader);
  }

  static async open(options: LibraryOptions): Promise<Library> {
    const library = new Library(options);
    await library._open();
    return library;
  }

  private get _lanceDir(): string {
    return join(this._options.dir, 'lancedb');
  }

  private async _open(): Promise<void> {
    const dir = this._options.dir;
    await mkdir(dir, { recursive: true });
    const { meta, recovered } = await readIndexMeta(dir, this._lanceDir, this._options.onDamage);
    this._meta = meta;
    this._store = await LibraryStore.open(this._lanceDir, this._meta.generation);
    this._collections = await this._readCollections();
    this._queue = await WorkQueue.open(join(dir, 'queue.json'), this._options.onDamage);
    // Work left by a killed process may have reached the index half-way: replay it with deletes.
    this._replaying = this._queue.size > 0;
    await this._settleModel(recovered);
    if (this._meta.building) this._buildStore = await LibraryStore.open(this._lanceDir, this._meta.building.generation);
    if (this._options.watch ?? this._options.settings().watch) {
      this._watcher = new LibraryWatcher({
        ignore: () => this._options.settings().ignore,
        onChange: (items) => this._enqueue(items),
      });
      this._watcher.watch(this._collections.flatMap((c) => c.sources.map((source) => ({ collection: c.id, source }))));
    }
    if (this._options.autoStart ?? true) this._kick();
  }

  /** collections.json, or (when it was damaged) the collections found again in the index. */
  private async _readCollections(): Promise<StoredCollection[]> {
    const state = await readJsonState(join(this._options.dir, 'collections.json'), v.array(StoredCollectionSchema), {
      onDamage: this._options.onDamage,
      consequence:
        'the library listed its collections again from the index as "Recovered collection N", with their documents still searchable; rename them and add their folders again in Library.',
    });
    if (state.kind === 'value') return state.value;
    if (state.kind === 'missing') return [];
    const ids = [...new Set((await this._store.documents()).map((d) => d.collection))];
    const recovered = ids.map((id, i) => ({ id, name: `Recovered collection ${i + 1}`, sources: [], indexedAt: null }));
    this._collections = recovered;
    await this._saveCollections();
    return recovered;
  }

  /**
   * Loads the embedding model and settles the generation. Only the user's choice of a different
   * model starts a new generation; no choice, a missing or unloadable model, or a damaged
   * settings file keep the generation the library has, searched with the model it was built
   * with when that can be found, else by full text with new files held back until it is.
   */
  private async _settleModel(recovered: 'damaged' | 'missing' | null): Promise<void> {
    const threads = this._options.embedThreads ?? 1;
    const chosen = this._options.embedModelPath ?? null;
    const load = chosen ? await loadEmbedModel(chosen, threads) : null;
    const chosenProblem =
      load && !load.ok ? `The embedding model ${basename(chosen!)} could not be loaded: ${load.problem}` : null;
    if (recovered) await this._recoverModel(load?.ok ? load.model : null);
    // Right after recovery, vectors of an unknown model are not replaced by whatever is chosen;
    // on a later start the choice counts like any other and re-indexes the library.
    if (load?.ok && !(recovered && this._meta.model?.name === UNKNOWN_MODEL)) {
      this._useModel(load.model);
      await this._adoptModel(load.model.embedder.info, load.model.path);
      if (chosenProblem) this._options.onNotice?.(chosenProblem);
      return;
    }
    if (load?.ok) await load.model.dispose();
    const model = this._meta.model;
    if (this._meta.building) {
      // The re-index the user started goes on with its model, when that can still be found.
      const build = this._meta.building;
      const own = build.modelPath ? await loadEmbedModel(build.modelPath, threads) : null;
      if (own?.ok && sameEmbedModel(own.model.embedder.info, build.model)) {
        this._useModel(own.model);
        if (chosenProblem)
          this._options.onNotice?.(`${chosenProblem}. The library goes on re-indexing with ${build.model?.name}.`);
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
      if (chosenProblem) this._options.onNotice?.(`${chosenProblem}. The library is searched by full text only.`);
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
        this._useModel(own.model);
        if (chosenProblem)
          this._options.onNotice?.(
            `${chosenProblem}. The library keeps searching with ${model.name}, the model its vectors came from.`,
          );
        return;
      }
      if (own.ok) await own.model.dispose();
    }
    const where = this._options.modelsDir ?? 'the models folder';
    this._hold(
      model.name === UNKNOWN_MODEL
        ? `The library's index record was damaged, so Hearth cannot tell which embedding model made its ${model.dimension}-dimension vectors. ` +
            'It keeps them and searches by full text; new or changed files wait. Restart Hearth with the embedding model you want chosen on the Models page: that re-indexes the library.'
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

  private _useModel(model: LoadedEmbedModel): void {
    this._model = model;
    this._embedder = model.embedder;
    this._countTokens = model.countTokens;
  }

  /** Indexing waits (the queue is kept) and search uses full text; the user is told why. */
  private _hold(reason: string): void {
    this._held = reason;
    this._options.onNotice?.(reason);
  }

  /** The user chose a model: a different one than the index's starts (or resumes) a new generation. */
  private async _adoptModel(model: EmbedModelInfo, path: string): Promise<void> {
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
      this._queue.push(this._collections.map((c) => ({ op: 'scan', collection: c.id, force: true })));
      await this._queue.save();
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

  private _check(): void {
    if (this._disposed) throw new DisposedError('The library');
  }

  private _saveMeta(): Promise<void> {
    return writeFileAtomic(join(this._options.dir, 'index.json'), JSON.stringify(this._meta));
  }

  private _saveCollections(): Promise<void> {
    return writeFileAtomic(join(this._options.dir, 'collections.json'), JSON.stringify(this._collections, null, 2));
  }

  /** Finds a collection by id or name. */
  private _find(ref: string): StoredCollection {
    const found = this._collections.find((c) => c.id === ref) ?? this._collections.find((c) => c.name === ref);
    if (!found) throw new LibraryError(`There is no collection named "${ref}"; create it by adding a folder to it.`);
    return found;
  }

  private async _describe(c: StoredCollection): Promise<Collection> {
    const docs = await this._store.documents({ collection: c.id });
    const pending = this._queue.count((item) => item.collection === c.id) > 0;
    const paused = this._paused || this._runs.get(c.id)?.phase === 'paused';
    return {
      id: c.id,
      name: c.name,
      sources: [...c.sources],
      state: paused && pending ? 'paused' : pending || this._runs.has(c.id) ? 'indexing' : 'idle',
      files: docs.filter((d) => d.state === 'indexed').length,
      chunks: docs.reduce((n, d) => n + d.chunks, 0),
      errors: docs.filter((d) => d.state === 'error').length,
      indexedAt: c.indexedAt,
    };
  }

  async collections(): Promise<Collection[]> {
    this._check();
    return Promise.all(this._collections.map((c) => this._describe(c)));
  }

  async createCollection(name: string): Promise<Collection> {
    this._check();
    if (this._collections.some((c) => c.name === name))
      throw new LibraryError(`A collection named "${name}" already exists; pick another name.`);
    const collection: StoredCollection = { id: randomUUID(), name, sources: [], indexedAt: null };
    this._collections.push(collection);
    await this._saveCollections();
    return this._describe(collection);
  }

  async renameCollection(ref: string, name: string): Promise<Collection> {
    this._check();
    const c = this._find(ref);
    if (this._collections.some((o) => o !== c && o.name === name))
      throw new LibraryError(`A collection named "${name}" already exists; pick another name.`);
    c.name = name;
    await this._saveCollections();
    this._options.onChanged?.(c.id);
    return this._describe(c);
  }

  async removeCollection(ref: string): Promise<void> {
    this._check();
    const c = this._find(ref);
    this._collections = this._collections.filter((o) => o !== c);
    this._queue.drop((item) => item.collection === c.id);
    await this._queue.save();
    await this._saveCollections();
    for (const store of this._stores()) await store.remove({ collection: c.id });
    this._watcher?.unwatch((w) => w.collection === c.id);
    this._runs.delete(c.id);
    this._options.onChanged?.(c.id);
  }

  /** Adds a folder or file (the collection is created if new) and queues a scan of it. */
  async addSource(collectionName: string, path: string): Promise<Collection> {
    this._check();
    const absolute = resolve(path);
    await stat(absolute).catch(() => {
      throw new LibraryError(`${absolute} does not exist or cannot be opened; check the path.`);
    });
    let c = this._collections.find((o) => o.id === collectionName || o.name === collectionName);
    if (!c) {
      c = { id: randomUUID(), name: collectionName, sources: [], indexedAt: null };
      this._collections.push(c);
    }
    if (!c.sources.includes(absolute)) {
      c.sources.push(absolute);
      this._watcher?.watch([{ collection: c.id, source: absolute }]);
    }
    await this._saveCollections();
    this._enqueue([{ op: 'scan', collection: c.id, force: false }]);
    return this._describe(c);
  }

  async removeSource(ref: string, path: string): Promise<Collection> {
    this._check();
    const c = this._find(ref);
    const absolute = resolve(path);
    if (!c.sources.includes(absolute)) throw new LibraryError(`${absolute} is not a source of "${c.name}".`);
    c.sources = c.sources.filter((s) => s !== absolute);
    await this._saveCollections();
    this._watcher?.unwatch((w) => w.collection === c.id && w.source === absolute);
    const under = (p: string) => p === absolute || p.startsWith(absolute + sep);
    this._queue.drop((item) => item.collection === c.id && item.op !== 'scan' && under(item.path));
    await this._queue.save();
    // A file may also be reached through another source of the collection; a rescan restores it.
    for (const store of this._stores()) {
      await store.remove({ collection: c.id, folder: absolute });
    }
    if (c.sources.length > 0) this._enqueue([{ op: 'scan', collection: c.id, force: false }]);
    this._options.onChanged?.(c.id);
    return this._describe(c);
  }

  async reindex(ref: string, force = false): Promise<Collection> {
    this._check();
    const c = this._find(ref);
    this._enqueue([{ op: 'scan', collection: c.id, force }]);
    return this._describe(c);
  }

  pause(): void {
    this._paused = true;
  }

  resume(): void {
    this._paused = false;
    this._resume?.();
    this._kick();
  }

  /** Drops queued work; files already indexed stay. */
  async cancel(ref?: string): Promise<void> {
    this._check();
    const id = ref ? this._find(ref).id : null;
    this._queue.drop((item) => id === null || item.collection === id);
    await this._queue.save();
    for (const [cid, run] of this._runs) {
      if (id === null || cid === id) {
        run.phase = 'cancelled';
        this._emit(cid, true);
        this._runs.delete(cid);
      }
    }
  }

  async files(ref: string, problemsOnly = false): Promise<FileStatus[]> {
    this._check();
    const c = this._find(ref);
    const docs = await this._store.documents({ collection: c.id, problems: problemsOnly });
    return docs
      .map((d) => ({ path: d.path, state: d.state, message: d.message || null, chunks: d.chunks, bytes: d.bytes }))
      .sort((a, b) => a.path.localeCompare(b.path));
  }

  async status(): Promise<LibraryStatus> {
    this._check();
    const model = this._meta.model;
    const problems = (await this._store.documents({ problems: true }))
      .sort((a, b) => b.indexed_at - a.indexed_at)
      .slice(0, 200)
      .map((d) => ({
        collectionId: d.collection,
        path: d.path,
        state: d.state,
        message: d.message || null,
        chunks: d.chunks,
        bytes: d.bytes,
      }));
    return {
      mode: model && this._held === null ? 'hybrid' : 'lexical',
      modeReason: this._held
        ? this._held
        : !model
          ? 'No embedding model is configured, so the library is searched by full text only. Choose an embedding model on the Models page (or `hearth models use FILE`) for meaning-based search.'
          : model.weak
            ? `${model.name} (${model.dimension} dimensions) is too small to rank by meaning; its vectors are stored but full-text ranking decides the order.`
            : `Full text and ${model.name} vectors (${model.dimension} dimensions), fused by reciprocal rank.`,
      embedModel: model ? { name: model.name, dimension: model.dimension, weak: model.weak } : null,
      collections: await this.collections(),
      queue: { pending: this._queue.size, paused: this._paused },
      problems,
    };
  }

  async search(query: string, options: SearchOptions = {}): Promise<LibraryHit[]> {
    this._check();
    const filter = this._scopeFilter(options.scope);
    if (options.collection) filter.collection = this._find(options.collection).id;
    if (options.pathPrefix) filter.folder = resolve(options.pathPrefix);
    if (options.types?.length) filter.types = options.types.map((t) => t.toLowerCase().replace(/^\./, ''));
    const model = this._meta.model;
    // The active generation's vectors come from meta.model; while a new model builds, the loaded
    // embedder belongs to the new generation, so the old one is searched by full text alone.
    const canEmbed = model !== null && this._embedder !== null && this._meta.building === null;
    const weight = options.vectorWeight ?? (model?.weak ? 0 : 1);
    const vector = canEmbed && weight > 0 ? ((await this._embedder!.embed([query], options))[0] ?? null) : null;
    const rows = await this._store.search(query, { top: options.top ?? 10, filter, vector, vectorWeight: weight });
    return rows.map((row) => ({
      ...this._passage(row),
      score: row.score,
      ranks: row.ranks,
      snippet: snippet(row.text, query),
    }));
  }

  /** Every passage of one file in reading order (whole-document answers); empty when not indexed. */
  async documentPassages(path: string, options: { scope?: LibraryScope } = {}): Promise<LibraryPassage[]> {
    this._check();
    const rows = await this._store.documentChunks(resolve(path), this._scopeFilter(options.scope));
    return rows.map((row) => this._passage(row));
  }

  /** Up to `count` passages spread evenly over the scope (the self-test asks about them). */
  async samplePassages(count: number, options: { scope?: LibraryScope } = {}): Promise<LibraryPassage[]> {
    this._check();
    const rows = await this._store.sampleChunks(count, this._scopeFilter(options.scope));
    return rows.map((row) => this._passage(row));
  }

  /** Every chunk of the active index, vectors included (tests compare runs with it; searches never read it). */
  async allChunks(): Promise<ChunkRow[]> {
    return this._store.chunks();
  }

  /** A scope as one store filter: collections by id (names resolved), folders and files absolute. */
  private _scopeFilter(scope: LibraryScope | undefined): ChunkFilter {
    if (!scope) return {};
    return {
      within: {
        collections: (scope.collections ?? []).map((ref) => this._find(ref).id),
        folders: (scope.folders ?? []).map((folder) => resolve(folder)),
        files: (scope.files ?? []).map((file) => resolve(file)),
      },
    };
  }

  private _passage(row: ChunkRow): LibraryPassage {
    const paged = row.page > 0;
    return {
      id: row.id,
      path: row.path,
      collection: this._collections.find((c) => c.id === row.collection)?.name ?? row.collection,
      type: row.type,
      page: paged ? row.page : null,
      pageKind: paged ? ((row.page_kind || 'page') as PageKind) : null,
      lineStart: row.line_start > 0 ? row.line_start : null,
      lineEnd: row.line_end > 0 ? row.line_end : null,
      headingPath: parseHeading(row.heading),
      text: row.text,
    };
  }

  async allDocuments(): Promise<DocumentRow[]> {
    return this._store.documents();
  }

  /** Resolves once the queue is empty and nothing runs. */
  whenIdle(): Promise<void> {
    if (!this._running && (this._queue.size === 0 || this._paused || this._held !== null)) return Promise.resolve();
    return new Promise((resolve) => this._idleWaiters.push(resolve));
  }

  get pendingWork(): number {
    return this._queue.size;
  }

  private _stores(): LibraryStore[] {
    return this._buildStore ? [this._store, this._buildStore] : [this._store];
  }

  private _enqueue(items: WorkItem[]): void {
    if (this._disposed) return;
    this._queue.push(items);
    void this._queue.save();
    this._kick();
  }

  private _kick(): void {
    if (this._running || this._disposed || this._paused || this._held !== null) return;
    this._running = this._runLoop()
      .catch((error: unknown) => {
        if (!this._disposed) console.error('hearth library:', error);
      })
      .finally(() => {
        this._running = null;
        if (this._queue.size > 0 && !this._paused && !this._disposed) this._kick();
        else for (const resolve of this._idleWaiters.splice(0)) resolve();
      });
  }

  private _mustWait(): boolean {
    return !this._disposed && (this._paused || (this._options.isBusy?.() ?? false));
  }

  /** Waits while paused by the user or while the user waits on an answer; runs show 'paused'. */
  private async _waitIfPaused(): Promise<void> {
    if (!this._mustWait()) return;
    const phases = new Map([...this._runs].map(([id, run]) => [id, run.phase]));
    for (const [id, run] of this._runs) {
      run.phase = 'paused';
      this._emit(id, true);
    }
    while (this._mustWait()) {
      if (this._paused) await new Promise<void>((resolve) => (this._resume = resolve));
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
    for (const [id, run] of this._runs) {
      run.phase = phases.get(id) ?? run.phase;
      this._emit(id, true);
    }
  }

  /** Between embedding slices: an answer the user waits on gets the CPU first. */
  private async _yieldWhileBusy(): Promise<void> {
    if (this._paused || !this._options.isBusy?.()) return;
    await this._waitIfPaused();
  }

  private async _runLoop(): Promise<void> {
    while (!this._disposed && this._queue.size > 0) {
      await this._waitIfPaused();
      if (this._disposed) return;
      if (this._paused) return;
      const target = this._buildStore ?? this._store;
      const batch = this._queue.peek(BATCH_FILES);
      if (batch.length === 0) break;
      if (batch[0]!.op === 'scan') {
        await this._scan(batch[0] as Extract<WorkItem, { op: 'scan' }>, target);
        continue;
      }
      await this._processBatch(batch, target);
    }
    await this._finishRuns();
  }

  private _run(collection: string): RunStats {
    let run = this._runs.get(collection);
    if (!run) {
      run = {
        startedAt: Date.now(),
        filesTotal: 0,
        filesDone: 0,
        bytesTotal: 0,
        bytesDone: 0,
        chunks: 0,
        errors: 0,
        phase: 'scanning',
      };
      this._runs.set(collection, run);
    }
    return run;
  }

  private async _scan(item: Extract<WorkItem, { op: 'scan' }>, target: LibraryStore): Promise<void> {
    const c = this._collections.find((o) => o.id === item.collection);
    // A collection without sources (one recovered from a damaged collections.json) keeps its
    // files: a scan would find nothing and delete them all. Removing a last source removes its files.
    if (!c || c.sources.length === 0) {
      this._queue.done([item]);
      return;
    }
    const run = this._run(c.id);
    run.phase = 'scanning';
    this._emit(c.id, true);
    const seen = new Map<string, { bytes: number; mtime: number }>();
    const problems: WorkItem[] = [];
    for (const source of c.sources) {
      const found = await scanSource(source, { ignore: this._options.settings().ignore, signal: this._abort.signal });
      for (const file of found.files) seen.set(file.path, file);
      for (const p of found.problems)
        problems.push({ op: 'problem', collection: c.id, path: p.path, state: p.state, message: p.message });
    }
    const known = new Map((await target.documents({ collection: c.id })).map((d) => [d.path, d]));
    const work: WorkItem[] = [...problems];
    for (const [path, file] of seen) {
      const doc = known.get(path);
      // A file that was read and failed, or had nothing to index, stays as it is until it changes
      // or the user re-indexes: one built to crash or hang readers must not be read again at every
      // start. A file skipped unread (too large, say) is looked at again: the limit may have moved.
      const settled = doc && doc.bytes === file.bytes && doc.mtime === file.mtime;
      if (item.force || !settled || (doc.state === 'skipped' && doc.hash === '')) {
        const index: WorkItem = { op: 'index', collection: c.id, path, force: item.force };
        // A second scan while the first one's files still wait (two paths added at once, a
        // re-index queued by a model change beside the user's) must not count them again.
        if (!this._queue.has(index)) {
          run.filesTotal++;
          run.bytesTotal += file.bytes;
        }
        work.push(index);
      }
    }
    const problemPaths = new Set(problems.map((p) => (p as { path: string }).path));
    for (const path of known.keys()) {
      if (!seen.has(path) && !problemPaths.has(path)) work.push({ op: 'delete', collection: c.id, path });
    }
    this._queue.push(work);
    this._queue.done([item]);
    await this._queue.save();
    run.phase = 'indexing';
    this._emit(c.id, true);
  }

  private async _processBatch(batch: WorkItem[], target: LibraryStore): Promise<void> {
    let items = batch;
    const settings = this._options.settings();
    const fileItems = items.filter((i): i is Extract<WorkItem, { op: 'index' }> => i.op === 'index');
    const keys = fileItems.map((i) => documentKey(i.collection, i.path));
    const known = new Map(
      keys.length > 0 ? (await target.documents({ keys })).map((d) => [d.key, d]) : [],
    );
    const results = new Map<WorkItem, IndexedFile>();
    let next = 0;
    let held = 0;
    const worker = async () => {
      while (next < fileItems.length && held < BATCH_CHUNKS) {
        const item = fileItems[next++]!;
        await this._options.beforeRead?.(item.path);
        const key = documentKey(item.collection, item.path);
        const result = await indexFile({
          collection: item.collection,
          path: item.path,
          known: known.get(documentKey(item.collection, item.path)),
          force: item.force,
          maxBytes: settings.maxFileMB * 1024 * 1024,
          chunkTokens: settings.chunkTokens,
          overlapTokens: settings.chunkOverlap,
          countTokens: this._countTokens,
          extract: (path, size, onPart) => this._reader.extract(path, DEFAULT_LIMITS, { size, onPart }),
          // A big file is embedded and stored in slices, its document row last (with the batch).
          sliceChunks: BIG_FILE_SLICE,
          writeChunks: async (rows, first) => {
            await this._embed(rows);
            if (!this._disposed) await target.addChunks(key, rows, first);
          },
        });
        held += result.chunks.length;
        results.set(item, result);
      }
    };
    await Promise.all(Array.from({ length: READ_CONCURRENCY }, worker));
    // Closing stops the readers mid-file: leave the batch queued for the next start, unrecorded.
    if (this._disposed) return;
    // Files left out by the chunk cap stay queued for the next batch.
    items = items.filter((item) => item.op !== 'index' || results.has(item));

    const documents: DocumentRow[] = [];
    const chunks: ChunkRow[] = [];
    const keepChunks = new Set<string>();
    /** Files whose first chunks were stored ahead but which failed after: those chunks go. */
    const dropStreamed: string[] = [];
    for (const item of items) {
      if (item.op === 'problem') {
        documents.push({
          key: documentKey(item.collection, item.path),
          collection: item.collection,
          path: item.path,
          type: '',
          bytes: 0,
          mtime: 0,
          hash: '',
          state: item.state,
          message: item.message,
          chunks: 0,
          indexed_at: Date.now(),
        });
        this._run(item.collection).errors += item.state === 'error' ? 1 : 0;
      }
      const result = results.get(item);
      if (!result) continue;
      documents.push(result.document);
      chunks.push(...result.chunks);
      if (result.unchanged) keepChunks.add(result.document.key);
      if (result.written > 0) {
        if (result.document.state === 'indexed') keepChunks.add(result.document.key);
        else dropStreamed.push(result.document.key);
      }
    }
    await this._embed(chunks);
    // Deleted folders take their files with them.
    for (const item of items) {
      if (item.op === 'delete') {
        await target.remove({ collection: item.collection, folder: item.path });
      }
    }
    const mayExist = this._replaying
      ? undefined
      : new Set([...known.keys(), ...dropStreamed, ...documents.filter((d) => d.type === '').map((d) => d.key)]);
    await target.write({ documents, chunks, keepChunks, removeKeys: [], mayExist });
    this._queue.done(items);
    await this._queue.save();
    for (const item of items) {
      const run = this._run(item.collection);
      run.phase = 'indexing';
      const result = results.get(item);
      if (!result) continue;
      run.filesDone++;
      run.bytesDone += result.document.bytes;
      run.chunks += result.chunks.length + result.written;
      if (result.document.state === 'error') run.errors++;
      if (run.filesDone > run.filesTotal) run.filesTotal = run.filesDone;
      if (run.bytesDone > run.bytesTotal) run.bytesTotal = run.bytesDone;
    }
    this._emitAll();
  }

  /** Gives chunks their vectors, 64 at a time, yielding to the user between slices. */
  private async _embed(chunks: ChunkRow[]): Promise<void> {
    const embedder = this._embedder;
    if (!embedder || chunks.length === 0) return;
    for (const run of this._runs.values()) run.phase = 'embedding';
    this._emitAll();
    for (let i = 0; i < chunks.length; i += 64) {
      if (i > 0) await this._yieldWhileBusy();
      const slice = chunks.slice(i, i + 64);
      const vectors = await embedder.embed(slice.map((c) => c.text));
      slice.forEach((c, j) => (c.vector = vectors[j]));
    }
  }

  private async _finishRuns(): Promise<void> {
    if (this._disposed) return;
    for (const [id, run] of this._runs) {
      run.phase = 'finishing';
      this._emit(id, true);
    }
    await (this._buildStore ?? this._store).commit();
    if (this._meta.building && this._queue.size === 0) {
      // The new model's generation is complete: swap it in and drop the old one.
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
    const now = Date.now();
    for (const [id, run] of this._runs) {
      const c = this._collections.find((o) => o.id === id);
      if (c) c.indexedAt = now;
      run.phase = 'idle';
      this._emit(id, true);
      this._options.onChanged?.(id);
    }
    this._runs.clear();
    if (this._queue.size === 0) this._replaying = false;
    await this._saveCollections();
  }

  private _emitAll(): void {
    const now = Date.now();
    if (now - this._lastEmit < 200) return;
    this._lastEmit = now;
    for (const id of this._runs.keys()) this._emit(id, true);
  }

  private _emit(collectionId: string, force = false): void {
    const run = this._runs.get(collectionId);
    if (!run || !this._options.onProgress || (!force && Date.now() - this._lastEmit < 200)) return;
    const elapsed = (Date.now() - run.startedAt) / 1000;
    const left = run.bytesTotal - run.bytesDone;
    const rate = run.bytesDone / Math.max(elapsed, 0.001);
    this._options.onProgress({
      collectionId,
      phase: run.phase,
      progress: {
        done: run.filesDone,
        total: run.phase === 'scanning' ? null : run.filesTotal,
        etaSeconds:
          run.phase === 'idle' ? 0 : run.bytesDone > 0 && left >= 0 ? Math.round((left / rate) * 10) / 10 : null,
      },
      files: { done: run.filesDone, total: run.filesTotal },
      bytes: { done: run.bytesDone, total: run.bytesTotal },
      chunks: run.chunks,
      errors: run.errors,
    });
  }

  get disposed(): boolean {
    return this._disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    this._abort.abort();
    this._resume?.();
    await this._watcher?.close();
    // Readers and the embedding model stop mid-file and mid-batch, so the run ends at once;
    // what it had not stored stays queued for the next start.
    await this._reader.dispose();
    await this._model?.dispose();
    await this._running;
    await this._queue.save();
    await this._buildStore?.dispose();
    await this._store.dispose();
    for (const resolve of this._idleWaiters.splice(0)) resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

function parseHeading(heading: string): string[] {
  try {
    const parsed: unknown = JSON.parse(heading);
    return Array.isArray(parsed) ? parsed.filter((h): h is string => typeof h === 'string' && h !== '') : [];
  } catch {
    return [];
  }
}

/** About 240 characters around the densest run of query words. */
export function snippet(text: string, query: string, width = 240): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= width) return flat;
  const words = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [])];
  const lower = flat.toLowerCase();
  let best = 0;
  let bestScore = -1;
  for (let start = 0; start < flat.length; start += 40) {
    const window = lower.slice(start, start + width);
    const score = words.reduce((n, w) => n + (window.includes(w) ? 1 : 0), 0);
    if (score > bestScore) {
      bestScore = score;
      best = start;
    }
  }
  const start = best > 0 ? flat.lastIndexOf(' ', best) + 1 : 0;
  const body = flat.slice(start, start + width);
  return `${start > 0 ? '…' : ''}${body}${start + width < flat.length ? '…' : ''}`;
}
