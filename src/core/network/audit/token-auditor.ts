import {
  getLlama,
  type ControlledEvaluateInputItem,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import { DisposedError, type Disposable } from '../../disposable';
import { LLAMA_OPTIONS } from '../../models/llama-options';
import { randomInt } from 'node:crypto';
import { AuditorLimitError } from './audit-errors';
import {
  checkReturnedIds,
  judgeAudit,
  type AuditThresholds,
  type AuditVerdict,
  type ProviderClaim,
  type ScoredOutput,
} from './audit-rules';
import { END_OF_ANSWER, type CanaryReference } from './canary';
import { ModelHashError } from './model-hash-error';
import { modelSha256 } from './model-sha256';
import { SerialQueue } from '../../serial-queue';

export interface TokenAuditorOptions {
  modelPath: string;
  /** sha256 the file must have; checked once on load. Default: computed and trusted. */
  modelHash?: string;
  /** CPU threads for the scoring pass. Default 1: audits run beside generation. */
  threads?: number;
  /** Longest prompt + output it can score. Default min(2048, the model's training context). */
  contextSize?: number;
  /** Random integer in [0, n) choosing a long job's audit window. Default: crypto. */
  randomInt?: (n: number) => number;
  /** Shares an already started llama.cpp runtime. Default: `getLlama({ gpu: false })`. */
  llama?: Llama;
}

/** Sampling the provider was asked to use; the audit scores under the same temperature. */
export interface DeclaredSampling {
  temperature: number;
  topP: number;
}

/** The returned answer, as token ids when the protocol carries them, else as text. */
export type ReturnedOutput = { tokens: readonly number[] } | { text: string };

export interface AuditJob {
  prompt: string;
  output: ReturnedOutput;
  sampling: DeclaredSampling;
  claim: ProviderClaim;
}

export interface AuditReport extends AuditVerdict {
  scored: ScoredOutput;
  /** Wall time of the scoring pass, for the compute-share figure. */
  auditMs: number;
}

/**
 * Re-scores returned output in one teacher-forced pass (node-llama-cpp cannot return
 * log-probabilities while generating, its #584): prompt and output go through the model as one
 * batch, with the next-token distribution read at every output position.
 */
export class TokenAuditor implements Disposable {
  private _disposed = false;
  private readonly _queue = new SerialQueue();

  /** Ids at or above this are not in the model's vocabulary. */
  readonly vocabularySize: number;

  private constructor(
    readonly modelHash: string,
    private readonly _model: LlamaModel,
    private readonly _context: LlamaContext,
    private readonly _sequence: LlamaContextSequence,
    private readonly _randomInt: (n: number) => number,
  ) {
    this.vocabularySize = _model.fileInfo.metadata.tokenizer.ggml.tokens.length;
  }

  static async load(options: TokenAuditorOptions, { signal }: { signal?: AbortSignal } = {}): Promise<TokenAuditor> {
    const actual = await modelSha256(options.modelPath, { signal });
    if (options.modelHash && options.modelHash.toLowerCase() !== actual) {
      throw new ModelHashError(options.modelPath, options.modelHash, actual);
    }
    const llama = options.llama ?? (await getLlama({ ...LLAMA_OPTIONS, gpu: false }));
    const model = await llama.loadModel({ modelPath: options.modelPath });
    const context = await model.createContext({
      threads: options.threads ?? 1,
      contextSize: options.contextSize ?? Math.min(2048, model.trainContextSize),
      sequences: 1,
    });
    return new TokenAuditor(actual, model, context, context.getSequence(), options.randomInt ?? ((n) => randomInt(n)));
  }

  /** The prompt's tokens exactly as LlamaCompletion feeds them (BOS, then the text). */
  promptTokens(prompt: string): Token[] {
    const bos = this._model.tokens.shouldPrependBosToken ? this._model.tokens.bos : null;
    const text = this._model.tokenize(prompt, false, bos !== null ? 'trimLeadingSpace' : undefined);
    return bos !== null ? [bos, ...text] : text;
  }

  outputTokens(output: ReturnedOutput): Token[] {
    return 'tokens' in output ? (output.tokens.slice() as Token[]) : this._model.tokenize(output.text, false);
  }

  /** Log-probabilities of the returned tokens under the declared sampling. */
  score(prompt: string, output: ReturnedOutput, sampling: DeclaredSampling, options: { signal?: AbortSignal } = {}) {
    return this._queue.run(() => this._score(prompt, output, sampling, options));
  }

  private async _score(
    prompt: string,
    output: ReturnedOutput,
    sampling: DeclaredSampling,
    { signal }: { signal?: AbortSignal },
  ): Promise<ScoredOutput> {
    if (this._disposed) throw new DisposedError('The token auditor');
    signal?.throwIfAborted();
    const promptTokens = this.promptTokens(prompt);
    const returned = this.outputTokens(output);
    if (promptTokens.length === 0) throw new Error('An audit needs at least one prompt token.');
    const size = this._context.contextSize;
    // A job that fits is scored whole, with the context the provider had, by every rule. A
    // longer one had its context cut by the provider's runtime (the prompt's start, then shifts)
    // in ways the auditor cannot reproduce: only a window of it is judged, and only for junk.
    const headLength = promptTokens.length + returned.length <= size ? returned.length : 0;
    const head = returned.slice(0, headLength);
    const options = auditSampling(sampling);
    let logProbs: number[] = [];
    let greedyMisses = 0;
    let typicality: number | undefined;
    let endLogProb = 0;
    try {
      if (headLength > 0) {
        const first = promptTokens.length - 1;
        const results = await this._evaluate([...promptTokens, ...head], first, options);
        const logProbAt = (index: number, token: Token) => Math.log(results[index]?.next.probabilities?.get(token) ?? 0);
        logProbs = head.map((token, i) => logProbAt(first + i, token));
        // Greedy output must be the model's first choice wherever that choice was clear.
        if (sampling.temperature <= 0) {
          greedyMisses = head.filter((token, i) => {
            const [top] = results[first + i]?.next.probabilities ?? [];
            return top !== undefined && top[0] !== token && Math.log(top[1]) - (logProbs[i] ?? 0) > GREEDY_MARGIN;
          }).length;
        } else typicality = typicalityZ(logProbs, head.map((_, i) => results[first + i]?.next.probabilities));
        if (headLength === returned.length) {
          const ends = [this._model.tokens.eos, this._model.tokens.eot].filter((t): t is Token => t !== null);
          endLogProb = Math.max(...ends.map((token) => logProbAt(first + head.length, token)));
        }
      }
      const scored: ScoredOutput = {
        logProbs,
        endLogProb,
        promptTokens: promptTokens.length,
        greedyMisses,
        outputTokens: returned.length,
        ...(typicality !== undefined ? { typicality } : {}),
      };
      if (headLength === returned.length) return scored;
      return { ...scored, window: await this._scoreWindow(promptTokens, returned, headLength, sampling) };
    } finally {
      await this._sequence.clearHistory();
    }
  }

  private async _evaluate(tokens: Token[], first: number, options: ReturnType<typeof auditSampling>) {
    const input: ControlledEvaluateInputItem[] = tokens.map((token, index) =>
      index >= first ? [token, { generateNext: { probabilities: true, options } }] : token,
    );
    await this._sequence.clearHistory();
    return this._sequence.controlledEvaluate(input);
  }

  /**
   * A job longer than the context: the provider's runtime cut its context while it generated,
   * in a way the auditor cannot reproduce, so it scores a random window of the answer (the
   * provider cannot know which) as long as half the context, after the beginning-of-text
   * token and as much of the text right before it as fits, without a nucleus cut. Only gross
   * cheats are judged there (`windowMeanFloor`): what the cut context leaves of an honest
   * answer is still text the model finds plausible; junk is not.
   */
  private async _scoreWindow(promptTokens: Token[], returned: Token[], from: number, sampling: DeclaredSampling) {
    const size = this._context.contextSize;
    const length = Math.min(returned.length - from, Math.floor(size / 2));
    const start = from + this._randomInt(returned.length - from - length + 1);
    const before = [...promptTokens, ...returned.slice(0, start)];
    const bos = this._model.tokens.shouldPrependBosToken ? this._model.tokens.bos : null;
    const lead = bos !== null && before[0] === bos ? [bos] : [];
    const room = size - length - lead.length;
    if (room < 1) throw new AuditorLimitError(`The auditor's ${size}-token context is too small for this job.`);
    const prefix = [...lead, ...before.slice(Math.max(lead.length, before.length - room))];
    const tokens = returned.slice(start, start + length);
    const options = { ...auditSampling(sampling), topP: 1 };
    const first = prefix.length - 1;
    const results = await this._evaluate([...prefix, ...tokens], first, options);
    const logProbs = tokens.map((token, i) => Math.log(results[first + i]?.next.probabilities?.get(token) ?? 0));
    return { start, length, logProbs };
  }

  /**
   * The greedy answer to a canary prompt with the model's confidence at each step (top-1 minus
   * top-2 log-probability), so a requester can later check a provider's answer without scoring it.
   */
  reference(
    prompt: string,
    maxTokens: number,
    options: { signal?: AbortSignal; tieMargin?: number } = {},
  ): Promise<CanaryReference> {
    return this._queue.run(() => this._reference(prompt, maxTokens, options));
  }

  private async _reference(
    prompt: string,
    maxTokens: number,
    { signal, tieMargin = 2 }: { signal?: AbortSignal; tieMargin?: number },
  ): Promise<CanaryReference> {
    if (this._disposed) throw new DisposedError('The token auditor');
    const ends = new Set([this._model.tokens.eos, this._model.tokens.eot].filter((t) => t !== null));
    const tokens: number[] = [];
    const choices: number[][] = [];
    const prompted = this.promptTokens(prompt);
    let input: ControlledEvaluateInputItem[] = prompted.map((token, index) =>
      index === prompted.length - 1 ? [token, { generateNext: { probabilities: true } }] : token,
    );
    await this._sequence.clearHistory();
    let ended = false;
    while (tokens.length < maxTokens) {
      signal?.throwIfAborted();
      const results = await this._sequence.controlledEvaluate(input);
      const ranked = [...(results.at(-1)?.next.probabilities ?? new Map<Token, number>())];
      const [top] = ranked;
      if (!top) break;
      const near = ranked.filter(([, p]) => Math.log(top[1]) - Math.log(p) < tieMargin).map(([t]) => t);
      choices.push(near.map((t) => (ends.has(t) ? END_OF_ANSWER : t)));
      if (ends.has(top[0])) {
        ended = true;
        break;
      }
      tokens.push(top[0]);
      input = [[top[0], { generateNext: { probabilities: true } }]];
    }
    await this._sequence.clearHistory();
    return { prompt, maxTokens, tokens, choices, ended };
  }

  /**
   * A fresh prompt in the style of `prompt`, for a canary: its first third kept, the rest
   * sampled from the model (temperature 1) to about the same length, and a short last line
   * ("Assistant:") kept as it was. Never a word-for-word repeat of a prompt a provider saw.
   */
  variant(prompt: string, options: { signal?: AbortSignal; random?: () => number } = {}): Promise<string> {
    return this._queue.run(() => this._variant(prompt, options));
  }

  private async _variant(
    prompt: string,
    { signal, random = () => randomInt(2 ** 32) / 2 ** 32 }: { signal?: AbortSignal; random?: () => number },
  ): Promise<string> {
    if (this._disposed) throw new DisposedError('The token auditor');
    const lastBreak = prompt.lastIndexOf('\n');
    const tail = lastBreak !== -1 && prompt.length - lastBreak <= 40 ? prompt.slice(lastBreak) : '';
    const tokens = this.promptTokens(prompt.slice(0, prompt.length - tail.length));
    const keep = Math.max(2, Math.ceil(tokens.length / 3));
    const budget = Math.min(this._context.contextSize - keep - 1, Math.max(8, tokens.length - keep));
    const sampled: Token[] = [];
    const ends = new Set([this._model.tokens.eos, this._model.tokens.eot].filter((t) => t !== null));
    let input: ControlledEvaluateInputItem[] = tokens
      .slice(0, keep)
      .map((token, index) => (index === keep - 1 ? [token, { generateNext: { probabilities: true } }] : token));
    await this._sequence.clearHistory();
    try {
      while (sampled.length < budget) {
        signal?.throwIfAborted();
        const results = await this._sequence.controlledEvaluate(input);
        const distribution = [...(results.at(-1)?.next.probabilities ?? new Map<Token, number>())];
        let draw = random() * distribution.reduce((sum, [, p]) => sum + p, 0);
        const next = distribution.find(([, p]) => (draw -= p) <= 0)?.[0] ?? distribution[0]?.[0];
        if (next === undefined || ends.has(next)) break;
        sampled.push(next);
        input = [[next, { generateNext: { probabilities: true } }]];
      }
    } finally {
      await this._sequence.clearHistory();
    }
    const bos = this._model.tokens.bos;
    const head = this._model.detokenize(tokens.slice(0, keep).filter((t) => t !== bos));
    return `${head}${this._model.detokenize(sampled)}${tail}`;
  }

  /**
   * The text the model's vocabulary spells for these token ids. Ids outside the vocabulary
   * throw here: llama.cpp would abort the whole process on them.
   */
  detokenize(tokens: readonly number[]): string {
    if (checkReturnedIds(tokens, { vocabularySize: this.vocabularySize, maxTokens: Infinity }).length > 0) {
      throw new RangeError('Some token ids are not in the model vocabulary.');
    }
    return this._model.detokenize(tokens as Token[]);
  }

  /** Scores a job and applies the fail rules. */
  async audit(
    job: AuditJob,
    options: { thresholds?: AuditThresholds; signal?: AbortSignal } = {},
  ): Promise<AuditReport> {
    const started = performance.now();
    if ('tokens' in job.output) {
      const failures = checkReturnedIds(job.output.tokens, {
        vocabularySize: this.vocabularySize,
        maxTokens: job.claim.maxTokens,
      });
      if (failures.length > 0) {
        const scored = { logProbs: [], endLogProb: 0, promptTokens: 0, outputTokens: job.output.tokens.length };
        return { passed: false, failures, minLogProb: 0, unlikelyTokens: 0, scored, auditMs: 0 };
      }
    }
    let scored: ScoredOutput;
    try {
      scored = await this.score(job.prompt, job.output, job.sampling, options);
    } catch (error) {
      // The provider's data passed every check above, so a failure here is the auditor's own.
      if (options.signal?.aborted || error instanceof AuditorLimitError || error instanceof DisposedError) throw error;
      throw new AuditorLimitError(`The auditor could not score the job: ${(error as Error).message}`);
    }
    const auditMs = performance.now() - started;
    const countSlack = options.thresholds?.countSlack ?? ('text' in job.output ? 2 : 0);
    return { ...judgeAudit(scored, job.claim, { ...options.thresholds, countSlack }), scored, auditMs };
  }

  get disposed(): boolean {
    return this._disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    await this._queue.idle();
    await this._context.dispose();
    await this._model.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

/**
 * How typical the returned tokens are of samples from the scored distribution, as a z-score: an
 * honest sample's log-probability at each step has mean -H (the step's entropy) and a variance
 * the distribution gives, so the sum of (log p + H) over the answer, divided by its standard
 * deviation, is about standard normal for honest work. Answers written for another prompt, by
 * another model or at a hotter temperature score far below it even when no single token is
 * unlikely enough to fail on its own. Steps with -Infinity are left to the floor rules.
 */
function typicalityZ(logProbs: readonly number[], distributions: ReadonlyArray<ReadonlyMap<Token, number> | undefined>): number {
  let sum = 0;
  let variance = 0;
  logProbs.forEach((lp, i) => {
    const distribution = distributions[i];
    if (!distribution || !Number.isFinite(lp)) return;
    let first = 0;
    let second = 0;
    let mass = 0;
    for (const p of distribution.values()) {
      if (p <= 0) continue;
      const l = Math.log(p);
      first += p * l;
      second += p * l * l;
      mass += p;
    }
    if (mass <= 0) return;
    const mean = first / mass;
    sum += lp - mean;
    variance += Math.max(0, second / mass - mean * mean);
  });
  return variance > 0 ? sum / Math.sqrt(variance) : 0;
}

/** Natural-log lead of the first choice over the returned token that makes a greedy miss clear. */
const GREEDY_MARGIN = 2;

/**
 * The distribution honest output was drawn from, made slightly looser so float differences
 * between machines cannot push an honest token out: the declared temperature (greedy jobs are
 * scored at 1, where an argmax token is never below -ln(vocabulary)), no top-k or min-p, and a
 * nucleus ten times wider in the mass it leaves out (0.9 -> 0.99). Tokens outside that nucleus
 * score -Infinity: an honest sampler could not have produced them.
 */
function auditSampling({ temperature, topP }: DeclaredSampling) {
  const greedy = temperature <= 0;
  return {
    temperature: greedy ? 1 : temperature,
    topK: 0,
    minP: 0,
    topP: greedy || topP >= 1 ? 1 : 1 - (1 - topP) / 10,
  };
}
