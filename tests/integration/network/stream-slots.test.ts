import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Stream } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HearthNetwork, INFER_PROTOCOL } from '../../../src/core/network';
import { MessageStream } from '../../../src/core/network/protocol/message-stream';
import { ProviderMessageSchema } from '../../../src/core/network/protocol/messages';
import { CHEATING_WORKER } from '../rewards/rewarded-node';
import { inferRequest, startInProcessNode, STORIES, TINY_RANDOM } from './in-process-node';

/** The provider below runs one job at a time, so libp2p allows 1 + 8 infer streams per connection. */
const MAX_INFER_STREAMS = 9;

/**
 * Peers that open inbound streams and leave them half-open: silent, with half a frame, or
 * never reading the refusal they asked for. Real libp2p on 127.0.0.1, stories260K served by
 * the fixture worker's honest mode.
 */
describe('inbound stream slots under half-open streams (loopback)', () => {
  let provider: HearthNetwork;
  let address: Multiaddr;
  const nodes: HearthNetwork[] = [];
  const node = async () => {
    const started = await startInProcessNode([address.toString()]);
    nodes.push(started);
    return started;
  };
  /** Inbound infer streams the provider holds from `peer`: what libp2p counts against its limit. */
  const held = (peer: HearthNetwork) =>
    provider.node
      .getConnections(peer.node.peerId)
      .flatMap((c) => c.streams)
      .filter((s) => s.protocol === INFER_PROTOCOL && s.direction === 'inbound').length;
  /** A request the provider refuses at once (it does not serve that model), and no strike. */
  const refusedRequest = async (stream: Stream, from: HearthNetwork, jobId: string) =>
    new MessageStream(stream, ProviderMessageSchema).write(inferRequest(jobId, 'ab'.repeat(32), from), 5_000);

  beforeAll(async () => {
    provider = await HearthNetwork.start({
      privateKey: await generateKeyPair('Ed25519'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [],
      mdns: false,
      relayServer: false,
      dhtServer: true,
      lan: true,
      announceIntervalMs: 1_000,
      log: pino({ level: 'silent' }),
      onChange: () => undefined,
      provider: {
        models: [{ sha256: STORIES.sha256, name: 'stories260K.gguf', path: STORIES.path }],
        threads: 1,
        maxConcurrentJobs: 1,
        verdict: () => ({ state: 'ready', reason: '' }),
        workerEntry: CHEATING_WORKER,
        workerArgs: ['honest', TINY_RANDOM.path],
      },
    });
    address = provider.node.getMultiaddrs()[0]!;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)));
    await provider?.stop();
  }, 60_000);

  it('serves an honest requester while others hold every stream half-open, and frees them after the deadline', async () => {
    const [neverReads, slow, honest] = await Promise.all([node(), node(), node()]);
    // One identity holds all its streams with refusals it never reads (no strike, so never blocked).
    for (let i = 0; i < MAX_INFER_STREAMS; i++) {
      await refusedRequest(await neverReads.node.dialProtocol(address, INFER_PROTOCOL), neverReads, `unread-${i}`);
    }
    // Another sends nothing on one stream and half a frame on another (two strikes: not yet blocked).
    const silent = await slow.node.dialProtocol(address, INFER_PROTOCOL);
    const truncated = await slow.node.dialProtocol(address, INFER_PROTOCOL);
    truncated.send(Uint8Array.from([40, 0xa1, 0x61]));
    await expect.poll(() => held(neverReads) + held(slow), { timeout: 10_000 }).toBeGreaterThan(0);

    await expect.poll(() => honest.directory.all().length, { timeout: 30_000 }).toBe(1);
    const result = await honest.requester.generate(
      { model: STORIES.sha256, prompt: 'Once', maxTokens: 8 },
      { onlyProviders: [provider.node.peerId.toString()], maxAttempts: 1 },
    );
    expect(result.summary.completionTokens).toBe(8);

    // The request deadline and the close grace are 5 s each; 30 s is generous on a busy machine.
    await expect.poll(() => [held(neverReads), held(slow)], { timeout: 30_000, interval: 500 }).toEqual([0, 0]);
    expect(silent.status).not.toBe('open');
    expect(provider.provider!.stats.jobsRunning).toBe(0);
  }, 90_000);

  it('lets one peer hold no more streams by opening more connections', async () => {
    const attacker = await node();
    const connections = [];
    // One at a time: the dial queue joins dials to one peer that are in flight together.
    for (let i = 0; i < 3; i++) connections.push(await attacker.node.dial(address, { force: true }));
    expect(new Set(connections.map((c) => c.id)).size).toBe(3);
    const answers = await Promise.all(
      connections.flatMap((connection, c) =>
        Array.from({ length: MAX_INFER_STREAMS }, async (_, i) => {
          const stream = await connection.newStream(INFER_PROTOCOL);
          await refusedRequest(stream, attacker, `conn-${c}-${i}`).catch(() => undefined);
          // Read the refusal (or learn the stream was cut) but never close this side.
          return new MessageStream(stream, ProviderMessageSchema).read(10_000).then(
            (m) => m.t,
            () => 'cut',
          );
        }),
      ),
    );
    expect(answers.filter((a) => a === 'refuse')).toHaveLength(MAX_INFER_STREAMS);
    expect(answers.filter((a) => a === 'cut')).toHaveLength(2 * MAX_INFER_STREAMS);
    await expect.poll(() => held(attacker), { timeout: 30_000, interval: 500 }).toBe(0);
  }, 90_000);
});
