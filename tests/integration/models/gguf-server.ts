import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';

export interface GgufServerOptions {
  /** Files to serve, by their base name. */
  files: string[];
  /** Cut the connection after this many body bytes of the first full (non-Range) response. */
  dropFirstResponseAfter?: number;
  /** Flip one byte at this offset in every response. */
  corruptAt?: number;
  /** Headers to add (for example x-linked-etag with the sha256). */
  headers?: Record<string, string>;
}

/** A local stand-in for a model host: serves GGUF files with HTTP Range, and misbehaves on request. */
export async function startGgufServer(options: GgufServerOptions) {
  const byName = new Map(options.files.map((f) => [basename(f), f]));
  const requests: { path: string; range: string | null }[] = [];
  let dropped = false;
  const server: Server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    const path = byName.get(name);
    requests.push({ path: name, range: req.headers.range ?? null });
    if (!path) {
      res.writeHead(404).end();
      return;
    }
    const size = statSync(path).size;
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = match ? Number(match[1]) : 0;
    if (start >= size) {
      res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    res.writeHead(match ? 206 : 200, {
      'content-length': size - start,
      'accept-ranges': 'bytes',
      ...(match ? { 'content-range': `bytes ${start}-${size - 1}/${size}` } : {}),
      ...options.headers,
    });
    let sent = start;
    const drop = !match && !dropped && options.dropFirstResponseAfter !== undefined;
    const stream = createReadStream(path, { start, highWaterMark: 16 * 1024 });
    stream.on('data', (data: string | Buffer) => {
      const chunk = Buffer.from(data);
      const at = options.corruptAt;
      if (at !== undefined && at >= sent && at < sent + chunk.length) chunk[at - sent] = chunk[at - sent]! ^ 0xff;
      if (drop && sent + chunk.length > options.dropFirstResponseAfter!) {
        dropped = true;
        res.write(chunk.subarray(0, options.dropFirstResponseAfter! - sent));
        stream.destroy();
        res.socket?.destroy();
        return;
      }
      sent += chunk.length;
      res.write(chunk);
    });
    stream.on('end', () => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (name: string) => `http://127.0.0.1:${port}/${encodeURIComponent(name)}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
