// Hostile documents through the shipped `hearth index` and `hearth serve`: the CLI finishes with
// every problem reported and the good file found, and `hearth serve` starts on that data folder
// (and indexes the same files itself) without crashing, listing each problem with its reason.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryStatus } from '../../src/shared/contract/library';
import * as hostile from '../helpers/hostile-files';
import { runHearth, serveHearth, type ServingHearth } from '../helpers/hearth-process';
import { rpcCall } from '../helpers/rpc-call';
import { tempDir } from '../helpers/temp-dir';

const FILES: Record<string, () => Uint8Array | string> = {
  'differential-bomb.docx': () => hostile.differentialZipBomb(300),
  'classic-bomb.docx': () => hostile.classicZipBomb(600),
  'blank-40000-pages.pdf': () => hostile.blankPagesPdf(40_000),
  'unclosed-rows.xlsx': () => hostile.unclosedRowsXlsx(600),
  'deep-xml.xlsx': () => hostile.deepXlsx(50_000),
  'bundle-2mb.js': () => hostile.oneLineBundle(),
  'good.md': () => '# Harbour\n\nThe zanzibar harbour opens at dawn.\n',
};

async function waitForIdle(hearth: ServingHearth): Promise<LibraryStatus> {
  for (let i = 0; i < 240; i++) {
    const status = (await rpcCall(hearth, 'library.status', {})) as LibraryStatus;
    if (status.queue.pending === 0 && status.collections.every((c) => c.indexedAt !== null)) return status;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the library never became idle');
}

describe('hostile documents through hearth index and hearth serve', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let docs: string;
  let hearth: ServingHearth | null = null;

  beforeAll(async () => {
    dir = await tempDir('hearth-hostile-e2e-');
    docs = join(dir.path, 'docs');
    await mkdir(docs);
    for (const [name, make] of Object.entries(FILES)) await writeFile(join(docs, name), make());
  }, 120_000);

  afterAll(async () => {
    await hearth?.stop();
    await dir.cleanup();
  });

  it('hearth index finishes, reports the problems and finds the good file', async () => {
    const home = join(dir.path, 'cli-home');
    const indexed = await runHearth(['index', docs, '--json'], home, 120_000);
    expect(indexed.code).toBe(0);
    const summary = JSON.parse(indexed.stdout.trim().split('\n').at(-1)!) as { files: number; errors: number };
    expect(summary.errors).toBeGreaterThanOrEqual(2);
    const found = await runHearth(['search', 'zanzibar harbour', '--json'], home);
    expect(found.code).toBe(0);
    expect((JSON.parse(found.stdout) as { path: string }[]).some((h) => h.path.endsWith('good.md'))).toBe(true);
  }, 180_000);

  it('hearth serve indexes them without crashing and starts again on the same data, naming each problem', async () => {
    const home = join(dir.path, 'serve-home');
    hearth = await serveHearth(home);
    await rpcCall(hearth, 'library.addSource', { collection: 'Hostile', path: docs });
    let status = await waitForIdle(hearth);
    await hearth.stop();
    expect(hearth.process.exitCode).toBe(0);

    hearth = await serveHearth(home);
    status = await waitForIdle(hearth);
    const problem = (name: string) => status.problems.find((p) => p.path.endsWith(name))?.message ?? '';
    expect(problem('classic-bomb.docx')).toMatch(/zip bomb/);
    expect(problem('blank-40000-pages.pdf')).toMatch(/have no text/);
    expect(problem('deep-xml.xlsx')).toMatch(/nested more than 10,000 levels/);
    const hits = (await rpcCall(hearth, 'library.search', { query: 'zanzibar harbour' })) as { path: string }[];
    expect(hits.some((h) => h.path.endsWith('good.md'))).toBe(true);
  }, 240_000);
});
