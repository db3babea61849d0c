/**
 * Providers for the audit tests and `npm run bench:audit`: one honest, five cheating. Each runs
 * real generation with node-llama-cpp on the shared test models and answers the way the job
 * protocol does (text plus a `done` summary), in-process at the audit seam.
 */
import { resolve } from 'node:path';
import {
  getLlama,
  LlamaCompletion,
  LlamaLogLevel,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import type { FinishedJob } from '../../../src/core/network/audit';

export const MODELS_DIR = resolve(process.cwd(), '../shared/models');
export const STORIES = {
  path: resolve(MODELS_DIR, 'stories260K.gguf'),
  sha256: '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d',
};
export const TINY_RANDOM = {
  path: resolve(MODELS_DIR, 'llama-2-tiny-random.gguf'),
  sha256: '81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb',
};

export interface Job {
  jobId: string;
  model: string;
  prompt: string;
  maxTokens: number;
  temperature: number;
  topP: number;
  seed: number;
}

/** What comes back over `/hearth/infer/1.0.0`: streamed text and the `done` summary. */
export interface Answer {
  text: string;
  /** Token ids in the declared model's vocabulary, as a protocol carrying ids would send them. */
  tokens: number[];
  declaredModel: string;
  promptTokens: number;
  completionTokens: number;
  stopReason: 'max-tokens' | 'eos';
  generationMs: number;
  /** Fixture bookkeeping, never sent: whether this answer actually cheated. */
  cheated: boolean;
}

/**
 * `replay` re-sends answers it already returned to this requester; `replay-foreign` re-sends
 * answers it made for other requesters, which this requester never saw.
 */
export type ProviderKind =
  'honest' | 'other-model' | 'random-tokens' | 'early-stop' | 'replay' | 'replay-foreign' | 'inflated-counts';

interface Loaded {
  model: LlamaModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
  completion: LlamaCompletion;
}

async function load(path: string): Promise<Loaded> {
  const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: path });
  // The context the real worker uses, so long jobs shift the same way.
  const context = await model.createContext({ threads: 1, contextSize: Math.min(2048, model.trainContextSize), sequences: 1 });
  const sequence = context.getSequence();
  return { model, context, sequence, completion: new LlamaCompletion({ contextSequence: sequence }) };
}

async function generate(loaded: Loaded, job: Job, maxTokens = job.maxTokens): Promise<Answer> {
  const started = performance.now();
  const tokens: number[] = [];
  await loaded.sequence.clearHistory();
  const { response, metadata } = await loaded.completion.generateCompletionWithMeta(job.prompt, {
    maxTokens,
    temperature: job.temperature,
    topP: job.topP,
    seed: job.seed,
    onToken: (chunk) => tokens.push(...chunk),
  });
  return {
    text: response,
    tokens,
    declaredModel: job.model,
    promptTokens: loaded.model.tokenize(job.prompt).length + (loaded.model.tokens.shouldPrependBosToken ? 1 : 0),
    completionTokens: tokens.length,
    stopReason: metadata.stopReason === 'maxTokens' ? 'max-tokens' : 'eos',
    generationMs: performance.now() - started,
    cheated: false,
  };
}

/** A provider that answers jobs for stories260K; all but `honest` cheat in one way. */
export class FixtureProvider {
  private readonly _replayCache: Answer[] = [];
  private _rng: number;

  private constructor(
    readonly kind: ProviderKind,
    private readonly _stories: Loaded,
    private readonly _other: Loaded | null,
    seed: number,
  ) {
    this._rng = seed;
  }

  static async create(kind: ProviderKind, seed = 1): Promise<FixtureProvider> {
    const stories = await load(STORIES.path);
    const other = kind === 'other-model' ? await load(TINY_RANDOM.path) : null;
    return new FixtureProvider(kind, stories, other, seed);
  }

  private _random(): number {
    // mulberry32: reproducible cheating, so a bench run can be repeated exactly.
    let t = (this._rng = (this._rng + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  async serve(job: Job): Promise<Answer> {
    switch (this.kind) {
      case 'honest':
        return generate(this._stories, job);
      case 'other-model': {
        // Cheaper model, same declared hash; its text re-tokenised into the declared vocabulary.
        const answer = await generate(this._other!, job);
        const tokens = this._stories.model.tokenize(answer.text, false);
        return { ...answer, tokens, completionTokens: tokens.length, declaredModel: job.model, cheated: true };
      }
      case 'random-tokens': {
        const started = performance.now();
        const vocabulary = this._stories.model.fileInfo.metadata.tokenizer.ggml.tokens.length;
        const tokens = Array.from({ length: job.maxTokens }, () => 3 + Math.floor(this._random() * (vocabulary - 3)));
        const honestCount = await generate(this._stories, { ...job, maxTokens: 1 });
        return {
          text: this._stories.model.detokenize(tokens as Token[]),
          tokens,
          declaredModel: job.model,
          promptTokens: honestCount.promptTokens,
          completionTokens: job.maxTokens,
          stopReason: 'max-tokens',
          generationMs: performance.now() - started,
          cheated: true,
        };
      }
      case 'early-stop': {
        // Generates a fraction of the tokens and claims the model chose to stop there.
        const cut = Math.max(1, Math.floor(job.maxTokens * (0.2 + 0.6 * this._random())));
        const answer = await generate(this._stories, job, cut);
        return { ...answer, stopReason: 'eos', cheated: answer.stopReason === 'max-tokens' };
      }
      case 'replay':
      case 'replay-foreign': {
        const foreign = this.kind === 'replay-foreign';
        // Warm up honestly (to this requester, or to others), then answer only from the cache.
        if (this._replayCache.length < 10) {
          const fresh = await generate(this._stories, job);
          this._replayCache.push(fresh);
          if (!foreign) return fresh;
          const other = await generate(this._stories, makeJob(100_000 + this._replayCache.length));
          this._replayCache[this._replayCache.length - 1] = other;
        }
        const old = this._replayCache[Math.floor(this._random() * this._replayCache.length)]!;
        const promptTokens = this._stories.model.tokenize(job.prompt).length + 1;
        return { ...old, declaredModel: job.model, promptTokens, generationMs: 0, cheated: true };
      }
      case 'inflated-counts': {
        const answer = await generate(this._stories, job);
        const extra = 3 + Math.floor(answer.completionTokens * 0.1 * this._random());
        return { ...answer, completionTokens: answer.completionTokens + extra, cheated: true };
      }
    }
  }

  async dispose(): Promise<void> {
    for (const loaded of [this._stories, this._other]) {
      if (!loaded) continue;
      loaded.completion.dispose();
      await loaded.context.dispose();
      await loaded.model.dispose();
    }
  }
}

const NAMES = ['Lily', 'Tom', 'Ben', 'Sue', 'Max', 'Mia', 'Sam', 'Anna', 'Tim', 'Lucy', 'Jack', 'Sara', 'Bob', 'Amy'];
const THINGS = [
  'a red ball',
  'a big dog',
  'a little bird',
  'a shiny car',
  'a blue kite',
  'a soft bear',
  'a tall tree',
  'a funny hat',
];
const PLACES = ['the park', 'the garden', 'the forest', 'the beach', 'the house', 'the school', 'the lake', 'the shop'];
const FEELINGS = ['happy', 'sad', 'scared', 'excited', 'curious', 'tired', 'angry', 'proud'];

/** The i-th of 14 x 8 x 8 x 8 distinct story prompts, the kind of text stories260K was trained on. */
export function storyPrompt(i: number): string {
  const name = NAMES[i % NAMES.length];
  const thing = THINGS[Math.floor(i / NAMES.length) % THINGS.length];
  const place = PLACES[Math.floor(i / (NAMES.length * THINGS.length)) % PLACES.length];
  const feeling = FEELINGS[Math.floor(i / (NAMES.length * THINGS.length * PLACES.length)) % FEELINGS.length];
  return `Once upon a time, there was a ${feeling} child named ${name}. ${name} found ${thing} in ${place}.`;
}

const SAMPLINGS = [
  { temperature: 0, topP: 1 },
  { temperature: 0.7, topP: 0.9 },
  { temperature: 0.8, topP: 0.95 },
  { temperature: 1, topP: 0.9 },
];

/** A job as a requester would send it: sampling varies the way real users' settings do. */
export function makeJob(i: number, maxTokens = 32 + (i % 5) * 16): Job {
  const sampling = SAMPLINGS[i % SAMPLINGS.length]!;
  return { jobId: `job-${i}`, model: STORIES.sha256, prompt: storyPrompt(i), maxTokens, ...sampling, seed: 1000 + i };
}

/** A served job as the requester's audit takes it (`provider` names who served it). */
export function finishedJob(job: Job, answer: Answer, provider = 'p'): FinishedJob {
  return {
    provider,
    prompt: job.prompt,
    sampling: job,
    text: answer.text,
    tokens: answer.tokens,
    claim: {
      requestedModel: job.model,
      declaredModel: answer.declaredModel,
      stopReason: answer.stopReason,
      maxTokens: job.maxTokens,
      promptTokens: answer.promptTokens,
      outputTokens: answer.completionTokens,
    },
  };
}
