/**
 * The process that runs other people's jobs: an Electron utility process in the app, a Node
 * child process headless. It starts with a minimal environment (workerEnvironment) in an empty
 * temp folder of its own, receives only a model path and jobs over IPC, and never opens a file
 * itself: prompts live only in its memory. It is NOT sandboxed: it runs as the user, so code
 * that took it over could read whatever the user can (see docs/ARCHITECTURE.md, Security).
 * Built by electron-vite as out/main/network-worker.js.
 */
import { getLlama, LlamaCompletion, type LlamaContext } from 'node-llama-cpp';
import { LLAMA_OPTIONS } from '../../models/llama-options';
import { llamaGpuOptions, type GpuShare } from './gpu-share';
import { parentChannel } from '../../workers/parent-channel';
import type { FromWorker, ToWorker, WorkerJob } from './worker-messages';

const parent = parentChannel<ToWorker, FromWorker>();
const send = parent.send;
const cancels = new Map<string, AbortController>();
let context: LlamaContext | undefined;

async function load(modelPath: string, threads: number, sequences: number, share: GpuShare): Promise<void> {
  try {
    const { gpuLayers, ...gpu } = llamaGpuOptions(share);
    const llama = await getLlama({ ...LLAMA_OPTIONS, ...gpu });
    const model = await llama.loadModel({ modelPath, gpuLayers });
    context = await model.createContext({ threads, sequences, contextSize: Math.min(2048, model.trainContextSize) });
    send({ type: 'ready' });
  } catch (error) {
    send({ type: 'load-failed', message: error instanceof Error ? error.message : String(error) });
  }
}

async function run(job: WorkerJob): Promise<void> {
  const controller = new AbortController();
  cancels.set(job.id, controller);
  const started = performance.now();
  try {
    if (!context) throw new Error('The model is not loaded.');
    const sequence = context.getSequence();
    const completion = new LlamaCompletion({ contextSequence: sequence });
    const tokens: number[] = [];
    try {
      const { metadata } = await completion.generateCompletionWithMeta(job.prompt, {
        maxTokens: job.maxTokens,
        temperature: job.temperature,
        topP: job.topP,
        seed: job.seed,
        signal: controller.signal,
        stopOnAbortSignal: true,
        onToken: (chunk) => {
          tokens.push(...chunk);
        },
        onTextChunk: (text) => send({ type: 'token', id: job.id, text }),
      });
      const stopReason = controller.signal.aborted
        ? 'cancelled'
        : metadata.stopReason === 'maxTokens'
          ? 'max-tokens'
          : 'eos';
      const promptTokens = sequence.model.tokenize(job.prompt).length;
      send({
        type: 'done',
        id: job.id,
        promptTokens,
        completionTokens: tokens.length,
        tokens,
        generationMs: Math.round(performance.now() - started),
        stopReason,
      });
    } finally {
      completion.dispose({ disposeSequence: true });
    }
  } catch (error) {
    send({ type: 'failed', id: job.id, message: error instanceof Error ? error.message : String(error) });
  } finally {
    cancels.delete(job.id);
  }
}

parent.onMessage((message) => {
  if (message.type === 'load') void load(message.modelPath, message.threads, message.sequences, message.gpu);
  else if (message.type === 'run') void run(message.job);
  else if (message.type === 'cancel') cancels.get(message.id)?.abort();
});
