/** A provider the requester could send a job to. */
export interface ProviderCandidate {
  peerId: string;
  addrs: string[];
  /** Credits per 1000 tokens it asks. */
  price: number;
  freeSlots: number;
  /** Round trip measured by ping, when known. */
  latencyMs?: number;
  /** How the requester learnt of it. */
  source: 'gossip' | 'dht';
  /** When it last announced itself (ms since epoch). */
  seenAt: number;
}

/**
 * Orders candidates, best first. The reputation work plugs in here: a ranker that knows which
 * peers finished their jobs honestly can wrap or replace the default.
 */
export interface ProviderRanker {
  rank(candidates: readonly ProviderCandidate[], model: string): ProviderCandidate[] | Promise<ProviderCandidate[]>;
}

/** Free capacity first, then the cheapest, then the nearest (unknown latency counts as slow). */
export const defaultProviderRanker: ProviderRanker = {
  rank(candidates) {
    return [...candidates].sort(
      (a, b) =>
        Number(b.freeSlots > 0) - Number(a.freeSlots > 0) ||
        a.price - b.price ||
        (a.latencyMs ?? 10_000) - (b.latencyMs ?? 10_000),
    );
  },
};
