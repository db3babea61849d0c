import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DisposedError } from '../../disposable';
import type { FromWorker, ToWorker, WorkerJob } from './worker-messages';
import type { GpuShare } from './gpu-share';
import { workerEnvironment } from '../../workers/worker-environment';
import { forkWorker, type WorkerChannel, type WorkerLauncher } from '../../workers/worker-launcher';

/** The built worker entry; beside the bundle that imports this (out/main), or its parent for chunks. */
export function defaultWorkerEntry(): string {
  const candidates = [
    new URL('./network-worker.js', import.meta.url),
    new URL('../network-worker.js', import.meta.url),
    new URL('../../../../out/main/network-worker.js', import.meta.url),
  ].map((url) => fileURLToPath(url));
  const found = candidates.find((file) => existsSync(file));
  if (!found) throw new WorkerError('The network worker is not built; run `npm run build` first.');
  return found;
}

export class WorkerError extends Error {
  override readonly name = 'WorkerError';
}

export interface InferenceWorkerOptions {
  modelPath: string;
  /** CPU threads the worker may use. */
  threads: number;
  /** GPU the worker may use; null or absent: CPU only. */
  gpu?: GpuShare;
  /** How many jobs it runs at once. */
  sequences: number;
  /** Default: defaultWorkerEntry(). */
  entry?: string;
  /** Arguments for the entry (tests host fixture workers that take their behaviour from here). */
  args?: string[];
  /** Starts the process. Default: forkWorker (headless); the app passes its utility-process launcher. */
  launch?: WorkerLauncher;
}

export interface WorkerRunResult {
  promptTokens: number;
  completionTokens: number;
  generationMs: number;
  stopReason: 'max-tokens' | 'eos' | 'cancelled';
  tokens: number[];
}

interface PendingJob {
  onToken: (text: string) => void;
  resolve: (result: WorkerRunResult) => void;
  reject: (error: Error) => void;
}

/**
 * One process holding one model for network jobs. Its environment holds no secrets and no path
 * to the user's data (workerEnvironment), and its working directory is an empty temp folder of
 * its own, removed when it stops. It still runs as the user: this keeps the user's data out of
 * its way, it does not wall it off (docs/ARCHITECTURE.md, Security).
 */
export class InferenceWorkerProcess {
  private readonly _pending = new Map<string, PendingJob>();
  private _disposed = false;

  private constructor(
    private readonly _child: WorkerChannel<ToWorker, FromWorker>,
    tempDir: string,
  ) {
    _child.onMessage((message) => this._onMessage(message));
    _child.onExit(() => {
      this._failAll(new WorkerError('The inference worker stopped.'));
      // The worker writes nothing there itself; an empty folder left in the temp dir is harmless.
      rm(tempDir, { recursive: true, force: true }).catch(() => undefined);
    });
  }

  static async start(options: InferenceWorkerOptions): Promise<InferenceWorkerProcess> {
    const tempDir = await mkdtemp(join(tmpdir(), 'hearth-worker-'));
    let child: WorkerChannel<ToWorker, FromWorker>;
    try {
      child = (options.launch ?? forkWorker)({
        entry: options.entry ?? defaultWorkerEntry(),
        args: options.args ?? [],
        cwd: tempDir,
        env: workerEnvironment(process.env, process.platform, tempDir),
      });
    } catch (error) {
      await rm(tempDir, { recursive: true, force: true });
      throw error;
    }
    const worker = new InferenceWorkerProcess(child, tempDir);
    await new Promise<void>((resolve, reject) => {
      const stopListening = child.onMessage((message: FromWorker) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'load-failed')
          reject(new WorkerError(`The model could not be loaded: ${message.message}`));
        else return;
        stopListening();
      });
      child.onExit((code) => reject(new WorkerError(`The inference worker exited (${code}) while loading.`)));
      child.send({
        type: 'load',
        modelPath: options.modelPath,
        threads: options.threads,
        sequences: options.sequences,
        gpu: options.gpu ?? null,
      });
    }).catch(async (error: unknown) => {
      await worker.dispose();
      throw error;
    });
    return worker;
  }

  get alive(): boolean {
    return !this._disposed && !this._child.exited;
  }

  run(job: WorkerJob, onToken: (text: string) => void, signal?: AbortSignal): Promise<WorkerRunResult> {
    if (this._disposed) return Promise.reject(new DisposedError('The inference worker'));
    return new Promise((resolve, reject) => {
      this._pending.set(job.id, { onToken, resolve, reject });
      const cancel = () => this._child.send({ type: 'cancel', id: job.id });
      signal?.addEventListener('abort', cancel, { once: true });
      this._child.send({ type: 'run', job });
    });
  }

  private _onMessage(message: FromWorker): void {
    if (!('id' in message)) return;
    const job = this._pending.get(message.id);
    if (!job) return;
    if (message.type === 'token') job.onToken(message.text);
    else if (message.type === 'done') {
      this._pending.delete(message.id);
      const { promptTokens, completionTokens, generationMs, stopReason, tokens } = message;
      job.resolve({ promptTokens, completionTokens, generationMs, stopReason, tokens });
    } else if (message.type === 'failed') {
      this._pending.delete(message.id);
      job.reject(new WorkerError(message.message));
    }
  }

  private _failAll(error: Error): void {
    for (const job of this._pending.values()) job.reject(error);
    this._pending.clear();
  }

  get disposed(): boolean {
    return this._disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    this._failAll(new DisposedError('The inference worker'));
    if (this._child.exited) return;
    const exited = new Promise<void>((resolve) => this._child.onExit(() => resolve()));
    this._child.stop();
    const timer = setTimeout(() => this._child.kill(), 3_000);
    await exited;
    clearTimeout(timer);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
