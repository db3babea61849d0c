import { existsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { forkWorker, type WorkerChannel, type WorkerLauncher } from '../../workers/worker-launcher';
import { workerEnvironment } from '../../workers/worker-environment';
import { LibraryFileError } from './file-error';
import type { ExtractPart, ExtractReply, ExtractRequest, ReaderRequest } from './extract-messages';
import type { Block, ExtractedDocument, ExtractLimits } from './types';

/** Takes one part of a big document; the reader sends the next part once this settles. */
export type OnExtractPart = (part: ExtractPart['part']) => Promise<void>;

export interface ExtractPoolInit {
  /** Processes reading at once. Default: one less than the cores, at least 2, at most 4. */
  size?: number;
  /** Heap a reading process may grow to before it is stopped. Default 1,024 MB. */
  heapMb?: number;
  /** How long one file may take, by its size. Default 60 s plus 1 s per MB. */
  budgetMs?: (bytes: number) => number;
  /** Starts the processes: Electron's utility processes in the app, Node's fork headless. */
  launch?: WorkerLauncher;
}

interface Task {
  request: ExtractRequest;
  /** The file's size, for its time budget. */
  size: number;
  onPart: OnExtractPart | null;
  /** Parts kept for the final document when nobody takes them as they come. */
  parts: Block[];
  resolve: (document: ExtractedDocument) => void;
  reject: (error: Error) => void;
}

interface Slot {
  channel: WorkerChannel<ReaderRequest, ExtractReply>;
  task: Task | null;
  timer: NodeJS.Timeout | null;
  /** Time the task has left; the clock stops while the engine takes a part. */
  remainingMs: number;
  armedAt: number;
  /** Why the pool ended this process itself (time budget, closing), if it did. */
  stopped: Error | null;
}

/** Idle processes are stopped after this long, so a quiet library holds no parser memory. */
const IDLE_MS = 20_000;

/**
 * Reads documents in worker processes, one file per process at a time. A process, not a
 * thread: V8 aborts the whole process when a thread overshoots its heap cap in one large
 * allocation, so only a process boundary contains a file built to exhaust memory. A reader that
 * dies or overruns the file's time budget is ended and replaced; that file becomes a problem
 * with a reason and the other files go on. The engine's own thread never parses a document.
 */
export class ExtractPool {
  private readonly _size: number;
  private readonly _heapMb: number;
  private readonly _budgetMs: (bytes: number) => number;
  private readonly _launch: WorkerLauncher;
  private readonly _slots = new Set<Slot>();
  private readonly _waiting: Task[] = [];
  private _nextId = 1;
  private _idleTimer: NodeJS.Timeout | null = null;
  private _disposed = false;

  constructor(init: ExtractPoolInit = {}) {
    this._size = init.size ?? Math.min(4, Math.max(2, availableParallelism() - 1));
    this._heapMb = init.heapMb ?? 1024;
    this._budgetMs = init.budgetMs ?? ((bytes) => 60_000 + (bytes / 1024 / 1024) * 1000);
    this._launch = init.launch ?? forkWorker;
  }

  /**
   * Reads one file into blocks, or rejects with a LibraryFileError saying why not. The reader
   * reads the file itself (`size` bytes, which set its time budget), so its content never passes
   * through the engine. With `onPart`, a big document's blocks are handed over in parts as they
   * come and the resolved document holds only the last ones.
   */
  extract(
    path: string,
    limits: ExtractLimits,
    options: { size?: number; onPart?: OnExtractPart } = {},
  ): Promise<ExtractedDocument> {
    if (this._disposed) return Promise.reject(new Error('The library is closing.'));
    return new Promise((resolve, reject) => {
      this._waiting.push({
        request: { id: this._nextId++, path, limits },
        size: options.size ?? 0,
        onPart: options.onPart ?? null,
        parts: [],
        resolve,
        reject,
      });
      this._pump();
    });
  }

  async dispose(): Promise<void> {
    this._disposed = true;
    if (this._idleTimer) clearTimeout(this._idleTimer);
    for (const task of this._waiting.splice(0)) task.reject(new Error('The library is closing.'));
    await Promise.all([...this._slots].map((slot) => this._end(slot, new Error('The library is closing.'))));
  }

  private _pump(): void {
    while (this._waiting.length > 0 && !this._disposed) {
      let slot = [...this._slots].find((s) => s.task === null);
      if (!slot && this._slots.size < this._size) slot = this._spawn();
      if (!slot) return;
      this._start(slot, this._waiting.shift()!);
    }
    this._scheduleIdleStop();
  }

  private _spawn(): Slot {
    const entry = readerEntry();
    const channel = this._launch<ReaderRequest, ExtractReply>({
      entry: entry.path,
      args: [],
      // Running from source, `--import tsx` resolves from the project folder.
      cwd: entry.execArgv.length > 0 ? process.cwd() : tmpdir(),
      env: workerEnvironment(process.env, process.platform, tmpdir()),
      execArgv: [...entry.execArgv, `--max-old-space-size=${this._heapMb}`],
      serviceName: 'Hearth document reader',
    });
    const slot: Slot = { channel, task: null, timer: null, remainingMs: 0, armedAt: 0, stopped: null };
    channel.onMessage((reply) => this._finish(slot, reply));
    channel.onExit((code) => this._lost(slot, code));
    this._slots.add(slot);
    return slot;
  }

  private _start(slot: Slot, task: Task): void {
    slot.task = task;
    slot.remainingMs = this._budgetMs(task.size);
    this._arm(slot);
    slot.channel.send(task.request);
  }

  /** Starts (or restarts) the task's clock with the time it has left. */
  private _arm(slot: Slot): void {
    const task = slot.task!;
    const budget = this._budgetMs(task.size);
    slot.armedAt = Date.now();
    slot.timer = setTimeout(() => {
      void this._end(
        slot,
        new LibraryFileError(
          task.request.path,
          'too-complex',
          `Reading this file took longer than ${Math.round(budget / 1000)} s, so Hearth stopped to keep the app responsive; it may be damaged or built to hang readers. Re-save it in its app, or split it, then re-index.`,
        ),
      );
    }, slot.remainingMs);
  }

  /** One part of a big document: the clock stops until the engine has taken it. */
  private _part(slot: Slot, task: Task, part: ExtractPart['part']): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.remainingMs -= Date.now() - slot.armedAt;
    const taken = task.onPart ? task.onPart(part) : Promise.resolve(void task.parts.push(...part.blocks));
    taken.then(
      () => {
        if (slot.task !== task) return;
        this._arm(slot);
        slot.channel.send({ id: task.request.id, ack: true });
      },
      (error: unknown) => {
        if (slot.task === task) void this._end(slot, error instanceof Error ? error : new Error(String(error)));
      },
    );
  }

  private _finish(slot: Slot, reply: ExtractReply): void {
    const task = slot.task;
    if (!task || task.request.id !== reply.id) return;
    if ('part' in reply) {
      this._part(slot, task, reply.part);
      return;
    }
    this._release(slot);
    if (reply.ok) {
      task.resolve(
        task.parts.length > 0 ? { ...reply.document, blocks: [...task.parts, ...reply.document.blocks] } : reply.document,
      );
    }
    else {
      task.reject(
        reply.reason ? new LibraryFileError(task.request.path, reply.reason, reply.message) : new Error(reply.message),
      );
    }
    this._pump();
  }

  /** The process is gone: if the pool did not end it, the file it was reading is the cause. */
  private _lost(slot: Slot, code: number | null): void {
    this._slots.delete(slot);
    const task = slot.task;
    this._release(slot);
    if (task) {
      task.reject(
        slot.stopped ??
          new LibraryFileError(
            task.request.path,
            'too-complex',
            `The reader stopped while reading this file (${code === null ? 'it was killed' : `exit code ${code}`}); the file needs more than ${this._heapMb} MB of memory or crashes readers, so it may be damaged or built to exhaust them (a zip or XML bomb). Re-save it in its app, or split it, then re-index.`,
          ),
      );
    }
    this._pump();
  }

  /** Ends a process on the pool's own account; its task fails with `reason`. */
  private _end(slot: Slot, reason: Error): Promise<void> {
    slot.stopped = reason;
    if (slot.channel.exited) return Promise.resolve();
    return new Promise((resolve) => {
      slot.channel.onExit(() => resolve());
      slot.channel.kill();
    });
  }

  private _release(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.task = null;
  }

  private _scheduleIdleStop(): void {
    if (this._idleTimer) clearTimeout(this._idleTimer);
    if (this._slots.size === 0 || this._disposed) return;
    this._idleTimer = setTimeout(() => {
      for (const slot of this._slots) if (slot.task === null) void this._end(slot, new Error('idle'));
    }, IDLE_MS);
    this._idleTimer.unref();
  }
}

/**
 * The built reader sits beside the bundled engine (out/main/extract-worker.js). Running from the
 * TypeScript sources (tests), the reader is the source file, loaded through tsx.
 */
function readerEntry(): { path: string; execArgv: string[] } {
  if (import.meta.url.endsWith('.ts')) {
    return { path: fileURLToPath(new URL('./extract-worker.ts', import.meta.url)), execArgv: ['--import', 'tsx'] };
  }
  const candidates = [new URL('./extract-worker.js', import.meta.url), new URL('../extract-worker.js', import.meta.url)];
  const found = candidates.map((url) => fileURLToPath(url)).find((path) => existsSync(path));
  if (!found) throw new Error('The document reader is not built; run `npm run build` first.');
  return { path: found, execArgv: [] };
}
