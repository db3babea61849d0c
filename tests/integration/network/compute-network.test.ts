import { join } from 'node:path';
import { multiaddr } from '@multiformats/multiaddr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HearthNetwork } from '../../../src/core/network';
import { INFER_PROTOCOL, NoProviderError } from '../../../src/core/network';
import { Ledger } from '../../../src/core/network/ledger';
import { MessageStream } from '../../../src/core/network/protocol/message-stream';
import { ProviderMessageSchema } from '../../../src/core/network/protocol/messages';
import { jobPrice } from '../../../src/core/network/rewards/price';
import { inferRequest, startInProcessNode, STORIES, TINY_RANDOM } from './in-process-node';
import { startedNodes, startNodeProcess, type NodeProcess } from './network-node-process';

/**
 * Five `hearth network node` processes on 127.0.0.1 plus a requester in the test process:
 * B bootstraps and relays; P1 and P2 serve stories260K; R serves llama-2-tiny-random and is
 * reachable only through B's relay; N serves stories260K but its schedule says "not now".
 * P2 asks 2 credits per 1000 tokens, the others nothing.
 */
describe('the compute network on loopback', () => {
  let bootstrapNode: NodeProcess;
  let p1: NodeProcess;
  let p2: NodeProcess;
  let relayOnly: NodeProcess;
  let notNow: NodeProcess;
  let requester: HearthNetwork;

  const addressOf = (node: NodeProcess) => multiaddr(node.status().addresses[0]!);

  beforeAll(async () => {
    bootstrapNode = await startNodeProcess({ args: ['--listen', '/ip4/127.0.0.1/tcp/0', '--relay', '--dht-server'] });
    const b = bootstrapNode.status().addresses[0]!;
    const provider = (model: string, extra: string[] = [], settings?: Record<string, unknown>) =>
      startNodeProcess({
        args: ['--bootstrap', b, '--model', model, '--contribute', '--dht-server', ...extra],
        settings: { network: { maxThreads: 1, mdns: false, ...settings } },
      });
    const awayHour = (new Date().getHours() + 12) % 24;
    [p1, p2, relayOnly, notNow] = await Promise.all([
      provider(STORIES.path, ['--listen', '/ip4/127.0.0.1/tcp/0']),
      provider(STORIES.path, ['--listen', '/ip4/127.0.0.1/tcp/0'], { pricePer1kTokens: 2 }),
      // Reachable only through B: a reservation on that relay is its one listening address.
      provider(TINY_RANDOM.path, ['--listen', `${b}/p2p-circuit`]),
      provider(STORIES.path, ['--listen', '/ip4/127.0.0.1/tcp/0'], { activeHours: [awayHour] }),
    ]);
    requester = await startInProcessNode([b]);
  }, 180_000);

  afterAll(async () => {
    await requester?.stop();
    await Promise.all([...startedNodes].map((c) => c.kill('SIGKILL')));
  });

  it('finds every ready provider through the bootstrap node alone, by gossip and by the DHT', async () => {
    // The paused node (notNow) stays quiet until it is ready; it is reached directly below.
    const named = { p1, p2, relayOnly };
    const ids = Object.values(named)
      .map((p) => p.status().peerId)
      .sort();
    const nameOf = (id: string) => Object.entries(named).find(([, p]) => p.status().peerId === id)?.[0] ?? id;
    const known = new Set<string>();
    const sources = new Set<string>();
    await expect
      .poll(
        async () => {
          for (const p of requester.directory.all()) {
            known.add(p.peerId);
            sources.add('gossip');
          }
          for (const model of [STORIES.sha256, TINY_RANDOM.sha256]) {
            for (const c of await requester.directory.fromDht(model, AbortSignal.timeout(3_000))) {
              known.add(c.peerId);
              sources.add('dht');
            }
          }
          return [...known].sort();
        },
        { timeout: 80_000, interval: 500, message: 'providers never discovered' },
      )
      .toEqual(ids)
      .catch((error: unknown) => {
        const missing = ids.filter((id) => !known.has(id!)).map((id) => nameOf(id!));
        throw new Error(`Not discovered: ${missing.join(', ')}`, { cause: error });
      });
    expect(sources.size).toBeGreaterThan(0);
  }, 90_000);

  it('measures the round trip of every provider it found with ping, relayed ones too', async () => {
    const ids = [p1, p2, relayOnly].map((p) => p.status().peerId!);
    const measured = async () => {
      // find() answers from gossip, or from the DHT when gossip knows nobody: both get pinged.
      const found = [
        ...(await requester.directory.find(STORIES.sha256, { waitMs: 1_000 })),
        ...(await requester.directory.find(TINY_RANDOM.sha256, { waitMs: 1_000 })),
      ];
      return found
        .filter(
          (c) => ids.includes(c.peerId) && c.latencyMs !== undefined && Number.isFinite(c.latencyMs) && c.latencyMs > 0,
        )
        .map((c) => c.peerId)
        .sort();
    };
    // No timing threshold: on a loaded machine a round trip may take long, it only has to be measured.
    await expect.poll(measured, { timeout: 60_000, interval: 500 }).toEqual([...ids].sort());
  }, 70_000);

  it("never sends a job above the requester's price limit, and offers the chosen provider's price", async () => {
    const dear = p2.status().peerId!;
    await expect
      .poll(() => requester.directory.all().find((p) => p.peerId === dear)?.announcement.price, { timeout: 30_000 })
      .toBe(2);
    expect(requester.directory.all().find((p) => p.peerId === p1.status().peerId)?.announcement.price).toBe(0);
    const attempts: string[] = [];
    const job = requester.requester.generate(
      { model: STORIES.sha256, prompt: 'Once', maxTokens: 4, maxPrice: 1 },
      { onlyProviders: [dear], onAttempt: ({ peerId }) => attempts.push(peerId) },
    );
    await expect(job).rejects.toThrow(NoProviderError);
    await expect(job).rejects.toThrow(/ask more than your limit of 1 credits/);
    expect(attempts).toEqual([]);

    // Within the limit, the request offers what the provider asks: its ledger prices the job at 2.
    const result = await requester.requester.generate(
      { model: STORIES.sha256, prompt: 'Once', maxTokens: 4, maxPrice: 2 },
      { onlyProviders: [dear] },
    );
    const owed = String(jobPrice(2, result.summary.completionTokens));
    // The ledger as any reader checks it: every line signed by p2's wallet (named in its header).
    const pendingAmounts = async () =>
      (await Ledger.inspect(join(p2.home, 'network', 'ledger.jsonl'))).entries.flatMap((entry) =>
        entry.kind === 'pending' ? [entry.amount] : [],
      );
    await expect.poll(pendingAmounts, { timeout: 10_000 }).toContain(owed);
  }, 40_000);

  it('runs a job and streams its tokens back', async () => {
    const chunks: string[] = [];
    const result = await requester.requester.generate(
      { model: STORIES.sha256, prompt: 'Once upon a time', maxTokens: 48, seed: 7 },
      { onToken: (t) => chunks.push(t) },
    );
    expect([p1.status().peerId, p2.status().peerId]).toContain(result.peerId);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(result.text);
    expect(result.text.length).toBeGreaterThan(20);
    expect(result.summary.completionTokens).toBe(48);
    expect(result.summary.stopReason).toBe('max-tokens');
  });

  it('stops a job the requester cancels', async () => {
    const controller = new AbortController();
    let tokens = 0;
    const result = await requester.requester.generate(
      { model: STORIES.sha256, prompt: 'Once upon a time', maxTokens: 4000 },
      {
        signal: controller.signal,
        onToken: () => {
          if (++tokens === 3) controller.abort();
        },
      },
    );
    expect(result.summary.stopReason).toBe('cancelled');
    expect(result.summary.completionTokens).toBeLessThan(4000);
    const provider = [p1, p2].find((p) => p.status().peerId === result.peerId)!;
    await provider.waitFor((s) => s.jobsRunning === 0);
  });

  it('serves from a node reachable only through a relay', async () => {
    const status = await relayOnly.waitFor((s) => s.addresses.length > 0);
    expect(status.addresses.every((a) => a.includes('/p2p-circuit'))).toBe(true);
    expect(status.reachability).toBe('relayed');
    const result = await requester.requester.generate({ model: TINY_RANDOM.sha256, prompt: 'hello', maxTokens: 16 });
    expect(result.peerId).toBe(status.peerId);
    expect(result.summary.completionTokens).toBeGreaterThan(0);
  });

  it('refuses jobs when its settings say "not now"', async () => {
    const stream = await requester.node.dialProtocol(addressOf(notNow), INFER_PROTOCOL);
    const messages = new MessageStream(stream, ProviderMessageSchema);
    await messages.write(inferRequest('not-now-1', STORIES.sha256, requester), 5_000);
    const answer = await messages.read(5_000);
    expect(answer).toMatchObject({ t: 'refuse', reason: 'not-now', message: 'Outside the hours you chose.' });
    expect(notNow.status().contribution.state).toBe('paused');
  });

  it('refuses a request that offers less than its price', async () => {
    const stream = await requester.node.dialProtocol(addressOf(p2), INFER_PROTOCOL);
    const messages = new MessageStream(stream, ProviderMessageSchema);
    const request = { t: 'request' as const, jobId: 'cheap-1', model: STORIES.sha256, prompt: 'Once', maxTokens: 8 };
    const sampling = { temperature: 0, topP: 1, seed: 0, requester: requester.node.peerId.toString() };
    await messages.write({ ...request, ...sampling, price: 1.5 }, 5_000);
    await expect(messages.read(5_000)).resolves.toMatchObject({ t: 'refuse', reason: 'price-too-low' });
  });

  it('rejects malformed, oversized and slow-loris messages and keeps serving', async () => {
    const attacker = await startInProcessNode([bootstrapNode.status().addresses[0]!]);
    try {
      const target = addressOf(p1);
      const closedWithin = async (send: (stream: Awaited<ReturnType<typeof attacker.node.dialProtocol>>) => void) => {
        const stream = await attacker.node.dialProtocol(target, INFER_PROTOCOL);
        const started = Date.now();
        send(stream);
        const received: Uint8Array[] = [];
        try {
          for await (const chunk of stream) received.push(chunk.subarray());
        } catch {
          // A reset is how a provider hangs up on garbage.
        }
        return { ms: Date.now() - started, received: received.length };
      };
      // Not CBOR at all.
      const garbage = await closedWithin((s) => s.send(Uint8Array.from([5, 0xff, 0xfe, 0xfd, 0xfc, 0xfb])));
      expect(garbage.received).toBe(0);
      // A length prefix announcing 10 MB.
      const oversized = await closedWithin((s) => s.send(Uint8Array.from([0x80, 0x80, 0x80, 0x05, 1, 2, 3])));
      expect(oversized.received).toBe(0);
      // One byte, then silence: cut off after the 5 s request timeout, not left hanging.
      const slow = await closedWithin((s) => s.send(Uint8Array.from([40])));
      expect(slow.ms).toBeGreaterThanOrEqual(4_000);
      expect(slow.ms).toBeLessThan(15_000);
    } finally {
      await attacker.stop();
    }
    expect(p1.process.exitCode).toBeNull();
    const result = await requester.requester.generate({ model: STORIES.sha256, prompt: 'The cat', maxTokens: 16 });
    expect(result.summary.completionTokens).toBe(16);
  });

  it('finishes a job elsewhere when its provider is killed mid-job', async () => {
    const attempts: string[] = [];
    let killed: Promise<void> | undefined;
    const result = await requester.requester.generate(
      { model: STORIES.sha256, prompt: 'Once upon a time', maxTokens: 1500 },
      {
        onAttempt: ({ peerId }) => attempts.push(peerId),
        onToken: () => {
          if (killed || attempts.length !== 1) return;
          const victim = [p1, p2].find((p) => p.status().peerId === attempts[0])!;
          killed = victim.kill('SIGKILL');
        },
      },
    );
    await killed;
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(result.peerId).not.toBe(attempts[0]);
    expect([p1.status().peerId, p2.status().peerId]).toContain(result.peerId);
    expect(result.summary.completionTokens).toBe(1500);
  });
});
