import { describe, expect, it } from 'vitest';
import { defaultProviderRanker, type ProviderCandidate } from '../../../src/core/network/requester/provider-ranker';

const candidate = (peerId: string, extra: Partial<ProviderCandidate>): ProviderCandidate => ({
  peerId,
  addrs: [],
  price: 0,
  freeSlots: 1,
  source: 'gossip',
  seenAt: 0,
  ...extra,
});

describe('defaultProviderRanker', () => {
  it('prefers free capacity, then price, then latency', () => {
    const ranked = defaultProviderRanker.rank(
      [
        candidate('full', { freeSlots: 0 }),
        candidate('far', { latencyMs: 200 }),
        candidate('near', { latencyMs: 5 }),
        candidate('dear', { price: 5, latencyMs: 1 }),
      ],
      'm',
    ) as ProviderCandidate[];
    expect(ranked.map((c) => c.peerId)).toEqual(['near', 'far', 'dear', 'full']);
  });
});
