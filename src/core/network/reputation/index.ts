export { ReputationBook, type ProviderStanding, type ReputationOptions, type ReputationTier } from './reputation-book';
