/**
 * Blocks DNS rebinding: a server on 127.0.0.1 answers only requests addressed to a loopback
 * name and its own port. A page on evil.example that rebinds its name to 127.0.0.1 still
 * sends `Host: evil.example:<port>`, and is refused.
 */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const given = host.toLowerCase();
  return given === `127.0.0.1:${port}` || given === `localhost:${port}` || given === `[::1]:${port}`;
}
