import { describe, expect, it } from 'vitest';
import {
  defaultProviderRanker,
  LATENCY_MS_PER_CREDIT,
  providerCost,
  rankProviders,
  type ProviderCandidate,
} from '../../../src/core/network/requester/provider-ranker';
import { ReputationBook } from '../../../src/core/network/reputation';
import { reputationRanker } from '../../../src/core/network/requester/reputation-ranker';

const candidate = (peerId: string, extra: Partial<ProviderCandidate> = {}): ProviderCandidate => ({
  peerId,
  addrs: [],
  price: 0,
  freeSlots: 1,
  source: 'gossip',
  seenAt: 0,
  ...extra,
});

const ids = (ranked: ProviderCandidate[]) => ranked.map((c) => c.peerId);

describe('rankProviders', () => {
  it('prefers free capacity, then the lowest cost of price and latency together', () => {
    const ranked = rankProviders([
      candidate('full', { freeSlots: 0, latencyMs: 1 }),
      candidate('far', { latencyMs: 200 }),
      candidate('near', { latencyMs: 5 }),
      candidate('dear', { price: 5, latencyMs: 1 }),
    ]);
    expect(ids(ranked)).toEqual(['near', 'far', 'dear', 'full']);
  });

  it('trades price against latency at LATENCY_MS_PER_CREDIT', () => {
    // 1 credit dearer but 2 x LATENCY_MS_PER_CREDIT nearer: nearer wins.
    const nearButDearer = candidate('near-dear', { price: 1, latencyMs: 10 });
    const farButCheap = candidate('far-cheap', { price: 0, latencyMs: 10 + 2 * LATENCY_MS_PER_CREDIT });
    expect(providerCost(nearButDearer)).toBeLessThan(providerCost(farButCheap));
    expect(ids(rankProviders([farButCheap, nearButDearer]))).toEqual(['near-dear', 'far-cheap']);
    // Half a credit nearer does not pay for a credit more.
    const slightlyNearer = candidate('slightly-nearer', { price: 1, latencyMs: 10 + LATENCY_MS_PER_CREDIT / 2 });
    const cheap = candidate('cheap', { price: 0, latencyMs: 10 + LATENCY_MS_PER_CREDIT });
    expect(ids(rankProviders([slightlyNearer, cheap]))).toEqual(['cheap', 'slightly-nearer']);
  });

  it('ranks a provider that did not answer ping last, whatever its price or reputation, and keeps it', () => {
    const ranked = rankProviders(
      [
        candidate('silent', { pingFailed: true, price: 0 }),
        candidate('measured', { latencyMs: 300, price: 3 }),
        candidate('unmeasured', { price: 1 }),
      ],
      { risk: (peerId) => (peerId === 'silent' ? 0 : 0.5) },
    );
    expect(ids(ranked)).toEqual(['unmeasured', 'measured', 'silent']);
  });

  it('weighs reputation and price in one cost: a good record beats a little more price, never a lot', () => {
    const risk = (peerId: string) => (peerId.startsWith('proven') ? 0.05 : 0.19);
    const ranked = rankProviders([candidate('cheap-new', { latencyMs: 1 }), candidate('proven', { price: 9, latencyMs: 400 })], { risk });
    expect(ids(ranked)).toEqual(['proven', 'cheap-new']);
    // A proven provider that raises its price far beyond the risk it saves loses to a free newcomer.
    const greedy = rankProviders([candidate('cheap-new', { latencyMs: 1 }), candidate('proven-greedy', { price: 1e9, latencyMs: 1 })], {
      risk,
    });
    expect(ids(greedy)).toEqual(['cheap-new', 'proven-greedy']);
  });

  it('is a pure, stable order: ties fall to price, then peer id, and the input is not changed', () => {
    const input = [candidate('b', { latencyMs: 100, price: 1 }), candidate('c', { latencyMs: 200 }), candidate('a', { latencyMs: 200 })];
    const before = structuredClone(input);
    expect(ids(rankProviders(input))).toEqual(['a', 'c', 'b']);
    expect(input).toEqual(before);
    expect(ids(defaultProviderRanker.rank(input, 'm') as ProviderCandidate[])).toEqual(['a', 'c', 'b']);
  });
});

describe('reputationRanker', () => {
  it('drops banned and timed-out providers, then ranks by capacity and cost with reputation in it', async () => {
    let now = 1_000_000;
    const book = new ReputationBook({ newJobs: 1, now: () => now });
    for (let i = 0; i < 30; i++) {
      book.recordCompleted('proven', { tokens: 10, ms: 100 });
      book.recordAudit('proven', true);
    }
    for (let i = 0; i < 3; i++) book.recordAudit('banned', false);
    book.recordDropped('resting');
    const ranker = reputationRanker(book);
    const candidates = [
      candidate('banned', { latencyMs: 1 }),
      candidate('resting', { latencyMs: 1 }),
      candidate('new-far', { latencyMs: 250 }),
      candidate('new-near', { latencyMs: 5 }),
      candidate('proven', { price: 4, latencyMs: 90 }),
    ];
    expect(ids(await ranker.rank(candidates, 'm'))).toEqual(['proven', 'new-near', 'new-far']);
    // The drop's timeout ends; the dropped provider returns, below the clean newcomers.
    now += 120_000;
    expect(ids(await ranker.rank(candidates, 'm'))).toEqual(['proven', 'new-near', 'new-far', 'resting']);
  });
});
