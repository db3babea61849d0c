import { multiaddr } from '@multiformats/multiaddr';
import { describe, expect, it } from 'vitest';
import { addressKey, crowdedAddress } from '../../../src/core/network/node/address-key';
import { PEERS_PER_ADDRESS, StreamQuota } from '../../../src/core/network/provider/stream-quota';

describe('StreamQuota', () => {
  it('holds a peer to its limit until one of its streams is released', () => {
    const quota = new StreamQuota(2);
    const first = quota.take('a', null)!;
    expect(quota.take('a', null)).not.toBeNull();
    expect(quota.take('a', null)).toBeNull();
    expect(quota.take('b', null)).not.toBeNull();
    first();
    first(); // a second release of one stream frees nothing more
    expect(quota.take('a', null)).not.toBeNull();
    expect(quota.take('a', null)).toBeNull();
    expect(quota.held).toBe(3);
  });

  it('holds identities rotated from one address to a few peers\' worth of streams', () => {
    const quota = new StreamQuota(2);
    let taken = 0;
    for (let i = 0; i < 50; i++) if (quota.take(`rotated-${i}`, '8.8.4.4')) taken++;
    expect(taken).toBe(2 * PEERS_PER_ADDRESS);
    expect(quota.take('elsewhere', '1.1.1.1')).not.toBeNull();
  });
});

describe('addressKey', () => {
  it('counts public IPv4 hosts, and IPv6 by /64', () => {
    expect(addressKey(multiaddr('/ip4/8.8.4.4/tcp/4001'))).toBe('8.8.4.4');
    expect(addressKey(multiaddr('/ip6/2a00:1450:4001:2:aaaa::1/tcp/4001'))).toBe('2a00:1450:4001:2::/64');
    expect(addressKey(multiaddr('/ip6/2a00:1450:4001:2::ffff/tcp/4001'))).toBe('2a00:1450:4001:2::/64');
    expect(addressKey(multiaddr('/ip6/2a00:0450::1/tcp/4001'))).toBe('2a00:450:0:0::/64');
  });

  it('does not count loopback, LAN or relayed addresses', () => {
    expect(addressKey(multiaddr('/ip4/127.0.0.1/tcp/4001'))).toBeNull();
    expect(addressKey(multiaddr('/ip4/192.168.1.20/tcp/4001'))).toBeNull();
    expect(
      addressKey(multiaddr('/ip4/8.8.4.4/tcp/4001/p2p/12D3KooWEd3PQyWrG5kmEoP3HPSt6bR5UpQzVoRwJ3H2RCKrgmLG/p2p-circuit')),
    ).toBeNull();
  });
});

describe('crowdedAddress', () => {
  const from = (addr: string) => ({ remoteAddr: multiaddr(addr) });
  it('refuses a public address its cap of connections, whatever the ports or peer ids', () => {
    const held = [from('/ip4/8.8.4.4/tcp/5001'), from('/ip4/8.8.4.4/tcp/5002'), from('/ip4/1.1.1.1/tcp/5001')];
    expect(crowdedAddress(multiaddr('/ip4/8.8.4.4/tcp/5003'), held, 2)).toBe(true);
    expect(crowdedAddress(multiaddr('/ip4/8.8.4.4/tcp/5003'), held, 3)).toBe(false);
    expect(crowdedAddress(multiaddr('/ip4/1.1.1.1/tcp/5002'), held, 2)).toBe(false);
  });

  it('never refuses loopback or LAN peers', () => {
    const held = Array.from({ length: 40 }, (_, i) => from(`/ip4/127.0.0.1/tcp/${5000 + i}`));
    expect(crowdedAddress(multiaddr('/ip4/127.0.0.1/tcp/6000'), held, 2)).toBe(false);
  });
});
