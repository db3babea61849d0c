import { describe, expect, it } from 'vitest';
import { oneRowPerJob } from '../../src/renderer/src/components/contribute/earnings/one-row-per-job';
import { nodeSummary, shareableAddress } from '../../src/renderer/src/lib/node-summary';
import type { NetworkStatus } from '../../src/shared/contract/network';
import type { ReceiptRow } from '../../src/shared/contract/rewards';

const stopped: NetworkStatus = {
  running: false,
  peerId: null,
  addresses: [],
  peers: 0,
  reachability: 'offline',
  relays: [],
  contribution: { state: 'ready', reason: '' },
  offeredModels: [],
  providersKnown: 0,
  jobsRunning: 0,
  jobsServed: 0,
  jobsRefused: 0,
  tokensGenerated: 0,
  secondsContributed: 0,
};

describe('the Contribute page in words', () => {
  it('never calls a stopped node ready', () => {
    expect(nodeSummary(stopped).headline).toBe('Not sharing: the node is stopped');
    const running = { ...stopped, running: true, peerId: 'P' };
    expect(nodeSummary(running).headline).toBe('Running, nothing offered');
    const offering = { ...running, offeredModels: [{ name: 'm.gguf', sha256: 'a'.repeat(64) }] };
    expect(nodeSummary(offering).headline).toBe('Ready, waiting for peers');
    expect(nodeSummary({ ...offering, peers: 2 }).detail).toBe('Offering m.gguf to 2 connected peers.');
  });

  it('offers an outward address with the peer id to copy', () => {
    const status = {
      ...stopped,
      running: true,
      peerId: 'P',
      addresses: ['/ip4/127.0.0.1/tcp/4001', '/ip4/192.168.1.5/tcp/4001', '/ip4/1.2.3.4/tcp/4001/p2p/R/p2p-circuit'],
    };
    expect(shareableAddress(status)).toBe('/ip4/192.168.1.5/tcp/4001/p2p/P');
    expect(shareableAddress(stopped)).toBeNull();
  });

  it('shows a settled job once, without its stale "awaiting receipt" row', () => {
    const row = (seq: number, kind: ReceiptRow['kind'], jobId: string): ReceiptRow => ({
      seq,
      kind,
      jobId,
      at: seq,
      amount: '1',
      outputTokens: 1,
      audited: false,
      counterparty: null,
      verified: kind === 'earned' ? true : null,
      reason: null,
    });
    const rows = [row(3, 'earned', 'a'), row(2, 'pending', 'b'), row(1, 'pending', 'a')];
    expect(oneRowPerJob(rows).map((r) => [r.jobId, r.kind])).toEqual([
      ['a', 'earned'],
      ['b', 'pending'],
    ]);
  });
});
