import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadFile, type DownloadProgressInfo } from '../../../src/core/models';
import { tempDir } from '../../helpers/temp-dir';
import { startGgufServer } from './gguf-server';

const STORIES = resolve('../shared/models/stories260K.gguf');
const STORIES_BYTES = 1_185_376;
const STORIES_SHA = '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d';

function canMountTmpfs(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    const probe = join('/tmp', `hearth-tmpfs-probe-${process.pid}`);
    mkdirSync(probe, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]);
    execFileSync('umount', [probe]);
    return true;
  } catch {
    return false;
  }
}

describe('model downloads from a local HTTP server', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let server: Awaited<ReturnType<typeof startGgufServer>> | null = null;

  beforeEach(async () => {
    dir = await tempDir('hearth-dl-');
  });
  afterEach(async () => {
    await server?.close();
    server = null;
    await dir.cleanup();
  });

  it('resumes with a Range request after the connection drops, and verifies the result', async () => {
    server = await startGgufServer({ files: [STORIES], dropFirstResponseAfter: 400_000 });
    const target = join(dir.path, 'stories260K.gguf');
    const progress: DownloadProgressInfo[] = [];
    const result = await downloadFile({
      url: server.url('stories260K.gguf'),
      target,
      sha256: STORIES_SHA,
      progressIntervalMs: 0,
      onProgress: (p) => progress.push(p),
    });
    expect(result).toEqual({ path: target, bytes: STORIES_BYTES, sha256: STORIES_SHA });
    // Two requests: the whole file, then the rest from wherever the dropped connection left off.
    expect(server.requests.map((r) => r.range?.replace(/\d+/, 'N') ?? null)).toEqual([null, 'bytes=N-']);
    const resumedAt = Number(/\d+/.exec(server.requests[1]!.range!)![0]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(400_000);
    expect(readdirSync(dir.path)).toEqual(['stories260K.gguf']);
    const running = progress.filter((p) => p.state === 'running');
    expect(running.at(-1)!.done).toBe(STORIES_BYTES);
    expect(running.at(-1)!.total).toBe(STORIES_BYTES);
    expect(running.some((p) => p.bytesPerSecond > 0)).toBe(true);
    expect(progress.at(-1)!.state).toBe('verifying');
  });

  it('resumes a part file left by an earlier run', async () => {
    server = await startGgufServer({ files: [STORIES] });
    const target = join(dir.path, 'stories260K.gguf');
    const controller = new AbortController();
    await expect(
      downloadFile({
        url: server.url('stories260K.gguf'),
        target,
        sha256: STORIES_SHA,
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (p) => {
          if (p.done > 100_000) controller.abort();
        },
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(existsSync(`${target}.part`)).toBe(true);
    expect(existsSync(target)).toBe(false);
    await downloadFile({ url: server.url('stories260K.gguf'), target, sha256: STORIES_SHA });
    expect(server.requests.at(-1)!.range).toMatch(/^bytes=\d{6,}-$/);
    expect(existsSync(target)).toBe(true);
  });

  it('deletes the file when one byte is corrupted and says the checksum failed', async () => {
    server = await startGgufServer({ files: [STORIES], corruptAt: 900_000 });
    const target = join(dir.path, 'stories260K.gguf');
    await expect(
      downloadFile({ url: server.url('stories260K.gguf'), target, sha256: STORIES_SHA }),
    ).rejects.toMatchObject({
      name: 'ChecksumMismatchError',
      message: expect.stringContaining('damaged in transit') as unknown,
    });
    expect(readdirSync(dir.path)).toEqual([]);
  });

  it('uses the sha256 the host publishes when the catalog has none, and refuses when neither has one', async () => {
    server = await startGgufServer({ files: [STORIES], headers: { 'x-linked-etag': `"${STORIES_SHA}"` } });
    const target = join(dir.path, 'stories260K.gguf');
    await expect(downloadFile({ url: server.url('stories260K.gguf'), target })).resolves.toMatchObject({
      sha256: STORIES_SHA,
    });
    await server.close();
    server = await startGgufServer({ files: [STORIES] });
    const other = join(dir.path, 'copy.gguf');
    await expect(downloadFile({ url: server.url('stories260K.gguf'), target: other })).rejects.toMatchObject({
      name: 'DownloadFailedError',
    });
    expect(existsSync(other)).toBe(false);
  });

  it('refuses to start when the disk has too little space', async () => {
    server = await startGgufServer({ files: [STORIES] });
    await expect(
      downloadFile({
        url: server.url('stories260K.gguf'),
        target: join(dir.path, 'stories260K.gguf'),
        sha256: STORIES_SHA,
        expectedBytes: STORIES_BYTES,
        freeBytes: async () => 500_000,
      }),
    ).rejects.toMatchObject({
      name: 'DiskFullError',
      message: expect.stringContaining('Not enough disk space') as unknown,
    });
    expect(server.requests).toEqual([]);
  });

  it.skipIf(!canMountTmpfs())('reports a disk that fills up during the download (a real 512 KB tmpfs)', async () => {
    server = await startGgufServer({ files: [STORIES] });
    const mountPoint = join(dir.path, 'small-disk');
    mkdirSync(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mountPoint]);
    try {
      // The space check is blinded so the write itself hits ENOSPC, as when another program fills the disk.
      await expect(
        downloadFile({
          url: server.url('stories260K.gguf'),
          target: join(mountPoint, 'stories260K.gguf'),
          sha256: STORIES_SHA,
          freeBytes: async () => null,
        }),
      ).rejects.toMatchObject({ name: 'DiskFullError' });
      // With the real space check the same download is refused before it starts.
      await expect(
        downloadFile({
          url: server.url('stories260K.gguf'),
          target: join(mountPoint, 'again.gguf'),
          sha256: STORIES_SHA,
        }),
      ).rejects.toMatchObject({ name: 'DiskFullError' });
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  });
});
