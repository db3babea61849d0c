import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { autoNAT } from '@libp2p/autonat';
import { bootstrap } from '@libp2p/bootstrap';
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { dcutr } from '@libp2p/dcutr';
import { gossipsub } from '@libp2p/gossipsub';
import { identify, identifyPush } from '@libp2p/identify';
import type { PeerId, PrivateKey } from '@libp2p/interface';
import { kadDHT, passthroughMapper, removePrivateAddressesMapper } from '@libp2p/kad-dht';
import { mdns } from '@libp2p/mdns';
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import type { Multiaddr } from '@multiformats/multiaddr';
import { createLibp2p, type Libp2pOptions } from 'libp2p';
import { KAD_PROTOCOL } from '../protocol/ids';
import { crowdedAddress } from './address-key';
import { recordSentBytes } from './sent-bytes-recorder';

export interface HearthNodeInit {
  privateKey: PrivateKey;
  /** Multiaddrs to listen on; `/p2p-circuit` alone makes a node reachable only through a relay. */
  listen: string[];
  /** Multiaddrs (with /p2p/<id>) of nodes to join through. */
  bootstrap: string[];
  /** Find peers on the LAN by multicast DNS. */
  mdns: boolean;
  /** Relay for others, without the default 2 min / 128 KiB cap that would cut token streams. */
  relayServer: boolean;
  /**
   * Serve the DHT. Default (undefined): libp2p decides from reachability, i.e. client mode
   * until the node is publicly reachable. Bootstrap nodes and LAN tests set true.
   */
  dhtServer?: boolean;
  /** Keep private and loopback addresses in the DHT (LAN and loopback networks). */
  lan: boolean;
  /** Receives every plaintext byte the node sends (see recordSentBytes); absent normally. */
  recordSent?: (bytes: Uint8Array) => void;
  /** Peers whose connections are refused (they sent hostile messages), by peer id string. */
  isBlocked: (peer: string) => boolean;
}

/** What identify tells every peer about this node's software: the same for every Hearth node. */
export const HEARTH_AGENT = 'hearth';

/** Bounds on what other peers may make this node hold. */
const MAX_CONNECTIONS = 128;
/**
 * Inbound connections one public address may hold (an eighth of MAX_CONNECTIONS): enough for a
 * household or office of Hearth users behind one NAT, while filling every slot takes 8 addresses.
 */
const MAX_CONNECTIONS_PER_ADDRESS = 16;

export async function createHearthNode(init: HearthNodeInit) {
  const peerDiscovery: NonNullable<Libp2pOptions['peerDiscovery']> = [];
  if (init.bootstrap.length > 0) peerDiscovery.push(bootstrap({ list: init.bootstrap, timeout: 0 }));
  if (init.mdns) peerDiscovery.push(mdns({ serviceTag: 'hearth.local' }));
  const gate = (peer: PeerId) => init.isBlocked(peer.toString());
  // The gater runs inside the node it guards, so it reads the node's connections once it exists.
  const live: { node?: { getConnections(): readonly { remoteAddr: Multiaddr }[] } } = {};
  const created = await createLibp2p({
    privateKey: init.privateKey,
    // Identify would otherwise announce "js-libp2p/<version> node/<exact Node version>".
    nodeInfo: { name: 'hearth', version: '1', userAgent: HEARTH_AGENT },
    addresses: { listen: init.listen },
    transports: [tcp(), webSockets(), circuitRelayTransport({ reservationCompletionTimeout: 10_000 })],
    connectionEncrypters: [
      init.recordSent ? (components) => recordSentBytes(noise()(components), init.recordSent!) : noise(),
    ],
    streamMuxers: [yamux({ maxInboundStreams: 256, maxMessageSize: 64 * 1024 })],
    connectionGater: {
      denyDialPeer: gate,
      denyInboundEncryptedConnection: gate,
      denyInboundConnection: (maConn) =>
        crowdedAddress(maConn.remoteAddr, live.node?.getConnections() ?? [], MAX_CONNECTIONS_PER_ADDRESS),
      denyOutboundEncryptedConnection: gate,
      // Loopback and LAN addresses are how Hearth nodes on one network find each other.
      denyDialMultiaddr: (_addr: Multiaddr) => false,
    },
    connectionManager: {
      maxConnections: MAX_CONNECTIONS,
      maxIncomingPendingConnections: 16,
      inboundConnectionThreshold: 10,
    },
    peerDiscovery,
    services: {
      // Generous: a busy machine identifies slowly, and gossip and the DHT wait for identify.
      identify: identify({ timeout: 20_000 }),
      identifyPush: identifyPush(),
      ping: ping(),
      autonat: autoNAT(),
      dcutr: dcutr(),
      dht: kadDHT({
        protocol: KAD_PROTOCOL,
        clientMode: init.dhtServer === undefined ? undefined : !init.dhtServer,
        peerInfoMapper: init.lan ? passthroughMapper : removePrivateAddressesMapper,
      }),
      pubsub: gossipsub({
        globalSignaturePolicy: 'StrictSign',
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        // Announcements are tiny; anything larger is garbage and costs the sender score.
        maxInboundDataLength: 16 * 1024,
        scoreParams: { appSpecificScore: (peer: string) => (init.isBlocked(peer) ? -1000 : 0) },
      }),
      ...(init.relayServer
        ? {
            relay: circuitRelayServer({
              reservations: { applyDefaultLimit: false, maxReservations: 64 },
            }),
          }
        : {}),
    },
  });
  live.node = created;
  return created;
}

export type HearthLibp2p = Awaited<ReturnType<typeof createHearthNode>>;
