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

/**
 * What a provider's chance of a bad job (a failed audit, a dropped job) costs, in credits per
 * 1000 tokens per unit of probability: a provider whose record makes a bad job 1% likelier costs
 * 1 credit more. Large enough that a proven provider beats a newcomer asking a little less;
 * small enough that no record outweighs a price many credits higher.
 */
export const RISK_CREDITS = 100;

export interface RankOptions {
  /** Estimated chance, 0..1, that a job on this provider goes wrong; 0 for everyone without one. */
  risk?: (peerId: string) => number;
}

/**
 * The one ranking rule:
 * 1. providers that answered their last ping probe (or were not probed yet) before those that did not;
 * 2. free capacity first (a full provider refuses);
 * 3. lowest expected cost, `providerCost + risk x RISK_CREDITS`: price, latency and reputation
 *    in one figure, so a dear provider cannot win on its record alone, nor a cheap one on price
 *    alone; ties by price, then peer id so the order is stable.
 * Bans, timeouts and the price limit are filters applied before ranking, not part of it.
 */
export function rankProviders(candidates: readonly ProviderCandidate[], { risk = () => 0 }: RankOptions = {}): ProviderCandidate[] {
  const costs = new Map(candidates.map((c) => [c.peerId, providerCost(c) + risk(c.peerId) * RISK_CREDITS]));
  return [...candidates].sort(
    (a, b) =>
      Number(a.pingFailed === true) - Number(b.pingFailed === true) ||
      Number(b.freeSlots > 0) - Number(a.freeSlots > 0) ||
      costs.get(a.peerId)! - costs.get(b.peerId)! ||
      a.price - b.price ||
      (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0),
  );
}

/** rankProviders without reputation: price, latency and free capacity alone. */
export const defaultProviderRanker: ProviderRanker = {
  rank: (candidates) => rankProviders(candidates),
};
