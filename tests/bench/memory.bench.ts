import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir';

/**
 * `npm run bench:memory`: the engine's peak memory while the library indexes big one-line text
 * files, many small files and several big files at once, each corpus in a fresh process. The
 * baseline is the same process indexing a tiny corpus: the engine's peak should stay near it
 * whatever the size and count of the files. Readers are separate processes (capped by their
 * 1 GB heap flag); their peak is read from /proc while the run goes.
 * MEMORY_BENCH_SIZES=20,100,190 chooses the one-line file sizes in MB.
 */

const CHILD = fileURLToPath(new URL('../integration/library/index-child.ts', import.meta.url));
const SIZES = (process.env.MEMORY_BENCH_SIZES ?? '20,100,190').split(',').map(Number);
const SMALL_FILES = 2000;

const WORDS =
  'wing lift drag flow boundary layer shock pressure heat transfer turbulence nozzle supersonic velocity panel flutter buckling stress plate shell cone mach number vortex'.split(
    ' ',
  );

/** A text file of `mb` megabytes of words on one single line, written in slices. */
async function oneLineFile(path: string, mb: number): Promise<void> {
  const out = createWriteStream(path);
  const slice =
    Array.from({ length: 20_000 }, (_, i) => WORDS[(i * 7 + ((i * i) % 13)) % WORDS.length]).join(' ') + ' ';
  const bytes = Buffer.from(slice);
  for (let written = 0; written < mb * 1024 * 1024; written += bytes.byteLength) {
    if (!out.write(bytes)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** `count` small text files in 25 folders; returns their total size in MB. */
async function smallFiles(dir: string, count: number): Promise<number> {
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const sub = join(dir, `d${i % 25}`);
    await mkdir(sub, { recursive: true });
    const words = Array.from({ length: 300 + (i % 7) * 120 }, (_, j) => WORDS[(i * 7 + j * 13) % WORDS.length]);
    const text = words.join(' ');
    await writeFile(join(sub, `f${i}.txt`), text);
    bytes += text.length;
  }
  return +(bytes / 1024 / 1024).toFixed(1);
}

interface ChildResult {
  seconds: number;
  maxRssMB: number;
  files: number;
  chunks: number;
  readerPeakMB: number;
}

/** Peak resident memory (VmHWM) of every process below `pid`, by pid, read from /proc. */
async function descendantPeaks(pid: number, peaks: Map<number, number>): Promise<void> {
  const parents = new Map<number, number>();
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const status = await readFile(`/proc/${name}/status`, 'utf8').catch(() => '');
    const ppid = /PPid:\s+(\d+)/.exec(status);
    if (ppid) parents.set(Number(name), Number(ppid[1]));
  }
  const below = (p: number): boolean => {
    for (let at = parents.get(p); at !== undefined && at > 1; at = parents.get(at)) if (at === pid) return true;
    return false;
  };
  for (const p of parents.keys()) {
    if (!below(p)) continue;
    const status = await readFile(`/proc/${p}/status`, 'utf8').catch(() => '');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    if (hwm) peaks.set(p, Math.max(peaks.get(p) ?? 0, Number(hwm[1]) / 1024));
  }
}

function runChild(dir: string, source: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, source, 'pipeline'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const peaks = new Map<number, number>();
    const poll = setInterval(() => void descendantPeaks(child.pid!, peaks), 250);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      const readerPeakMB = Math.max(0, ...peaks.values());
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        // The crash is a figure too: the run the engine could not survive.
        resolve({
          seconds: NaN,
          maxRssMB: NaN,
          files: 0,
          chunks: 0,
          readerPeakMB,
          failed: `${code ?? signal}`,
        } as ChildResult);
      } else resolve({ ...(JSON.parse(last) as Omit<ChildResult, 'readerPeakMB'>), readerPeakMB });
    });
  });
}

describe('engine memory while indexing', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  const rows: Record<string, string | number>[] = [];
  let baseline = NaN;

  beforeAll(async () => {
    dir = await tempDir('hearth-memory-bench-');
  });

  afterAll(async () => {
    console.table(rows);
    await mkdir('bench-results', { recursive: true });
    await writeFile('bench-results/memory.json', JSON.stringify({ date: new Date().toISOString(), rows }, null, 2));
    await dir.cleanup();
  });

  const measure = async (name: string, make: (folder: string) => Promise<number>) => {
    const folder = join(dir.path, `corpus-${rows.length}`);
    await mkdir(folder, { recursive: true });
    const mb = await make(folder);
    const result = await runChild(join(dir.path, `index-${rows.length}`), folder);
    if (rows.length === 0) baseline = result.maxRssMB;
    const failed = (result as ChildResult & { failed?: string }).failed;
    const row = {
      corpus: name,
      'input MB': mb,
      seconds: failed ? `crashed (${failed})` : +result.seconds.toFixed(1),
      chunks: result.chunks,
      'engine peak RSS MB': failed ? 'crashed' : +result.maxRssMB.toFixed(0),
      'over baseline MB': failed ? '-' : +(result.maxRssMB - baseline).toFixed(0),
      'reader peak RSS MB': +result.readerPeakMB.toFixed(0),
    };
    rows.push(row);
    console.log(row);
    await rm(folder, { recursive: true, force: true });
  };

  it('baseline: 10 small files', () => measure('baseline: 10 small files', (folder) => smallFiles(folder, 10)));
  for (const mb of SIZES) {
    it(`one ${mb} MB one-line text file`, () =>
      measure(`1 x ${mb} MB one line`, async (folder) => {
        await oneLineFile(join(folder, 'big.txt'), mb);
        return mb;
      }));
  }
  it(`${SMALL_FILES} small files`, () =>
    measure(`${SMALL_FILES} small files`, (folder) => smallFiles(folder, SMALL_FILES)));
  const biggest = Math.max(...SIZES);
  it(`3 x ${biggest} MB one-line text files`, () =>
    measure(`3 x ${biggest} MB one line`, async (folder) => {
      for (let i = 0; i < 3; i++) await oneLineFile(join(folder, `big${i}.txt`), biggest);
      return 3 * biggest;
    }));
});
