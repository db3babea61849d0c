import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { makeDocx, makePdf } from '../fixtures/library/generate';
import { tempDir } from '../helpers/temp-dir';

/**
 * `npm run bench:index`: a generated corpus of mixed files (txt, md, html, docx, pdf) indexed
 * by the library's pipeline (batched writes, concurrent reads, persisted queue) and by a naive
 * one-file-at-a-time pipeline, each in its own process so peak RSS is its own.
 */

const CHILD = fileURLToPath(new URL('../integration/library/index-child.ts', import.meta.url));
const SMALL = Number(process.env.INDEX_BENCH_FILES ?? 2000);
const LARGE = SMALL * 2;

const WORDS =
  'wing lift drag flow boundary layer shock pressure heat transfer turbulence nozzle supersonic velocity panel flutter buckling stress plate shell cone mach number vortex'.split(
    ' ',
  );

function prose(seed: number, words: number): string {
  let out = '';
  for (let i = 0; i < words; i++)
    out += `${WORDS[(seed * 7 + i * 13 + ((i * i) % 17)) % WORDS.length]}${i % 14 === 13 ? '.\n' : ' '}`;
  return out;
}

async function generate(dir: string, count: number): Promise<number> {
  await mkdir(dir, { recursive: true });
  let bytes = 0;
  const pdfTemplate = await makePdf([prose(1, 300), prose(2, 300)]);
  for (let i = 0; i < count; i++) {
    const kind = i % 20;
    const words = 300 + (i % 7) * 120;
    let name: string;
    let data: Uint8Array | string;
    if (kind < 8) [name, data] = [`f${i}.txt`, prose(i, words)];
    else if (kind < 14)
      [name, data] = [`f${i}.md`, `# Report ${i}\n\n${prose(i, words)}\n\n## Details\n\n${prose(i + 1, words / 2)}`];
    else if (kind < 17)
      [name, data] = [`f${i}.html`, `<html><body><h1>Page ${i}</h1><p>${prose(i, words)}</p></body></html>`];
    else if (kind < 19)
      [name, data] = [`f${i}.docx`, makeDocx([{ heading: `Memo ${i}`, paragraphs: [prose(i, words)] }])];
    else [name, data] = [`f${i}.pdf`, i % 40 === 19 ? await makePdf([prose(i, 250), prose(i + 3, 250)]) : pdfTemplate];
    const sub = join(dir, `d${i % 25}`);
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, name), data);
    bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  }
  return bytes;
}

interface ChildResult {
  seconds: number;
  maxRssMB: number;
  files: number;
  chunks: number;
}

function runChild(dir: string, source: string, mode: 'pipeline' | 'naive'): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, source, mode], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`index child failed (${code}): ${out.slice(-500)}`));
      else resolve(JSON.parse(last) as ChildResult);
    });
  });
}

describe('indexing throughput', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  const bytes: Record<number, number> = {};
  const rows: Record<string, string | number>[] = [];

  beforeAll(async () => {
    dir = await tempDir('hearth-index-bench-');
    bytes[SMALL] = await generate(join(dir.path, `corpus-${SMALL}`), SMALL);
    bytes[LARGE] = await generate(join(dir.path, `corpus-${LARGE}`), LARGE);
  });

  afterAll(async () => {
    console.table(rows);
    await mkdir('bench-results', { recursive: true });
    await writeFile('bench-results/index.json', JSON.stringify({ date: new Date().toISOString(), rows }, null, 2));
    await dir.cleanup();
  });

  const measure = async (mode: 'pipeline' | 'naive', files: number) => {
    const result = await runChild(join(dir.path, `index-${mode}-${files}`), join(dir.path, `corpus-${files}`), mode);
    const row = {
      pipeline: mode,
      files,
      MB: +(bytes[files]! / 1024 / 1024).toFixed(1),
      seconds: +result.seconds.toFixed(1),
      'files/s': +(files / result.seconds).toFixed(1),
      'MB/s': +(bytes[files]! / 1024 / 1024 / result.seconds).toFixed(2),
      'chunks/s': +(result.chunks / result.seconds).toFixed(1),
      'peak RSS MB': +result.maxRssMB.toFixed(0),
    };
    rows.push(row);
    console.log(row);
  };

  it(`naive one-file-at-a-time, ${SMALL} files`, () => measure('naive', SMALL));
  it(`library pipeline, ${SMALL} files`, () => measure('pipeline', SMALL));
  it(`library pipeline, ${LARGE} files (peak RSS should not grow)`, () => measure('pipeline', LARGE));
});
