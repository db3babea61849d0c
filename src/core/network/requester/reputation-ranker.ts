import { rankProviders, type ProviderRanker } from './provider-ranker';
import type { ReputationBook } from '../reputation';

/**
 * A requester's ranker that prefers good providers: it drops peers in timeout or banned, then
 * ranks the rest with rankProviders, the risk of each being one minus the book's score (the
 * estimated chance that a job passes its audit and completes).
 */
export function reputationRanker(book: ReputationBook): ProviderRanker {
  return {
    rank(candidates) {
      const available = candidates.filter((candidate) => book.isAvailable(candidate.peerId));
      return rankProviders(available, { risk: (peerId) => 1 - book.standing(peerId).score });
    },
  };
}
