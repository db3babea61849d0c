import { mkdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Collection, FileStatus, LibraryProgress, LibraryStatus } from '../../shared/contract/library';
import type { Settings } from '../../shared/settings';
import { DisposedError } from '../disposable';
import { StackOwner } from '../dispose-stack';
import type { Logger } from '../log';
import type { OnStateDamage } from '../state';
import { CollectionBook, type StoredCollection } from './collections';
import { LibraryError } from './errors';
import { ExtractPool, type ExtractPoolInit } from './extract/extract-pool';
import { IndexGeneration } from './index-generation';
import { IndexProgress } from './index-progress';
import { IndexRun } from './index-run';
import {
  scopeFilter,
  searchFilter,
  snippet,
  toPassage,
  type LibraryHit,
  type LibraryPassage,
  type LibraryScope,
  type SearchOptions,
} from './passages';
import type { ChunkRow, DocumentRow } from './store';
import { LibraryWatcher } from './watcher';
import { WorkQueue } from './work-queue';

export { snippet, type LibraryHit, type LibraryPassage, type LibraryScope, type SearchOptions } from './passages';

type LibrarySettings = Settings['library'];

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
  /** Where an indexing run that fails is logged (the engine's log). Default: nowhere. */
  log?: Pick<Logger, 'error'>;
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

/**
 * The private library: collections of folders and files, indexed into LanceDB through a
 * persisted work queue, kept current by a watcher, searched with hybrid full text + vectors.
 * The rungs below it: IndexGeneration (store and embedding model per generation, build and
 * swap), IndexRun (the queue loop: batches, yielding, progress), passages.ts (search shaping).
 */
export class Library extends StackOwner {
  private _collections!: CollectionBook;
  private _generation!: IndexGeneration;
  private _queue!: WorkQueue;
  private _run!: IndexRun;
  private _watcher: LibraryWatcher | null = null;
  private readonly _progress: IndexProgress;

  private constructor(private readonly _options: LibraryOptions) {
    super('The library');
    this._progress = new IndexProgress(_options.onProgress);
  }

  static async open(options: LibraryOptions): Promise<Library> {
    const library = new Library(options);
    try {
      await library._open();
    } catch (error) {
      // The open's own failure, thrown below, is the one worth reporting.
      await library.dispose().catch(() => undefined);
      throw error;
    }
    return library;
  }

  /**
   * Opens each part and registers it as it goes, so closing runs newest first: the run takes
   * no more work, the watcher stops, the embedding model closes (a batch in flight is refused),
   * the readers stop (a file mid-read too), the run ends, the queue is saved, the stores close.
   */
  private async _open(): Promise<void> {
    const { dir, onDamage } = this._options;
    const stack = this._stack;
    await mkdir(dir, { recursive: true });
    this._generation = stack.use(
      await IndexGeneration.open({
        dir,
        embedModelPath: this._options.embedModelPath ?? null,
        modelsDir: this._options.modelsDir,
        embedThreads: this._options.embedThreads,
        onNotice: this._options.onNotice,
        onDamage,
      }),
    );
    this._collections = await CollectionBook.open(dir, {
      onDamage,
      documents: () => this._generation.store.documents(),
    });
    this._queue = await WorkQueue.open(join(dir, 'queue.json'), onDamage);
    stack.defer(() => this._queue.save());
    const reader = new ExtractPool(this._options.reader);
    this._run = new IndexRun({
      queue: this._queue,
      generation: this._generation,
      collections: this._collections,
      reader,
      progress: this._progress,
      settings: this._options.settings,
      isBusy: this._options.isBusy,
      onChanged: this._options.onChanged,
      beforeRead: this._options.beforeRead,
      log: this._options.log,
    });
    stack.defer(() => this._run.finished());
    // Before the run is awaited: a file mid-read ends at once and stays queued.
    stack.use(reader);
    // A new model's generation is filled by re-scanning every collection.
    await this._generation.settle(async () => {
      this._queue.push(this._collections.all.map((c) => ({ op: 'scan', collection: c.id, force: true })));
      await this._queue.save();
    });
    stack.defer(() => this._generation.disposeModel());
    if (this._options.watch ?? this._options.settings().watch) {
      const watcher = new LibraryWatcher({
        ignore: () => this._options.settings().ignore,
        onChange: (items) => this._run.enqueue(items),
      });
      this._watcher = watcher;
      stack.defer(() => watcher.close());
      watcher.watch(this._collections.all.flatMap((c) => c.sources.map((source) => ({ collection: c.id, source }))));
    }
    stack.defer(() => this._run.stop());
    if (this._options.autoStart ?? true) this._run.kick();
  }

  private _check(): void {
    if (this.disposed) throw new DisposedError('The library');
  }

  private async _describe(c: StoredCollection): Promise<Collection> {
    const docs = await this._generation.store.documents({ collection: c.id });
    const pending = this._queue.count((item) => item.collection === c.id) > 0;
    const paused = this._run.paused || this._progress.get(c.id)?.phase === 'paused';
    return {
      id: c.id,
      name: c.name,
      sources: [...c.sources],
      state: paused && pending ? 'paused' : pending || this._progress.has(c.id) ? 'indexing' : 'idle',
      files: docs.filter((d) => d.state === 'indexed').length,
      chunks: docs.reduce((n, d) => n + d.chunks, 0),
      errors: docs.filter((d) => d.state === 'error').length,
      indexedAt: c.indexedAt,
    };
  }

  async collections(): Promise<Collection[]> {
    this._check();
    return Promise.all(this._collections.all.map((c) => this._describe(c)));
  }

  async createCollection(name: string): Promise<Collection> {
    this._check();
    this._collections.checkFree(name);
    const collection = this._collections.add(name);
    await this._collections.save();
    return this._describe(collection);
  }

  async renameCollection(ref: string, name: string): Promise<Collection> {
    this._check();
    const c = this._collections.find(ref);
    this._collections.checkFree(name, c);
    c.name = name;
    await this._collections.save();
    this._options.onChanged?.(c.id);
    return this._describe(c);
  }

  async removeCollection(ref: string): Promise<void> {
    this._check();
    const c = this._collections.find(ref);
    this._collections.remove(c);
    this._queue.drop((item) => item.collection === c.id);
    await this._queue.save();
    await this._collections.save();
    for (const store of this._generation.stores) await store.remove({ collection: c.id });
    this._watcher?.unwatch((w) => w.collection === c.id);
    this._progress.delete(c.id);
    this._options.onChanged?.(c.id);
  }

  /** Adds a folder or file (the collection is created if new) and queues a scan of it. */
  async addSource(collectionName: string, path: string): Promise<Collection> {
    this._check();
    const absolute = resolve(path);
    await stat(absolute).catch(() => {
      throw new LibraryError(`${absolute} does not exist or cannot be opened; check the path.`);
    });
    const c = this._collections.lookup(collectionName) ?? this._collections.add(collectionName);
    if (!c.sources.includes(absolute)) {
      c.sources.push(absolute);
      this._watcher?.watch([{ collection: c.id, source: absolute }]);
    }
    await this._collections.save();
    this._run.enqueue([{ op: 'scan', collection: c.id, force: false }]);
    return this._describe(c);
  }

  async removeSource(ref: string, path: string): Promise<Collection> {
    this._check();
    const c = this._collections.find(ref);
    const absolute = resolve(path);
    if (!c.sources.includes(absolute)) throw new LibraryError(`${absolute} is not a source of "${c.name}".`);
    c.sources = c.sources.filter((s) => s !== absolute);
    await this._collections.save();
    this._watcher?.unwatch((w) => w.collection === c.id && w.source === absolute);
    const under = (p: string) => p === absolute || p.startsWith(absolute + sep);
    this._queue.drop((item) => item.collection === c.id && item.op !== 'scan' && under(item.path));
    await this._queue.save();
    // A file may also be reached through another source of the collection; a rescan restores it.
    for (const store of this._generation.stores) await store.remove({ collection: c.id, folder: absolute });
    if (c.sources.length > 0) this._run.enqueue([{ op: 'scan', collection: c.id, force: false }]);
    this._options.onChanged?.(c.id);
    return this._describe(c);
  }

  async reindex(ref: string, force = false): Promise<Collection> {
    this._check();
    const c = this._collections.find(ref);
    this._run.enqueue([{ op: 'scan', collection: c.id, force }]);
    return this._describe(c);
  }

  pause(): void {
    this._run.pause();
  }

  resume(): void {
    this._run.resume();
  }

  /** Drops queued work; files already indexed stay. */
  async cancel(ref?: string): Promise<void> {
    this._check();
    const id = ref ? this._collections.find(ref).id : null;
    this._queue.drop((item) => id === null || item.collection === id);
    await this._queue.save();
    for (const [cid, run] of this._progress.entries()) {
      if (id === null || cid === id) {
        run.phase = 'cancelled';
        this._progress.emit(cid, true);
        this._progress.delete(cid);
      }
    }
  }

  async files(ref: string, problemsOnly = false): Promise<FileStatus[]> {
    this._check();
    const c = this._collections.find(ref);
    const docs = await this._generation.store.documents({ collection: c.id, problems: problemsOnly });
    return docs
      .map((d) => ({ path: d.path, state: d.state, message: d.message || null, chunks: d.chunks, bytes: d.bytes }))
      .sort((a, b) => a.path.localeCompare(b.path));
  }

  async status(): Promise<LibraryStatus> {
    this._check();
    const model = this._generation.model;
    const held = this._generation.held;
    const problems = (await this._generation.store.documents({ problems: true }))
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
      mode: model && held === null ? 'hybrid' : 'lexical',
      modeReason: held
        ? held
        : !model
          ? 'No embedding model is configured, so the library is searched by full text only. Choose an embedding model on the Models page (or `hearth models use FILE`) for meaning-based search.'
          : model.weak
            ? `${model.name} (${model.dimension} dimensions) is too small to rank by meaning; its vectors are stored but full-text ranking decides the order.`
            : `Full text and ${model.name} vectors (${model.dimension} dimensions), fused by reciprocal rank.`,
      embedModel: model ? { name: model.name, dimension: model.dimension, weak: model.weak } : null,
      collections: await this.collections(),
      queue: { pending: this._queue.size, paused: this._run.paused },
      problems,
    };
  }

  async search(query: string, options: SearchOptions = {}): Promise<LibraryHit[]> {
    this._check();
    const filter = searchFilter(options, this._idOf);
    const generation = this._generation;
    const model = generation.model;
    const embedder = generation.embedder;
    // The active generation's vectors come from its model; while a new model builds, the loaded
    // embedder belongs to the new generation, so the old one is searched by full text alone.
    const canEmbed = model !== null && embedder !== null && !generation.building;
    const weight = options.vectorWeight ?? (model?.weak ? 0 : 1);
    const vector = canEmbed && weight > 0 ? ((await embedder.embed([query], options))[0] ?? null) : null;
    const rows = await generation.store.search(query, { top: options.top ?? 10, filter, vector, vectorWeight: weight });
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
    const rows = await this._generation.store.documentChunks(resolve(path), scopeFilter(options.scope, this._idOf));
    return rows.map((row) => this._passage(row));
  }

  /** Up to `count` passages spread evenly over the scope (the self-test asks about them). */
  async samplePassages(count: number, options: { scope?: LibraryScope } = {}): Promise<LibraryPassage[]> {
    this._check();
    const rows = await this._generation.store.sampleChunks(count, scopeFilter(options.scope, this._idOf));
    return rows.map((row) => this._passage(row));
  }

  /** Every chunk of the active index, vectors included (tests compare runs with it; searches never read it). */
  async allChunks(): Promise<ChunkRow[]> {
    return this._generation.store.chunks();
  }

  async allDocuments(): Promise<DocumentRow[]> {
    return this._generation.store.documents();
  }

  /** Resolves once the queue is empty and nothing runs. */
  whenIdle(): Promise<void> {
    return this._run.whenIdle();
  }

  get pendingWork(): number {
    return this._queue.size;
  }

  private readonly _idOf = (ref: string): string => this._collections.find(ref).id;

  private _passage(row: ChunkRow): LibraryPassage {
    return toPassage(row, this._collections.nameOf(row.collection));
  }
}
