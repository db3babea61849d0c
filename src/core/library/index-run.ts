import type { Settings } from '../../shared/settings';
import type { Logger } from '../log';
import type { CollectionBook } from './collections';
import { DEFAULT_LIMITS } from './extract';
import type { ExtractPool } from './extract/extract-pool';
import type { IndexGeneration } from './index-generation';
import type { IndexProgress } from './index-progress';
import { indexFile, type IndexedFile } from './indexer';
import { scanSource } from './scanner';
import { documentKey, type ChunkRow, type DocumentRow, type LibraryStore } from './store';
import type { WorkItem, WorkQueue } from './work-queue';

type LibrarySettings = Settings['library'];

const BATCH_FILES = 64;
/**
 * Chunks a batch may hold before it stops taking files (the rest wait for the next batch). A big
 * file's chunks do not count: they are stored in slices of BIG_FILE_SLICE as they come.
 */
const BATCH_CHUNKS = 4096;
const BIG_FILE_SLICE = 512;
const READ_CONCURRENCY = 4;
/** Chunks embedded at once; the user's answer may take the CPU between two slices. */
const EMBED_SLICE = 64;

export interface IndexRunComponents {
  queue: WorkQueue;
  generation: IndexGeneration;
  collections: CollectionBook;
  reader: ExtractPool;
  progress: IndexProgress;
  /** Library settings, read at the start of each batch so changes apply to the next files. */
  settings: () => LibrarySettings;
  /** Indexing waits between batches while this says the user is busy (chatting). */
  isBusy?: () => boolean;
  onChanged?: (collectionId: string) => void;
  /** Called just before a file is read; tests use it to change the file under the indexer. */
  beforeRead?: (path: string) => Promise<void> | void;
  /** Where a run that fails is logged; the queue keeps its work for the next kick. */
  log?: Pick<Logger, 'error'>;
}

/**
 * Works through the persisted queue: scans, then batches of files read, chunked, embedded and
 * written, yielding to the user while an answer runs and pausing when asked. A batch leaves the
 * queue only once written, so a killed process replays it.
 */
export class IndexRun {
  private _stopped = false;
  private _running: Promise<void> | null = null;
  private _paused = false;
  private _resume: (() => void) | null = null;
  private readonly _abort = new AbortController();
  private _idleWaiters: (() => void)[] = [];
  /** Work left by a killed process may have reached the index half-way: it is replayed with deletes. */
  private _replaying: boolean;

  constructor(private readonly _c: IndexRunComponents) {
    this._replaying = _c.queue.size > 0;
  }

  get paused(): boolean {
    return this._paused;
  }

  get running(): boolean {
    return this._running !== null;
  }

  /** Adds work and starts on it unless paused, held or closing. */
  enqueue(items: WorkItem[]): void {
    if (this._stopped) return;
    this._c.queue.push(items);
    void this._c.queue.save();
    this.kick();
  }

  kick(): void {
    if (this._running || this._stopped || this._paused || this._c.generation.held !== null) return;
    this._running = this._runLoop()
      .catch((error: unknown) => {
        if (!this._stopped) this._c.log?.error({ event: 'library-run-failed', err: error }, 'indexing stopped');
      })
      .finally(() => {
        this._running = null;
        if (this._c.queue.size > 0 && !this._paused && !this._stopped) this.kick();
        else for (const resolve of this._idleWaiters.splice(0)) resolve();
      });
  }

  pause(): void {
    this._paused = true;
  }

  resume(): void {
    this._paused = false;
    this._resume?.();
    this.kick();
  }

  /** Resolves once the queue is empty and nothing runs. */
  whenIdle(): Promise<void> {
    if (!this._running && (this._c.queue.size === 0 || this._paused || this._c.generation.held !== null))
      return Promise.resolve();
    return new Promise((resolve) => this._idleWaiters.push(resolve));
  }

  /** Takes no more work and lets a wait end; the batch in flight ends once its readers and model close. */
  stop(): void {
    this._stopped = true;
    this._abort.abort();
    this._resume?.();
  }

  /** Waits for the run in flight (after stop()), then releases whoever waits for idle. */
  async finished(): Promise<void> {
    await this._running;
    for (const resolve of this._idleWaiters.splice(0)) resolve();
  }

  private _mustWait(): boolean {
    return !this._stopped && (this._paused || (this._c.isBusy?.() ?? false));
  }

  /** Waits while paused by the user or while the user waits on an answer; runs show 'paused'. */
  private async _waitIfPaused(): Promise<void> {
    if (!this._mustWait()) return;
    const { progress } = this._c;
    const phases = new Map([...progress.entries()].map(([id, run]) => [id, run.phase]));
    progress.setPhase('paused');
    while (this._mustWait()) {
      if (this._paused) await new Promise<void>((resolve) => (this._resume = resolve));
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
    for (const [id, run] of progress.entries()) {
      run.phase = phases.get(id) ?? run.phase;
      progress.emit(id, true);
    }
  }

  /** Between embedding slices: an answer the user waits on gets the CPU first. */
  private async _yieldWhileBusy(): Promise<void> {
    if (this._paused || !this._c.isBusy?.()) return;
    await this._waitIfPaused();
  }

  private async _runLoop(): Promise<void> {
    const { queue, generation } = this._c;
    while (!this._stopped && queue.size > 0) {
      await this._waitIfPaused();
      if (this._stopped) return;
      if (this._paused) return;
      const target = generation.target;
      const batch = queue.peek(BATCH_FILES);
      if (batch.length === 0) break;
      if (batch[0]!.op === 'scan') {
        await this._scan(batch[0] as Extract<WorkItem, { op: 'scan' }>, target);
        continue;
      }
      await this._processBatch(batch, target);
    }
    await this._finishRuns();
  }

  private async _scan(item: Extract<WorkItem, { op: 'scan' }>, target: LibraryStore): Promise<void> {
    const { queue, progress } = this._c;
    const c = this._c.collections.byId(item.collection);
    // A collection without sources (one recovered from a damaged collections.json) keeps its
    // files: a scan would find nothing and delete them all. Removing a last source removes its files.
    if (!c || c.sources.length === 0) {
      queue.done([item]);
      return;
    }
    const run = progress.run(c.id);
    run.phase = 'scanning';
    progress.emit(c.id, true);
    const seen = new Map<string, { bytes: number; mtime: number }>();
    const problems: WorkItem[] = [];
    for (const source of c.sources) {
      const found = await scanSource(source, { ignore: this._c.settings().ignore, signal: this._abort.signal });
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
        if (!queue.has(index)) {
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
    queue.push(work);
    queue.done([item]);
    await queue.save();
    run.phase = 'indexing';
    progress.emit(c.id, true);
  }

  /** Reads the batch's files, READ_CONCURRENCY at a time, until the batch holds BATCH_CHUNKS chunks. */
  private async _readFiles(
    fileItems: Extract<WorkItem, { op: 'index' }>[],
    known: Map<string, DocumentRow>,
    target: LibraryStore,
  ): Promise<Map<WorkItem, IndexedFile>> {
    const settings = this._c.settings();
    const results = new Map<WorkItem, IndexedFile>();
    let next = 0;
    let held = 0;
    const worker = async () => {
      while (next < fileItems.length && held < BATCH_CHUNKS) {
        const item = fileItems[next++]!;
        await this._c.beforeRead?.(item.path);
        const key = documentKey(item.collection, item.path);
        const result = await indexFile({
          collection: item.collection,
          path: item.path,
          known: known.get(key),
          force: item.force,
          maxBytes: settings.maxFileMB * 1024 * 1024,
          chunkTokens: settings.chunkTokens,
          overlapTokens: settings.chunkOverlap,
          countTokens: this._c.generation.countTokens,
          extract: (path, size, onPart) => this._c.reader.extract(path, DEFAULT_LIMITS, { size, onPart }),
          // A big file is embedded and stored in slices, its document row last (with the batch).
          sliceChunks: BIG_FILE_SLICE,
          writeChunks: async (rows, first) => {
            await this._embed(rows);
            if (!this._stopped) await target.addChunks(key, rows, first);
          },
        });
        held += result.chunks.length;
        results.set(item, result);
      }
    };
    await Promise.all(Array.from({ length: READ_CONCURRENCY }, worker));
    return results;
  }

  private async _processBatch(batch: WorkItem[], target: LibraryStore): Promise<void> {
    const { queue, progress } = this._c;
    let items = batch;
    const fileItems = items.filter((i): i is Extract<WorkItem, { op: 'index' }> => i.op === 'index');
    const keys = fileItems.map((i) => documentKey(i.collection, i.path));
    const known = new Map(keys.length > 0 ? (await target.documents({ keys })).map((d) => [d.key, d]) : []);
    const results = await this._readFiles(fileItems, known, target);
    // Closing stops the readers mid-file: leave the batch queued for the next start, unrecorded.
    if (this._stopped) return;
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
        progress.run(item.collection).errors += item.state === 'error' ? 1 : 0;
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
      if (item.op === 'delete') await target.remove({ collection: item.collection, folder: item.path });
    }
    const mayExist = this._replaying
      ? undefined
      : new Set([...known.keys(), ...dropStreamed, ...documents.filter((d) => d.type === '').map((d) => d.key)]);
    await target.write({ documents, chunks, keepChunks, removeKeys: [], mayExist });
    queue.done(items);
    await queue.save();
    for (const item of items) {
      const run = progress.run(item.collection);
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
    progress.emitAll();
  }

  /** Gives chunks their vectors, EMBED_SLICE at a time, yielding to the user between slices. */
  private async _embed(chunks: ChunkRow[]): Promise<void> {
    const embedder = this._c.generation.embedder;
    if (!embedder || chunks.length === 0) return;
    for (const [, run] of this._c.progress.entries()) run.phase = 'embedding';
    this._c.progress.emitAll();
    for (let i = 0; i < chunks.length; i += EMBED_SLICE) {
      if (i > 0) await this._yieldWhileBusy();
      const slice = chunks.slice(i, i + EMBED_SLICE);
      const vectors = await embedder.embed(slice.map((c) => c.text));
      slice.forEach((c, j) => (c.vector = vectors[j]));
    }
  }

  private async _finishRuns(): Promise<void> {
    if (this._stopped) return;
    const { queue, progress, collections } = this._c;
    progress.setPhase('finishing');
    // Commits the index; a new model's generation that is complete is swapped in.
    await this._c.generation.finishRun(queue.size === 0);
    const now = Date.now();
    for (const [id, run] of progress.entries()) {
      const c = collections.byId(id);
      if (c) c.indexedAt = now;
      run.phase = 'idle';
      progress.emit(id, true);
      this._c.onChanged?.(id);
    }
    progress.clear();
    if (queue.size === 0) this._replaying = false;
    await collections.save();
  }
}
