import { isLoopback, isPrivate } from '@libp2p/utils';
import type { Multiaddr } from '@multiformats/multiaddr';

/**
 * The address a connection (and its streams) is counted under, or null for addresses not limited:
 * loopback and private ones (this machine and its LAN, where mDNS peers live) and relayed
 * connections, whose address is the relay's and shared by every peer behind it.
 */
export function addressKey(remote: Multiaddr): string | null {
  const text = remote.toString();
  if (text.includes('/p2p-circuit') || isLoopback(remote) || isPrivate(remote)) return null;
  const [, family, host] = text.split('/');
  if (family === 'ip4' && host) return host;
  if (family === 'ip6' && host) return `${ipv6Prefix64(host)}::/64`;
  return null;
}

/** The first four groups of an IPv6 address: one /64 is what one subscriber usually gets. */
function ipv6Prefix64(host: string): string {
  const [head = '', tail] = host.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, '').toLowerCase())
    .join(':');
}

/**
 * True when `max` connections already come from the address `remote` is counted under: libp2p
 * refuses every inbound connection once it holds `maxConnections`, so without a cap one machine
 * with fresh peer ids could fill them all and lock out every other requester.
 */
export function crowdedAddress(remote: Multiaddr, connections: readonly { remoteAddr: Multiaddr }[], max: number): boolean {
  const key = addressKey(remote);
  if (key === null) return false;
  let count = 0;
  for (const connection of connections) if (addressKey(connection.remoteAddr) === key) count++;
  return count >= max;
}
