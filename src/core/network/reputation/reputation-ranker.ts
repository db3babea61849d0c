import { defaultProviderRanker, type ProviderCandidate, type ProviderRanker } from '../requester/provider-ranker';
import type { ReputationBook } from './reputation-book';

/**
 * A requester's ranker that prefers good providers: it drops peers in timeout or banned, orders
 * the rest by reputation score, and keeps the fallback ranker's order (free slots, price,
 * latency) among peers whose scores are within `tolerance` of each other.
 */
export function reputationRanker(
  book: ReputationBook,
  { fallback = defaultProviderRanker, tolerance = 0.02 }: { fallback?: ProviderRanker; tolerance?: number } = {},
): ProviderRanker {
  return {
    async rank(candidates, model) {
      const available = candidates.filter((candidate) => book.isAvailable(candidate.peerId));
      const base = await fallback.rank(available, model);
      const position = new Map(base.map((candidate, i) => [candidate.peerId, i]));
      const score = (candidate: ProviderCandidate) => Math.round(book.standing(candidate.peerId).score / tolerance);
      return [...base].sort(
        (a, b) => score(b) - score(a) || (position.get(a.peerId) ?? 0) - (position.get(b.peerId) ?? 0),
      );
    },
  };
}
