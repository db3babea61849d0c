import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../../src/core/library';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { makeDocx, makePdf } from '../../fixtures/library/generate';
import { tempDir } from '../../helpers/temp-dir';

const CHILD = fileURLToPath(new URL('./index-child.ts', import.meta.url));

/** Runs the indexing child; with `killAfter`, SIGKILLs it once that many files are done. */
function runChild(
  dir: string,
  source: string | null,
  killAfter?: number,
): Promise<{ killed: boolean; lastDone: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, ...(source ? [source] : [])], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let lastDone = 0;
    let killed = false;
    child.stdout.on('data', (data: Buffer) => {
      for (const match of data.toString().matchAll(/progress (\d+)/g)) lastDone = Number(match[1]);
      if (killAfter !== undefined && lastDone >= killAfter && !killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', () => resolve({ killed, lastDone }));
  });
}

async function snapshot(dir: string) {
  const library = await Library.open({ dir, settings: () => DEFAULT_SETTINGS.library, watch: false, autoStart: false });
  try {
    const chunks = (await library.allChunks()).map(
      (c) => `${c.path}|${c.ordinal}|${c.page}|${c.line_start}|${c.heading}|${c.text}`,
    );
    const docs = (await library.allDocuments()).map((d) => `${d.path}|${d.hash}|${d.state}|${d.chunks}`);
    return { chunks: chunks.sort(), docs: docs.sort(), pending: library.pendingWork };
  } finally {
    await library.dispose();
  }
}

describe('indexing survives kill -9', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let corpus: string;

  beforeAll(async () => {
    dir = await tempDir('hearth-crash-');
    corpus = join(dir.path, 'corpus');
    await mkdir(corpus);
    for (let i = 0; i < 300; i++) {
      const words = Array.from({ length: 400 }, (_, j) => `word${(i * 31 + j * 7) % 997}`).join(' ');
      await writeFile(
        join(corpus, `note-${i}.md`),
        `# Note ${i}\n\n${words}\n\n## Part two\n\n${words.split(' ').reverse().join(' ')}\n`,
      );
    }
    for (let i = 0; i < 10; i++) {
      await writeFile(
        join(corpus, `paper-${i}.pdf`),
        await makePdf([`Paper ${i} first page`, `Paper ${i} second page`]),
      );
      await writeFile(
        join(corpus, `memo-${i}.docx`),
        makeDocx([{ heading: `Memo ${i}`, paragraphs: [`Memo body ${i}`] }]),
      );
    }
  });
  afterAll(() => dir?.cleanup());

  it('resumes from the persisted queue and ends with the same index as a clean run', async () => {
    const clean = join(dir.path, 'clean');
    const crashed = join(dir.path, 'crashed');
    await runChild(clean, corpus);
    const first = await runChild(crashed, corpus, 64);
    expect(first.killed).toBe(true);
    const queue = JSON.parse(await readFile(join(crashed, 'queue.json'), 'utf8')) as unknown[];
    expect(queue.length).toBeGreaterThan(0);
    expect(queue.length).toBeLessThan(320);

    // The restart only resumes: no source is added again, the queue alone says what is left.
    const second = await runChild(crashed, null);
    // Files finished before the kill are not read again (at most the batch in flight is).
    expect(second.lastDone).toBeLessThanOrEqual(320 - first.lastDone + 32);

    const a = await snapshot(clean);
    const b = await snapshot(crashed);
    expect(b.pending).toBe(0);
    expect(a.docs.length).toBe(320);
    expect(b.docs).toEqual(a.docs);
    expect(b.chunks.length).toBe(a.chunks.length);
    expect(b.chunks).toEqual(a.chunks);
  }, 120_000);
});
