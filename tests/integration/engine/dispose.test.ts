import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/temp-dir';

const SCRIPT = fileURLToPath(new URL('./dispose-mid-work.ts', import.meta.url));
const STORIES = resolve('../shared/models/stories260K.gguf');
/** From the start of dispose to the process's exit; generous, as 2 cores are shared with other suites. */
const EXIT_WITHIN_MS = 60_000;
/** Setup (model loading, reading, embedding) on a loaded machine, plus the exit. */
const TEST_TIMEOUT_MS = 300_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the script and waits for the process to exit by itself; kills it (and fails) if it does not. */
function runUntilExit(mode: string, dataDir: string): Promise<Exit> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, mode, dataDir, STORIES], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      // The clock starts when the engine starts closing: setup time on a busy machine varies.
      timer ??= stdout.includes('disposing')
        ? setTimeout(() => {
            child.kill('SIGKILL');
            reject(
              new Error(
                `the engine left a handle open: no exit within ${EXIT_WITHIN_MS} ms of dispose.\n${stdout}\n${stderr}`,
              ),
            );
          }, EXIT_WITHIN_MS)
        : undefined;
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

function report(exit: Exit): Record<string, unknown> {
  const line = exit.stdout.split('\n').find((l) => l.startsWith('{'));
  if (exit.code !== 0 || !line) throw new Error(`exit ${exit.code ?? exit.signal}:\n${exit.stdout}\n${exit.stderr}`);
  return JSON.parse(line) as Record<string, unknown>;
}

describe('disposing the engine mid-work leaves no handle open (the process exits on its own)', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => (home = await tempDir('hearth-dispose-')));
  afterEach(() => home.cleanup());

  it(
    'mid-answer: the running answer is cancelled and the chat model closed',
    async () => {
      const exit = await runUntilExit('answer', join(home.path, 'data'));
      expect(report(exit)).toEqual({ disposed: true, outcome: 'cancelled' });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'mid-index: embedding stops, the readers and LanceDB close, the rest stays queued',
    async () => {
      const exit = await runUntilExit('index', join(home.path, 'data'));
      const { disposed, pending } = report(exit);
      expect(disposed).toBe(true);
      expect(pending).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'mid-job: a network job streaming between two engines; both close their node, worker and streams',
    async () => {
      const exit = await runUntilExit('job', join(home.path, 'data'));
      const { disposed, streaming, job } = report(exit);
      expect(disposed).toBe(true);
      expect(streaming).toBe(true);
      // The requester's job ends with the engine, never as a hang: cancelled or failed, not finished.
      expect(job).toMatch(/^failed: /);
    },
    TEST_TIMEOUT_MS,
  );
});
