import type { GpuShare } from './gpu-share';

/** Messages between the provider and its inference worker process (Node IPC, structured clone). */

export interface WorkerJob {
  id: string;
  prompt: string;
  maxTokens: number;
  temperature: number;
  topP: number;
  seed: number;
}

export type ToWorker =
  | { type: 'load'; modelPath: string; threads: number; sequences: number; gpu: GpuShare }
  | { type: 'run'; job: WorkerJob }
  | { type: 'cancel'; id: string };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'load-failed'; message: string }
  | { type: 'token'; id: string; text: string }
  | {
      type: 'done';
      id: string;
      promptTokens: number;
      completionTokens: number;
      generationMs: number;
      stopReason: 'max-tokens' | 'eos' | 'cancelled';
      /** The generated token ids, in order. */
      tokens: number[];
    }
  | { type: 'failed'; id: string; message: string };
