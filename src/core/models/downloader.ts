import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, statfs, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { checkGgufFile } from './gguf-check';
import { ChecksumMismatchError, DiskFullError, DownloadFailedError, OfflineError } from './errors';

export interface DownloadProgressInfo {
  done: number;
  total: number | null;
  bytesPerSecond: number;
  etaSeconds: number | null;
  state: 'running' | 'verifying';
}

export interface DownloadFileOptions {
  url: string;
  /** Final path; bytes go to `<target>.part` until verified. */
  target: string;
  /** Expected SHA-256 (hex). Default: the one the host publishes (Hugging Face's X-Linked-Etag). */
  sha256?: string | null;
  /** Size used for the disk-space check before the server says; default unknown. */
  expectedBytes?: number;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgressInfo) => void;
  /** Resumes after a dropped connection this many times in a row. Default 5. */
  retries?: number;
  /** Milliseconds between progress reports. Default 250. */
  progressIntervalMs?: number;
  /** Free bytes on the target's disk; a seam for tests. Default: statfs. */
  freeBytes?: (dir: string) => Promise<number | null>;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  sha256: string;
}

const SHA256 = /^[0-9a-f]{64}$/;

async function defaultFreeBytes(dir: string): Promise<number | null> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** The SHA-256 a host publishes for a file, when it does (Hugging Face does for LFS files). */
function publishedSha256(headers: Headers): string | null {
  for (const name of ['x-linked-etag', 'etag']) {
    const value = headers.get(name)?.replace(/^W\//, '').replaceAll('"', '').toLowerCase();
    if (value && SHA256.test(value)) return value;
  }
  return null;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

function isOffline(error: unknown): boolean {
  const code = ((error as { cause?: { code?: string } }).cause?.code ?? '') as string;
  return ['ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH'].includes(code);
}

/**
 * Downloads one file resumably: bytes are appended to `<target>.part` (HTTP Range picks up
 * where a dropped connection or an earlier run stopped), hashed as they arrive, checked
 * against the expected SHA-256 and the GGUF layout, and only then renamed to `target`. A bad
 * checksum deletes the part file; a cancel or network failure keeps it for the next attempt.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<DownloadResult> {
  const { url, target, signal } = options;
  const part = `${target}.part`;
  const file = target.split(/[\\/]/).pop() ?? target;
  const retries = options.retries ?? 5;
  const interval = options.progressIntervalMs ?? 250;
  await mkdir(dirname(target), { recursive: true });

  let offset = await stat(part)
    .then((s) => s.size)
    .catch(() => 0);
  const hash = createHash('sha256');
  if (offset > 0) await hashInto(hash, part);

  let total: number | null = options.expectedBytes ?? null;
  let expected = options.sha256?.toLowerCase() ?? null;
  await checkSpace(options, dirname(target), file, total === null ? 0 : total - offset);

  const started = Date.now();
  const startOffset = offset;
  let lastReport = 0;
  const report = (state: DownloadProgressInfo['state'], force = false) => {
    const now = Date.now();
    if (!force && now - lastReport < interval) return;
    lastReport = now;
    const seconds = (now - started) / 1000;
    const bytesPerSecond = seconds > 0 ? (offset - startOffset) / seconds : 0;
    const etaSeconds = total !== null && bytesPerSecond > 0 ? Math.max(0, (total - offset) / bytesPerSecond) : null;
    options.onProgress?.({ done: offset, total, bytesPerSecond, etaSeconds, state });
  };

  let failures = 0;
  let complete = false;
  while (!complete) {
    signal?.throwIfAborted();
    let handle: FileHandle | null = null;
    try {
      const response = await fetch(url, {
        headers: offset > 0 ? { Range: `bytes=${offset}-` } : {},
        signal,
        redirect: 'follow',
      });
      if (response.status === 416 && offset > 0) {
        // The part file already holds everything the server has.
        await response.body?.cancel();
        complete = true;
        break;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new DownloadFailedError(file, `the server answered ${response.status} ${response.statusText}`);
      }
      expected ??= publishedSha256(response.headers);
      const length = Number(response.headers.get('content-length') ?? NaN);
      if (response.status === 206) {
        const range = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
        total = range ? Number(range[1]) : Number.isFinite(length) ? offset + length : total;
      } else {
        // The server ignored the Range: start over rather than append a second copy.
        if (offset > 0) {
          await rm(part, { force: true });
          return await downloadFile(options);
        }
        total = Number.isFinite(length) ? length : total;
      }
      if (total !== null) await checkSpace(options, dirname(target), file, total - offset);
      handle = await open(part, 'a');
      if (!response.body) throw new DownloadFailedError(file, 'the server sent no data');
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        try {
          await handle.write(chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
            throw new DiskFullError(
              file,
              total ?? offset + chunk.length,
              await (options.freeBytes ?? defaultFreeBytes)(dirname(target)),
            );
          }
          throw error;
        }
        hash.update(chunk);
        offset += chunk.length;
        failures = 0;
        report('running');
      }
      if (total !== null && offset < total) throw new DownloadFailedError(file, 'the connection closed early');
      complete = true;
    } catch (error) {
      if (error instanceof DiskFullError || isAbort(error) || signal?.aborted) throw error;
      if (error instanceof DownloadFailedError && /answered/.test(error.message)) throw error;
      if (offset === 0 && isOffline(error)) throw new OfflineError(new URL(url).host);
      if (++failures > retries) {
        throw error instanceof DownloadFailedError ? error : new DownloadFailedError(file, (error as Error).message);
      }
      // The next request resumes with a Range from `offset`; the hash already covers those bytes.
      await new Promise((r) => setTimeout(r, Math.min(4000, 250 * 2 ** failures)));
    } finally {
      await handle?.close();
    }
  }

  report('verifying', true);
  const actual = hash.digest('hex');
  if (!expected) {
    await rm(part, { force: true });
    throw new DownloadFailedError(file, 'neither the catalog nor the server gives a checksum to verify it against');
  }
  if (actual !== expected) {
    await rm(part, { force: true });
    throw new ChecksumMismatchError(file, expected, actual);
  }
  try {
    await checkGgufFile(part);
  } catch (error) {
    await rm(part, { force: true });
    throw error;
  }
  await rename(part, target);
  return { path: target, bytes: offset, sha256: actual };
}

async function checkSpace(options: DownloadFileOptions, dir: string, file: string, needed: number): Promise<void> {
  if (needed <= 0) return;
  const free = await (options.freeBytes ?? defaultFreeBytes)(dir);
  if (free !== null && free < needed) throw new DiskFullError(file, needed, free);
}

async function hashInto(hash: Hash, path: string): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}
