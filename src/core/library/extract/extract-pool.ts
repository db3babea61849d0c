import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LibraryFileError } from '../errors';
import type { ExtractReply, ExtractRequest } from './extract-messages';
import type { ExtractedDocument, ExtractLimits } from './types';

export interface ExtractPoolInit {
  /** Threads reading at once. Default: one less than the cores, at least 2, at most 4. */
  size?: number;
  /** Heap a reading thread may grow to before it is stopped. Default 1,024 MB. */
  heapMb?: number;
  /** How long one file may take, by its size. Default 60 s plus 1 s per MB. */
  budgetMs?: (bytes: number) => number;
  /** The worker script (tests); by default the built one beside the engine, or the source under tsx. */
  entry?: URL;
}

interface Task {
  request: ExtractRequest;
  resolve: (document: ExtractedDocument) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  timer: NodeJS.Timeout | null;
}

/** Idle threads are stopped after this long, so a quiet library holds no parser memory. */
const IDLE_MS = 20_000;

/**
 * Reads documents on worker threads, one file per thread at a time. A thread that runs out of
 * heap or overruns the file's time budget is stopped and replaced; that file becomes a problem
 * with a reason and the other files go on. The engine thread never parses a document.
 */
export class ExtractPool {
  private readonly _size: number;
  private readonly _heapMb: number;
  private readonly _budgetMs: (bytes: number) => number;
  private readonly _entry: { url: URL; execArgv: string[] };
  private readonly _slots = new Set<Slot>();
  private readonly _waiting: Task[] = [];
  private _nextId = 1;
  private _idleTimer: NodeJS.Timeout | null = null;
  private _disposed = false;

  constructor(init: ExtractPoolInit = {}) {
    this._size = init.size ?? Math.min(4, Math.max(2, availableParallelism() - 1));
    this._heapMb = init.heapMb ?? 1024;
    this._budgetMs = init.budgetMs ?? ((bytes) => 60_000 + (bytes / 1024 / 1024) * 1000);
    this._entry = init.entry ? { url: init.entry, execArgv: [] } : defaultEntry();
  }

  /** Reads one file's bytes (they are handed over to the thread: do not use them afterwards). */
  extract(path: string, bytes: Uint8Array, limits: ExtractLimits): Promise<ExtractedDocument> {
    if (this._disposed) return Promise.reject(new Error('The library is closing.'));
    // Transfer needs a buffer of its own; a slice of a shared pool is copied instead.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    return new Promise((resolve, reject) => {
      this._waiting.push({ request: { id: this._nextId++, path, bytes: own, limits }, resolve, reject });
      this._pump();
    });
  }

  async dispose(): Promise<void> {
    this._disposed = true;
    if (this._idleTimer) clearTimeout(this._idleTimer);
    for (const task of this._waiting.splice(0)) task.reject(new Error('The library is closing.'));
    await Promise.all([...this._slots].map((slot) => this._stop(slot, new Error('The library is closing.'))));
  }

  private _pump(): void {
    while (this._waiting.length > 0) {
      let slot = [...this._slots].find((s) => s.task === null);
      if (!slot && this._slots.size < this._size) slot = this._spawn();
      if (!slot) return;
      this._start(slot, this._waiting.shift()!);
    }
    this._scheduleIdleStop();
  }

  private _spawn(): Slot {
    const worker = new Worker(this._entry.url, {
      execArgv: this._entry.execArgv,
      resourceLimits: { maxOldGenerationSizeMb: this._heapMb, stackSizeMb: 8 },
      stdout: false,
      stderr: false,
    });
    const slot: Slot = { worker, task: null, timer: null };
    worker.on('message', (reply: ExtractReply) => this._finish(slot, reply));
    worker.on('error', (error: Error & { code?: string }) => this._lose(slot, error));
    worker.on('exit', (code) => this._lose(slot, new Error(`The reading thread stopped (exit code ${code}).`)));
    this._slots.add(slot);
    return slot;
  }

  private _start(slot: Slot, task: Task): void {
    slot.task = task;
    slot.worker.ref();
    const budget = this._budgetMs(task.request.bytes.byteLength);
    slot.timer = setTimeout(() => {
      void this._stop(
        slot,
        new LibraryFileError(
          task.request.path,
          'too-complex',
          `Reading this file took longer than ${Math.round(budget / 1000)} s, so Hearth stopped to keep the app responsive; it may be damaged or built to hang readers. Re-save it in its app, or split it, then re-index.`,
        ),
      );
    }, budget);
    slot.worker.postMessage(task.request, [task.request.bytes.buffer as ArrayBuffer]);
  }

  private _finish(slot: Slot, reply: ExtractReply): void {
    const task = slot.task;
    if (!task || task.request.id !== reply.id) return;
    this._release(slot);
    if (reply.ok) task.resolve(reply.document);
    else task.reject(reply.reason ? new LibraryFileError(task.request.path, reply.reason, reply.message) : new Error(reply.message));
    this._pump();
  }

  /** The thread died (out of heap, a crash in a parser): its file is the cause, the pool goes on. */
  private _lose(slot: Slot, error: Error & { code?: string }): void {
    if (!this._slots.delete(slot)) return;
    const task = slot.task;
    this._release(slot);
    if (task) {
      task.reject(
        new LibraryFileError(
          task.request.path,
          'too-complex',
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? `Reading this file needed more than ${this._heapMb} MB of memory, so Hearth stopped; it may be damaged or built to exhaust readers (a zip or XML bomb). Re-save it in its app, or split it, then re-index.`
            : `The reader stopped while reading this file (${error.message}); it may be damaged. Re-save it in its app, then re-index.`,
        ),
      );
    }
    if (!this._disposed) this._pump();
  }

  private async _stop(slot: Slot, reason: Error): Promise<void> {
    const task = slot.task;
    this._slots.delete(slot);
    this._release(slot);
    task?.reject(reason);
    await slot.worker.terminate();
    if (!this._disposed) this._pump();
  }

  private _release(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.task = null;
    // An idle thread must not keep a finished CLI command alive.
    slot.worker.unref();
  }

  private _scheduleIdleStop(): void {
    if (this._idleTimer) clearTimeout(this._idleTimer);
    if (this._slots.size === 0) return;
    this._idleTimer = setTimeout(() => {
      for (const slot of this._slots) if (slot.task === null) void this._stop(slot, new Error('idle'));
    }, IDLE_MS);
    this._idleTimer.unref();
  }
}

/**
 * The built worker sits beside the bundled engine (out/main/extract-worker.js). Running from the
 * TypeScript sources (tests), the worker is the source file, loaded through tsx.
 */
function defaultEntry(): { url: URL; execArgv: string[] } {
  if (import.meta.url.endsWith('.ts')) {
    return { url: new URL('./extract-worker.ts', import.meta.url), execArgv: ['--import', 'tsx'] };
  }
  const candidates = [new URL('./extract-worker.js', import.meta.url), new URL('../extract-worker.js', import.meta.url)];
  const found = candidates.find((url) => existsSync(fileURLToPath(url)));
  if (!found) throw new Error('The document reader is not built; run `npm run build` first.');
  return { url: found, execArgv: [] };
}
