// Hostile documents through the real library (worker pool, LanceDB on disk), each in its own
// process so its time and peak memory are its own: every one must end in a clear result within
// bounded time and memory, and a folder holding all of them must still index its good file.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkBlocks } from '../../../src/core/library/chunker';
import { modelTokenCounter } from '../../../src/core/library/tokenizer';
import type { FileStatus } from '../../../src/shared/contract/library';
import * as hostile from '../../helpers/hostile-files';
import { tempDir } from '../../helpers/temp-dir';

const CHILD = fileURLToPath(new URL('./index-child.ts', import.meta.url));
const STORIES = fileURLToPath(new URL('../../../../shared/models/stories260K.gguf', import.meta.url));
const WORD = 'zanzibar';

interface Case {
  file: string;
  bytes: () => Uint8Array | string;
  state: FileStatus['state'];
  /** What the user is told (problems), or a word that must be found (indexed files). */
  message?: RegExp;
  finds?: boolean;
}

const CASES: Case[] = [
  {
    file: 'differential-bomb.docx',
    bytes: () => hostile.differentialZipBomb(400),
    // The reader sees what the zip guard measured: the decoy, never the 400 MB behind it.
    state: 'indexed',
  },
  { file: 'classic-bomb.docx', bytes: () => hostile.classicZipBomb(600), state: 'error', message: /zip bomb/ },
  {
    file: 'blank-40000-pages.pdf',
    bytes: () => hostile.blankPagesPdf(40_000),
    state: 'skipped',
    message: /first 300 of this PDF's 40,000 pages have no text/,
  },
  { file: 'unclosed-rows.xlsx', bytes: () => hostile.unclosedRowsXlsx(600), state: 'indexed' },
  { file: 'bad-references.xlsx', bytes: () => hostile.badReferencesXlsx(WORD), state: 'indexed', finds: true },
  { file: 'unclosed-paragraphs.odt', bytes: () => hostile.unclosedParagraphsOdt(400), state: 'indexed' },
  { file: 'bad-escape.epub', bytes: () => hostile.malformedEscapeEpub(WORD), state: 'indexed', finds: true },
  { file: 'deep-10k.html', bytes: () => hostile.deepHtml(10_000, WORD), state: 'indexed', finds: true },
  { file: 'deep-100k.html', bytes: () => hostile.deepHtml(100_000, WORD), state: 'indexed', finds: true },
  {
    file: 'utf16-no-bom.txt',
    bytes: () => hostile.bomlessUtf16(`Notes about ${WORD} written by a Windows tool.\n`.repeat(40)),
    state: 'indexed',
    finds: true,
  },
  { file: 'bundle-2mb.js', bytes: () => hostile.oneLineBundle(), state: 'indexed' },
  { file: 'one-line-2mb.txt', bytes: () => hostile.oneLineText(), state: 'indexed' },
  {
    file: 'deep-xml.xlsx',
    bytes: () => hostile.deepXlsx(50_000),
    state: 'error',
    message: /nested more than 10,000 levels deep/,
  },
  { file: 'truncated.pdf', bytes: () => hostile.blankPagesPdf(3).subarray(0, 120), state: 'error', message: /damaged/ },
];

interface ChildReport {
  files: FileStatus[];
  found: { word: string; paths: string[] }[];
  seconds: number;
  maxRssMB: number;
}

function indexInChild(dataDir: string, source: string, words: string[]): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, source, 'report'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, FIND_WORDS: words.join(',') },
    });
    let out = '';
    child.stdout.on('data', (data: Buffer) => (out += data.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = out.trim().split('\n');
      try {
        const files = JSON.parse(lines.find((l) => l.startsWith('files '))!.slice(6)) as FileStatus[];
        const found = lines.filter((l) => l.startsWith('found ')).map((l) => JSON.parse(l.slice(6)) as ChildReport['found'][0]);
        const { seconds, maxRssMB } = JSON.parse(lines.at(-1)!) as { seconds: number; maxRssMB: number };
        resolve({ files, found, seconds, maxRssMB });
      } catch {
        reject(new Error(`index child exited ${code} without a report:\n${out.slice(-2000)}`));
      }
    });
  });
}

describe('hostile documents', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  const table: string[] = [];
  const made = new Map<string, Uint8Array | string>();

  beforeAll(async () => {
    dir = await tempDir('hearth-hostile-');
    await mkdir(join(dir.path, 'all'));
    // Made once: compressing the bombs takes seconds.
    for (const c of CASES) made.set(c.file, c.bytes());
    for (const c of CASES) await writeFile(join(dir.path, 'all', c.file), made.get(c.file)!);
    await writeFile(join(dir.path, 'all', 'good.md'), `# Good\n\nThe ${WORD} harbour opens at dawn.\n`);
  }, 120_000);

  afterAll(async () => {
    console.log(['case | state | seconds | peak RSS MB | message', ...table].join('\n'));
    await dir.cleanup();
  });

  for (const c of CASES) {
    it(`${c.file}: ${c.state}, within bounded time and memory`, async () => {
      const source = join(dir.path, c.file.replace(/\W/g, '-'));
      await mkdir(source);
      await writeFile(join(source, c.file), made.get(c.file)!);
      const report = await indexInChild(join(source, '.hearth'), source, c.finds ? [WORD] : []);
      const file = report.files.find((f) => f.path.endsWith(c.file));
      table.push(`${c.file} | ${file?.state} | ${report.seconds.toFixed(1)} | ${Math.round(report.maxRssMB)} | ${file?.message ?? ''}`);
      expect(file?.state).toBe(c.state);
      if (c.message) expect(file?.message).toMatch(c.message);
      if (c.finds) expect(report.found[0]?.paths.some((p) => p.endsWith(c.file))).toBe(true);
      // Generous bounds, far above what a healthy run takes, far below what the old readers did.
      expect(report.seconds).toBeLessThan(90);
      expect(report.maxRssMB).toBeLessThan(1500);
    }, 180_000);
  }

  it('a folder of all of them still indexes its good file and reports every problem', async () => {
    const report = await indexInChild(join(dir.path, 'all-data'), join(dir.path, 'all'), [WORD]);
    const good = report.files.find((f) => f.path.endsWith('good.md'));
    expect(good?.state).toBe('indexed');
    expect(report.found[0]?.paths.some((p) => p.endsWith('good.md'))).toBe(true);
    for (const c of CASES) expect(report.files.find((f) => f.path.endsWith(c.file))?.state).toBe(c.state);
    expect(report.maxRssMB).toBeLessThan(2000);
  }, 300_000);

  it('chunks a 2 MB one-line bundle by the embedding model tokens in linear time', async () => {
    const counter = await modelTokenCounter(STORIES);
    try {
      for (const text of [hostile.oneLineBundle(), hostile.oneLineText()]) {
        let counted = 0;
        const chunks = chunkBlocks([{ kind: 'text', text, page: null, line: 1 }], null, {
          chunkTokens: 512,
          countTokens: (t) => ((counted += t.length), counter.count(t)),
        });
        expect(chunks.every((c) => counter.count(c.text) <= 512)).toBe(true);
        expect(chunks.map((c) => c.text).join('').replace(/\s/g, '').length).toBeGreaterThan(text.replace(/\s/g, '').length * 0.99);
        // Linear: each character is counted a small number of times, not once per cut.
        expect(counted).toBeLessThan(text.length * 4);
      }
    } finally {
      await counter.dispose();
    }
  }, 120_000);
});
