import type { WorkerLauncher } from '../../workers/worker-launcher';
import { InferenceWorkerProcess } from '../worker/inference-worker-process';
import type { GpuShare } from '../worker/gpu-share';
import type { OfferedModel } from './offered-model';

export interface ModelWorkersInit {
  threads: number;
  /** GPU the workers may use, read when a model's worker starts; absent: CPU only. */
  gpu?: () => GpuShare;
  /** Jobs one worker runs at once (one context sequence each). */
  sequences: number;
  workerEntry?: string;
  /** Arguments for the worker entry (tests host fixture workers). */
  workerArgs?: string[];
  /** Starts worker processes. Default: forkWorker; the app passes Electron's utility process. */
  workerLauncher?: WorkerLauncher;
}

/**
 * One isolated worker process per offered model, started on first use and started again when
 * it died, so a crash costs the job it ran and never the next one.
 */
export class ModelWorkers {
  private readonly _workers = new Map<string, Promise<InferenceWorkerProcess>>();

  constructor(private readonly _init: ModelWorkersInit) {}

  /** The model's live worker, started if there is none. */
  get(model: OfferedModel): Promise<InferenceWorkerProcess> {
    let worker = this._workers.get(model.sha256);
    if (!worker) {
      worker = InferenceWorkerProcess.start({
        modelPath: model.path,
        threads: this._init.threads,
        gpu: this._init.gpu?.() ?? null,
        sequences: this._init.sequences,
        entry: this._init.workerEntry,
        args: this._init.workerArgs,
        launch: this._init.workerLauncher,
      });
      worker.catch(() => this._workers.delete(model.sha256));
      this._workers.set(model.sha256, worker);
    }
    return worker.then(async (w) => {
      if (w.alive) return w;
      this._workers.delete(model.sha256);
      return this.get(model);
    });
  }

  /** Starts the workers ahead of the first job, so it does not pay for loading the model. */
  warm(models: readonly OfferedModel[]): void {
    // Warming only: a worker that fails to load fails the first job with the reason instead.
    for (const model of models) void this.get(model).catch(() => undefined);
  }

  async dispose(): Promise<void> {
    const workers = [...this._workers.values()];
    this._workers.clear();
    // A worker that never started has nothing to dispose (its job already got the error).
    await Promise.all(workers.map(async (w) => (await w.catch(() => null))?.dispose()));
  }
}
