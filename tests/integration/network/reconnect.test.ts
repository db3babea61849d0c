import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HearthNetwork } from '../../../src/core/network';
import { KnownPeers } from '../../../src/core/network/node/known-peers';
import { tempDir } from '../../helpers/temp-dir';
import { freePort } from '../../helpers/free-port';

/**
 * A requester whose only provider restarts must find it again: real libp2p over TCP on
 * 127.0.0.1, the provider stopped and started again on the same port with the same key.
 */
describe('reconnecting to known providers', () => {
  const running: HearthNetwork[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((n) => n.stop()));
  });

  const start = async (
    privateKey: PrivateKey,
    listen: string[],
    bootstrap: string[],
    provider: boolean,
    knownPeers?: KnownPeers,
  ) => {
    const network = await HearthNetwork.start({
      knownPeers,
      privateKey,
      listen,
      bootstrap,
      mdns: false,
      relayServer: false,
      dhtServer: true,
      lan: true,
      // A provider with no models serves the job protocol without starting any worker.
      provider: provider
        ? { models: [], threads: 1, maxConcurrentJobs: 1, verdict: () => ({ state: 'ready', reason: '' }) }
        : undefined,
      redial: { minDelayMs: 200, maxDelayMs: 2_000 },
      log: pino({ level: 'silent' }),
      onChange: () => undefined,
    });
    running.push(network);
    return network;
  };

  it(
    'redials a provider that restarted on the same address, and identify shows a generic agent',
    { timeout: 90_000 },
    async () => {
      const port = await freePort();
      const providerKey = await generateKeyPair('Ed25519');
      const providerId = peerIdFromPrivateKey(providerKey);
      const listen = [`/ip4/127.0.0.1/tcp/${port}`];
      let provider = await start(providerKey, listen, [], true);
      // The requester learns the provider from a relay-free bootstrap peer: a third node, so the
      // provider is kept because it serves jobs, not because it is a bootstrap address.
      const hub = await start(await generateKeyPair('Ed25519'), ['/ip4/127.0.0.1/tcp/0'], [], false);
      const hubAddr = `${hub.node.getMultiaddrs()[0]!.toString()}/p2p/${hub.node.peerId.toString()}`;
      await provider.node.dial(hub.node.getMultiaddrs()[0]!);
      const requester = await start(await generateKeyPair('Ed25519'), ['/ip4/127.0.0.1/tcp/0'], [hubAddr], false);
      await requester.node.dial(provider.node.getMultiaddrs()[0]!);
      const connected = () => requester.node.getPeers().some((p) => p.equals(providerId));
      await vi.waitFor(
        async () => {
          expect(connected()).toBe(true);
          expect((await requester.node.peerStore.get(providerId)).protocols).toContain('/hearth/infer/1.0.0');
        },
        { timeout: 20_000, interval: 100 },
      );
      const agent = (await requester.node.peerStore.get(providerId)).metadata.get('AgentVersion');
      expect(new TextDecoder().decode(agent)).toBe('hearth');

      await provider.stop();
      running.splice(running.indexOf(provider), 1);
      await vi.waitFor(() => expect(connected()).toBe(false), { timeout: 20_000, interval: 100 });
      // Stay away longer than libp2p's own keep-alive reconnects (5 attempts, 1+2+4+8+16 s), which
      // cover only DHT-close peers anyway: past them, only Hearth's redialer still looks.
      await new Promise((resolve) => setTimeout(resolve, 35_000));

      provider = await start(providerKey, listen, [], true);
      await vi.waitFor(() => expect(connected()).toBe(true), { timeout: 30_000, interval: 200 });
    },
  );

  it('finds a provider it knew in an earlier run, with no bootstrap list', { timeout: 60_000 }, async () => {
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'known-peers.json');
      const provider = await start(await generateKeyPair('Ed25519'), ['/ip4/127.0.0.1/tcp/0'], [], true);
      const isProvider = (p: { equals(other: unknown): boolean }) => p.equals(provider.node.peerId);
      const firstKnown = await KnownPeers.load(file);
      const first = await start(await generateKeyPair('Ed25519'), ['/ip4/127.0.0.1/tcp/0'], [], false, firstKnown);
      await first.node.dial(provider.node.getMultiaddrs()[0]!);
      await vi.waitFor(() => expect(first.node.getPeers().some(isProvider)).toBe(true), { timeout: 20_000 });
      // Remembered once identify has said it serves jobs.
      const providerId = provider.node.peerId.toString();
      await vi.waitFor(() => expect(firstKnown.list().map((p) => p.peerId)).toEqual([providerId]), { timeout: 20_000 });
      await first.stop();
      running.splice(running.indexOf(first), 1);
      const saved = JSON.parse(await readFile(file, 'utf8')) as { peerId: string }[];
      expect(saved.map((p) => p.peerId)).toEqual([providerId]);

      const second = await start(
        await generateKeyPair('Ed25519'),
        ['/ip4/127.0.0.1/tcp/0'],
        [],
        false,
        await KnownPeers.load(file),
      );
      await vi.waitFor(() => expect(second.node.getPeers().some(isProvider)).toBe(true), {
        timeout: 20_000,
        interval: 100,
      });
    } finally {
      await dir.cleanup();
    }
  });
});
