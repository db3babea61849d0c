import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DisposedError } from '../../disposable';
import type { FromWorker, WorkerJob } from './worker-messages';
import type { GpuShare } from './gpu-share';

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
 * One child process holding one model for network jobs. Its environment is empty apart from
 * what Node needs to start, and its working directory is the temp folder, so a job cannot reach
 * the user's data even if node-llama-cpp were tricked into reading files.
 */
export class InferenceWorkerProcess {
  private readonly _pending = new Map<string, PendingJob>();
  private _disposed = false;

  private constructor(private readonly _child: ChildProcess) {
    _child.on('message', (message: FromWorker) => this._onMessage(message));
    _child.on('exit', () => this._failAll(new WorkerError('The inference worker stopped.')));
  }

  static async start(options: InferenceWorkerOptions): Promise<InferenceWorkerProcess> {
    const child = fork(options.entry ?? defaultWorkerEntry(), options.args ?? [], {
      cwd: tmpdir(),
      env: { ELECTRON_RUN_AS_NODE: '1', PATH: process.env.PATH ?? '' },
      execArgv: [],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const worker = new InferenceWorkerProcess(child);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'load-failed')
          reject(new WorkerError(`The model could not be loaded: ${message.message}`));
        else return;
        child.off('message', onMessage);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new WorkerError(`The inference worker exited (${code}) while loading.`)));
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
    return !this._disposed && this._child.exitCode === null;
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
    if (this._child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this._child.once('exit', () => resolve()));
    this._child.kill('SIGTERM');
    const timer = setTimeout(() => this._child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
