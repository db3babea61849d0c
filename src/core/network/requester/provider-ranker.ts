/** A provider the requester could send a job to. */
export interface ProviderCandidate {
  peerId: string;
  addrs: string[];
  /** Credits per 1000 tokens it asks (0 for a provider known only from the DHT). */
  price: number;
  freeSlots: number;
  /** Round trip measured by ping, when known. */
  latencyMs?: number;
  /** It did not answer the last ping probe. */
  pingFailed?: boolean;
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

/** A round trip this long weighs as much as 1 credit per 1000 tokens. */
export const LATENCY_MS_PER_CREDIT = 100;
/** What a not yet measured round trip is taken to be: slower than most, faster than none. */
export const UNMEASURED_LATENCY_MS = 500;

/**
 * Price and latency in one figure, lower is better: the price per 1000 tokens plus the round
 * trip in units of LATENCY_MS_PER_CREDIT. A provider's cost does not depend on the others.
 */
export function providerCost(candidate: ProviderCandidate): number {
  return candidate.price + (candidate.latencyMs ?? UNMEASURED_LATENCY_MS) / LATENCY_MS_PER_CREDIT;
}

export interface RankOptions {
  /** Reputation band of a provider, higher is better; every provider is in band 0 without one. */
  band?: (peerId: string) => number;
}

/**
 * The one ranking rule, lexicographic:
 * 1. providers that answered their last ping probe (or were not probed yet) before those that did not;
 * 2. higher reputation band first;
 * 3. free capacity first (a full provider refuses);
 * 4. lower providerCost first; ties by price, then peer id so the order is stable.
 * Bans, timeouts and the price limit are filters applied before ranking, not part of it.
 */
export function rankProviders(candidates: readonly ProviderCandidate[], { band = () => 0 }: RankOptions = {}): ProviderCandidate[] {
  const bands = new Map(candidates.map((c) => [c.peerId, band(c.peerId)]));
  return [...candidates].sort(
    (a, b) =>
      Number(a.pingFailed === true) - Number(b.pingFailed === true) ||
      bands.get(b.peerId)! - bands.get(a.peerId)! ||
      Number(b.freeSlots > 0) - Number(a.freeSlots > 0) ||
      providerCost(a) - providerCost(b) ||
      a.price - b.price ||
      (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0),
  );
}

/** rankProviders without reputation: price, latency and free capacity alone. */
export const defaultProviderRanker: ProviderRanker = {
  rank: (candidates) => rankProviders(candidates),
};
