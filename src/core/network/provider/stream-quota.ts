/**
 * How many inbound streams of one protocol an address (an IPv4 host, or an IPv6 /64) may hold
 * at once, as a multiple of the per-peer limit. Peer ids cost nothing to make, so without it one
 * machine rotating identities could hold a stream quota per identity; the multiple leaves room
 * for a few honest Hearth users behind one public NAT address.
 */
export const PEERS_PER_ADDRESS = 3;

/**
 * Counts the inbound streams of one protocol per peer (across all its connections: libp2p's
 * own `maxInboundStreams` counts per connection, so a peer that dials twice would get twice the
 * streams) and per public address.
 */
export class StreamQuota {
  private readonly _byPeer = new Map<string, number>();
  private readonly _byAddress = new Map<string, number>();

  constructor(private readonly _perPeer: number) {}

  /** Counts one more stream and returns its release, or null when the peer or address is full. */
  take(peer: string, address: string | null): (() => void) | null {
    if ((this._byPeer.get(peer) ?? 0) >= this._perPeer) return null;
    if (address !== null && (this._byAddress.get(address) ?? 0) >= this._perPeer * PEERS_PER_ADDRESS) return null;
    bump(this._byPeer, peer, 1);
    if (address !== null) bump(this._byAddress, address, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      bump(this._byPeer, peer, -1);
      if (address !== null) bump(this._byAddress, address, -1);
    };
  }

  /** Streams held now, for tests and status. */
  get held(): number {
    let sum = 0;
    for (const n of this._byPeer.values()) sum += n;
    return sum;
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}
