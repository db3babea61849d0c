import type { LibraryProgress } from '../../shared/contract/library';

/** One collection's run: what it found, what is done, and its phase. */
export interface RunStats {
  startedAt: number;
  filesTotal: number;
  filesDone: number;
  bytesTotal: number;
  bytesDone: number;
  chunks: number;
  errors: number;
  phase: LibraryProgress['phase'];
}

/** Progress is sent at most this often, except at phase changes. */
const EMIT_EVERY_MS = 200;

/**
 * The runs in progress, one per collection, and their `library.progress` events: counts,
 * phase, and an ETA from the bytes read so far.
 */
export class IndexProgress {
  private readonly _runs = new Map<string, RunStats>();
  private _lastEmit = 0;

  constructor(private readonly _onProgress?: (progress: LibraryProgress) => void) {}

  /** The collection's run, started now if there is none. */
  run(collection: string): RunStats {
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

  get(collection: string): RunStats | undefined {
    return this._runs.get(collection);
  }

  has(collection: string): boolean {
    return this._runs.has(collection);
  }

  delete(collection: string): void {
    this._runs.delete(collection);
  }

  clear(): void {
    this._runs.clear();
  }

  entries(): IterableIterator<[string, RunStats]> {
    return this._runs.entries();
  }

  /** Sets every run's phase and says so at once. */
  setPhase(phase: LibraryProgress['phase']): void {
    for (const [id, run] of this._runs) {
      run.phase = phase;
      this.emit(id, true);
    }
  }

  /** Every run's progress, unless some was sent a moment ago. */
  emitAll(): void {
    const now = Date.now();
    if (now - this._lastEmit < EMIT_EVERY_MS) return;
    this._lastEmit = now;
    for (const id of this._runs.keys()) this.emit(id, true);
  }

  emit(collectionId: string, force = false): void {
    const run = this._runs.get(collectionId);
    if (!run || !this._onProgress || (!force && Date.now() - this._lastEmit < EMIT_EVERY_MS)) return;
    const elapsed = (Date.now() - run.startedAt) / 1000;
    const left = run.bytesTotal - run.bytesDone;
    const rate = run.bytesDone / Math.max(elapsed, 0.001);
    this._onProgress({
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
}
