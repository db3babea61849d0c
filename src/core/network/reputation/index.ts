export { ReputationBook, type ProviderStanding, type ReputationOptions, type ReputationTier } from './reputation-book';
export { reputationRanker } from './reputation-ranker';
