/** A job as the caller describes it; the requester picks the provider. */
export interface NetworkJob {
  /** sha256 of the model file. */
  model: string;
  prompt: string;
  maxTokens: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  /**
   * Most credits per 1000 tokens this job may cost; providers asking more are never tried.
   * Default DEFAULT_MAX_PRICE. The request offers the chosen provider's announced price.
   */
  maxPrice?: number;
}

/**
 * The price limit when the user set none, in credits per 1000 tokens: far above what honest
 * providers ask today (0 by default), far below a price that could empty a balance in one job.
 */
export const DEFAULT_MAX_PRICE = 10;

export interface GenerateOptions {
  signal?: AbortSignal;
  /** A piece of the answer from the provider currently serving the job. */
  onToken?: (text: string) => void;
  /** A provider was chosen; `attempt` counts from 1. Text streamed before a retry is void. */
  onAttempt?: (attempt: { peerId: string; attempt: number }) => void;
  /** Most providers to try. Default 4. */
  maxAttempts?: number;
  /** How long to wait for any provider of the model to be known. Default 15 s. */
  discoveryMs?: number;
  /** Only these peers may run the job (a user pinning a provider; tests aiming at one). */
  onlyProviders?: readonly string[];
}
