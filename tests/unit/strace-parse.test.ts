import { describe, expect, it } from 'vitest';
import { isLoopback, parseConnections } from '../helpers/traced-hearth';

describe('parseConnections', () => {
  it('finds IPv4 and IPv6 connects and datagram sends, and tells loopback apart', () => {
    const log = [
      '123 connect(21, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("93.184.216.34")}, 16) = -1 EINPROGRESS',
      '124 connect(22, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
      '125 sendto(23, "x", 1, 0, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("8.8.8.8")}, 16) = 1',
      '126 connect(24, {sa_family=AF_UNIX, sun_path="/run/x"}, 110) = 0',
      '127 connect(25, {sa_family=AF_INET, sin_port=htons(4000), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
    ].join('\n');
    const found = parseConnections(log);
    expect(found.map((c) => `${c.syscall} ${c.address}:${c.port}`)).toEqual([
      'connect 93.184.216.34:443',
      'connect ::1:80',
      'sendto 8.8.8.8:53',
      'connect 127.0.0.1:4000',
    ]);
    expect(found.filter((c) => !isLoopback(c)).map((c) => c.address)).toEqual(['93.184.216.34', '8.8.8.8']);
  });
});
