import { rankProviders, type ProviderRanker } from '../requester/provider-ranker';
import type { ReputationBook } from './reputation-book';

/**
 * A requester's ranker that prefers good providers: it drops peers in timeout or banned, then
 * ranks the rest with rankProviders, whose reputation band is the book's score in steps of
 * `tolerance` (scores closer than that are one band, ordered by free slots, price and latency).
 */
export function reputationRanker(book: ReputationBook, { tolerance = 0.02 }: { tolerance?: number } = {}): ProviderRanker {
  return {
    rank(candidates) {
      const available = candidates.filter((candidate) => book.isAvailable(candidate.peerId));
      return rankProviders(available, { band: (peerId) => Math.round(book.standing(peerId).score / tolerance) });
    },
  };
}
