import { createHash } from 'node:crypto';

export interface ReplayGuardOptions {
  /** Outputs shorter than this are not compared: short answers ("Yes.") repeat honestly. Default 16. */
  minTokens?: number;
  /** Outputs remembered per provider, oldest forgotten first. Default 10,000. */
  capacity?: number;
  /**
   * 'all': an answer counts as replayed whichever provider returned it first, so a cheater that
   * comes back under a new identity with the same cached answers is still recognised. Default
   * 'provider'.
   */
  scope?: 'provider' | 'all';
}

/**
 * Catches a provider that answers a new prompt with an answer it already returned for another:
 * cheap for the cheater, and often fluent enough to pass a log-probability audit on a story
 * model. Remembers a digest of each output with the prompt it answered.
 */
export class ReplayGuard {
  private readonly _seen = new Map<string, Map<string, string>>();
  private readonly _minTokens: number;
  private readonly _capacity: number;
  private readonly _scope: 'provider' | 'all';

  constructor({ minTokens = 16, capacity = 10_000, scope = 'provider' }: ReplayGuardOptions = {}) {
    this._minTokens = minTokens;
    this._capacity = capacity;
    this._scope = scope;
  }

  /** True when recording this answer would find a replay (nothing is recorded). */
  wouldBeReplay(provider: string, prompt: string, output: string, outputTokens: number): boolean {
    if (outputTokens < this._minTokens) return false;
    const earlier = this._seen.get(this._key(provider))?.get(digest(output));
    return earlier !== undefined && earlier !== digest(prompt);
  }

  private _key(provider: string): string {
    return this._scope === 'all' ? '' : provider;
  }

  /** Records the answer; true when this provider returned it before for a different prompt. */
  isReplay(provider: string, prompt: string, output: string, outputTokens: number): boolean {
    if (outputTokens < this._minTokens) return false;
    const outputs = this._seen.get(this._key(provider)) ?? new Map<string, string>();
    this._seen.set(this._key(provider), outputs);
    const key = digest(output);
    const promptKey = digest(prompt);
    const earlier = outputs.get(key);
    if (earlier !== undefined) return earlier !== promptKey;
    outputs.set(key, promptKey);
    if (outputs.size > this._capacity) outputs.delete(outputs.keys().next().value as string);
    return false;
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}
