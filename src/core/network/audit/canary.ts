import { randomInt } from 'node:crypto';

/** Stands for "the answer ends here" among a canary's token choices. */
export const END_OF_ANSWER = -1;

/**
 * A prompt whose greedy answer the requester already knows. `choices[i]` are the tokens the model
 * ranks within a small margin of its first choice at step i (END_OF_ANSWER for stopping);
 * `ended` says the known answer stopped with an end of generation after `tokens`.
 */
export interface CanaryReference {
  prompt: string;
  maxTokens: number;
  tokens: number[];
  choices: number[][];
  ended: boolean;
}

/**
 * Compares a provider's answer with a canary's known answer up to the first difference. A
 * difference fails when the provider's token is not among the model's near-equal choices at that
 * step; a difference at a near-tie passes, since ties legitimately flip across hardware and the
 * two answers cannot be compared after it.
 */
export function checkCanary(
  reference: CanaryReference,
  returned: readonly number[],
): { passed: boolean; detail: string } {
  for (let i = 0; i < reference.maxTokens; i++) {
    const expected = i < reference.tokens.length ? reference.tokens[i] : reference.ended ? END_OF_ANSWER : undefined;
    if (expected === undefined) break;
    const actual = i < returned.length ? returned[i] : END_OF_ANSWER;
    if (actual === expected) {
      if (actual === END_OF_ANSWER) break;
      continue;
    }
    if (!reference.choices[i]?.includes(actual!)) {
      return {
        passed: false,
        detail: `Differs from the known answer at token ${i + 1} with a token the model would not choose.`,
      };
    }
    return { passed: true, detail: `Matches the known answer up to a near-tie at token ${i + 1}.` };
  }
  return { passed: true, detail: 'Matches the known answer.' };
}

export interface CanaryPoolOptions {
  /** Share of jobs that are canaries. Default 0.02. */
  share?: number;
  /** Random source in [0, 1); tests pass a seeded one. Default: crypto. */
  random?: () => number;
}

/**
 * Canaries the requester mixes into its jobs. A canary goes out as an ordinary job: a fresh job
 * id, the usual price, greedy sampling with a fresh seed; its prompt is drawn from the same
 * prompts the requester sends for real, so nothing on the wire tells it apart. It is only as
 * invisible as greedy jobs are common in the requester's traffic; see docs/NETWORK.md.
 */
export class CanaryPool {
  private readonly _canaries: CanaryReference[] = [];
  private readonly _share: number;
  private readonly _random: () => number;

  constructor({ share = 0.02, random = () => randomInt(2 ** 32) / 2 ** 32 }: CanaryPoolOptions = {}) {
    this._share = share;
    this._random = random;
  }

  add(reference: CanaryReference): void {
    this._canaries.push(reference);
  }

  get size(): number {
    return this._canaries.length;
  }

  /** A canary to send now, or null (most of the time, and always while the pool is empty). */
  next(): CanaryReference | null {
    if (this._canaries.length === 0 || this._random() >= this._share) return null;
    return this._canaries[Math.floor(this._random() * this._canaries.length)] ?? null;
  }
}
