export { HearthNetwork, type HearthNetworkInit, type HearthNetworkStatus } from './hearth-network';
export { NetworkService, LOCAL_QUIET_MS, type NetworkServiceInit } from './network-service';
export { loadOrCreateIdentity, IDENTITY_SECRET } from './node/identity';
export { contributionVerdict, type PowerState, type ContributionVerdict } from './provider/contribution-policy';
export type { OfferedModel } from './provider/inference-provider';
export { describeModel } from './provider/offered-model';
export { NoProviderError, Requester, type NetworkJob, type GenerateResult } from './requester/requester';
export { defaultProviderRanker, type ProviderCandidate, type ProviderRanker } from './requester/provider-ranker';
export { INFER_PROTOCOL, CAPACITY_TOPIC, KAD_PROTOCOL } from './protocol/ids';
