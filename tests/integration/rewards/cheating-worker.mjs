/**
 * A provider's inference worker that cheats, for the loopback rewards tests and the audit bench.
 * It speaks the same IPC as src/core/network/worker/inference-worker.ts, so an InferenceProvider
 * started with `workerEntry` set to this file (and `workerArgs: [kind, otherModelPath]`) serves
 * its cheats over /hearth/infer like any provider. Kinds: honest, other-model, random-tokens,
 * early-stop, inflated-counts, replay, and for `npm run bench:cheaters`: out-of-vocabulary (ids
 * from another vocabulary), padding (ids padded to 4,096), replay-foreign (answers made for other
 * prompts), high-temperature (samples at 2 whatever was asked), canary-aware (honest on a
 * prompt it has seen before, else stops early), patient-N (honest for N jobs, then stops early),
 * steady-N-F (honest for N jobs, then random tokens of the full length on a share F of jobs: a
 * proven identity cheating at the steady audit share).
 */
import { getLlama, LlamaCompletion, LlamaLogLevel } from 'node-llama-cpp';

const [kind = 'honest', otherModelPath = ''] = process.argv.slice(2);
const send = (message) => process.send?.(message);
let declared;
let other;
let rng = 7;
const replayCache = [];
const foreignCache = new Map();
const seenPrompts = new Set();
let served = 0;

function random() {
  // mulberry32, so a run can be repeated exactly.
  let t = (rng = (rng + 0x6d2b79f5) | 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

async function loadModel(path, threads) {
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: path });
  // The context the real worker uses, so long jobs shift the same way.
  const context = await model.createContext({ threads, contextSize: Math.min(2048, model.trainContextSize), sequences: 1 });
  const sequence = context.getSequence();
  return { model, sequence, completion: new LlamaCompletion({ contextSequence: sequence }) };
}

async function generate(loaded, job, maxTokens = job.maxTokens, stream = false) {
  await loaded.sequence.clearHistory();
  const tokens = [];
  const { response, metadata } = await loaded.completion.generateCompletionWithMeta(job.prompt, {
    maxTokens,
    temperature: job.temperature,
    topP: job.topP,
    seed: job.seed,
    onToken: (chunk) => tokens.push(...chunk),
    // Honest answers stream as the real worker's do, so long jobs never fall silent.
    onTextChunk: stream ? (text) => send({ type: 'token', id: job.id, text }) : undefined,
  });
  return { text: response, tokens, stopReason: metadata.stopReason === 'maxTokens' ? 'max-tokens' : 'eos', streamed: stream };
}

function truncated(job) {
  const cut = Math.max(1, Math.floor(job.maxTokens * (0.2 + 0.3 * random())));
  return generate(declared, job, cut).then((a) => ({ ...a, stopReason: 'eos' }));
}

function randomTokens(job) {
  const vocabulary = declared.model.fileInfo.metadata.tokenizer.ggml.tokens.length;
  const tokens = Array.from({ length: job.maxTokens }, () => 3 + Math.floor(random() * (vocabulary - 3)));
  return { text: declared.model.detokenize(tokens), tokens, stopReason: 'max-tokens' };
}

async function answer(job) {
  served++;
  if (kind.startsWith('steady-')) {
    const [honestJobs, share] = kind.slice('steady-'.length).split('-').map(Number);
    if (served <= honestJobs || random() >= share) return generate(declared, job, job.maxTokens, true);
    return randomTokens(job);
  }
  if (kind.startsWith('patient-')) return served <= Number(kind.slice(8)) ? generate(declared, job, job.maxTokens, true) : truncated(job);
  switch (kind) {
    case 'out-of-vocabulary': {
      const honest = await generate(declared, job);
      return { ...honest, tokens: honest.tokens.map((t) => t + 20_000) };
    }
    case 'padding': {
      const honest = await generate(declared, job);
      return { ...honest, tokens: [...honest.tokens, ...Array(4096 - honest.tokens.length).fill(honest.tokens[0] ?? 1)] };
    }
    case 'replay-foreign': {
      // Answers made once for other prompts (another requester's), re-sent for every new prompt.
      const key = job.temperature;
      if (!foreignCache.has(key)) {
        const made = [];
        for (let i = 0; i < 4; i++) {
          made.push(await generate(declared, { ...job, prompt: `Once upon a time, there was a dog named Rex${i}. Rex${i} liked to run.`, seed: 77 + i }));
        }
        foreignCache.set(key, made);
      }
      const cached = foreignCache.get(key)[Math.floor(random() * 4)];
      return { ...cached, tokens: cached.tokens.slice(0, job.maxTokens), text: declared.model.detokenize(cached.tokens.slice(0, job.maxTokens)) };
    }
    case 'high-temperature':
      return generate(declared, { ...job, temperature: 2, topP: 1 });
    case 'canary-aware': {
      const seen = seenPrompts.has(job.prompt);
      seenPrompts.add(job.prompt);
      return seen ? generate(declared, job) : truncated(job);
    }
    case 'other-model': {
      // A cheaper model's text, re-tokenised into the declared model's vocabulary.
      const cheap = await generate(other, job);
      const tokens = declared.model.tokenize(cheap.text, false);
      return { ...cheap, tokens };
    }
    case 'random-tokens':
      return randomTokens(job);
    case 'early-stop': {
      const cut = Math.max(1, Math.floor(job.maxTokens * (0.2 + 0.6 * random())));
      return { ...(await generate(declared, job, cut)), stopReason: 'eos' };
    }
    case 'inflated-counts': {
      const honest = await generate(declared, job);
      return { ...honest, claimed: honest.tokens.length + 3 + Math.floor(honest.tokens.length * 0.1 * random()) };
    }
    case 'replay': {
      if (replayCache.length < 2) {
        const fresh = await generate(declared, job);
        replayCache.push(fresh);
        return fresh;
      }
      return replayCache[Math.floor(random() * replayCache.length)];
    }
    default:
      return generate(declared, job, job.maxTokens, true);
  }
}

async function run(job) {
  const started = performance.now();
  try {
    const result = await answer(job);
    if (!result.streamed) send({ type: 'token', id: job.id, text: result.text });
    send({
      type: 'done',
      id: job.id,
      promptTokens: declared.model.tokenize(job.prompt).length,
      completionTokens: result.claimed ?? result.tokens.length,
      tokens: result.tokens,
      generationMs: Math.round(performance.now() - started),
      stopReason: result.stopReason,
    });
  } catch (error) {
    send({ type: 'failed', id: job.id, message: error instanceof Error ? error.message : String(error) });
  }
}

let queue = Promise.resolve();
process.on('message', (message) => {
  if (message.type === 'load') {
    Promise.all([
      loadModel(message.modelPath, message.threads),
      kind === 'other-model' ? loadModel(otherModelPath, 1) : null,
    ])
      .then(([d, o]) => {
        declared = d;
        other = o;
        send({ type: 'ready' });
      })
      .catch((error) => send({ type: 'load-failed', message: String(error) }));
  } else if (message.type === 'run') queue = queue.then(() => run(message.job));
});
process.on('disconnect', () => process.exit(0));
