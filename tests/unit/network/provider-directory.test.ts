import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { describe, expect, it } from 'vitest';
import { encodeAnnouncement, type CapacityAnnouncement } from '../../../src/core/network/protocol/capacity';
import { CAPACITY_TOPIC } from '../../../src/core/network/protocol/ids';
import {
  ProviderDirectory,
  type ProviderDirectoryComponents,
} from '../../../src/core/network/requester/provider-directory';

const MODEL = 'a'.repeat(64);

/**
 * A seam test: the directory takes only the parts of a node it uses (js-libp2p's components
 * style), so gossip, ping and the DHT can be played by a fake here; the real node is tested over
 * TCP in tests/integration/network.
 */
function fakeComponents() {
  const listeners = new Set<(event: CustomEvent) => void>();
  const subscribed: string[] = [];
  const pinged: string[] = [];
  const components = {
    peerId: peerIdFromPrivateKey(fakeKey),
    contentRouting: { findProviders: async function* () {} },
    peerStore: { merge: async () => undefined },
    services: {
      pubsub: {
        subscribe: (topic: string) => subscribed.push(topic),
        addEventListener: (_: string, listener: (event: CustomEvent) => void) => listeners.add(listener),
        removeEventListener: (_: string, listener: (event: CustomEvent) => void) => listeners.delete(listener),
      },
      ping: {
        ping: async (peer: { toString(): string }) => {
          pinged.push(peer.toString());
          return 3;
        },
      },
    },
  } as unknown as ProviderDirectoryComponents;
  const hear = (detail: unknown) => {
    for (const listener of listeners) listener(new CustomEvent('message', { detail }));
  };
  return { components, subscribed, pinged, hear, listeners };
}

const fakeKey = await generateKeyPair('Ed25519');

describe('ProviderDirectory without a libp2p node', () => {
  it('learns providers from signed capacity announcements and ignores anything else', async () => {
    const fake = fakeComponents();
    const directory = new ProviderDirectory(fake.components, { ttlMs: 60_000 });
    directory.start();
    expect(fake.subscribed).toEqual([CAPACITY_TOPIC]);

    const provider = peerIdFromPrivateKey(await generateKeyPair('Ed25519'));
    const announcement: CapacityAnnouncement = {
      v: 1,
      models: [{ sha256: MODEL, name: 'toy' }],
      freeSlots: 1,
      price: 2,
      addrs: [],
    };
    fake.hear({ topic: CAPACITY_TOPIC, type: 'signed', from: provider, data: encodeAnnouncement(announcement) });
    // Unsigned, off-topic and malformed messages change nothing.
    const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519'));
    fake.hear({ topic: CAPACITY_TOPIC, type: 'unsigned', data: encodeAnnouncement(announcement) });
    fake.hear({ topic: 'other', type: 'signed', from: stranger, data: encodeAnnouncement(announcement) });
    fake.hear({ topic: CAPACITY_TOPIC, type: 'signed', from: stranger, data: new Uint8Array([1, 2, 3]) });

    const found = await directory.find(MODEL, { waitMs: 0 });
    expect(found.map((c) => [c.peerId, c.price, c.source])).toEqual([[provider.toString(), 2, 'gossip']]);
    expect(await directory.find('b'.repeat(64), { waitMs: 0 })).toEqual([]);
    await expect.poll(() => fake.pinged).toContain(provider.toString());

    directory.stop();
    expect(fake.listeners.size).toBe(0);
  });
});
