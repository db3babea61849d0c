import { existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InferenceWorkerProcess } from '../../../src/core/network/worker/inference-worker-process';

const REPORTER = join(import.meta.dirname, 'env-report-worker.mjs');
const JOB = { id: 'j1', prompt: 'p', maxTokens: 1, temperature: 0, topP: 1, seed: 1 };

describe('a network worker process', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it('gets no secrets or home paths, and an empty temp folder of its own that goes when it stops', async () => {
    Object.assign(process.env, {
      HEARTH_API_KEY: 'sk-secret',
      HEARTH_DATA_DIR: '/home/me/.config/Hearth',
      HOME: '/home/me',
      XDG_CONFIG_HOME: '/home/me/.config',
      AWS_SECRET_ACCESS_KEY: 'aws-secret',
      PATH: process.env.PATH ?? '/usr/bin',
    });
    const worker = await InferenceWorkerProcess.start({
      modelPath: '/nonexistent.gguf',
      threads: 1,
      sequences: 1,
      entry: REPORTER,
      args: ['--fixture'],
    });
    let text = '';
    await worker.run(JOB, (chunk) => (text += chunk));
    const seen = JSON.parse(text) as { env: Record<string, string>; cwd: string; argv: string[] };
    await worker.dispose();

    expect(seen.argv).toEqual(['--fixture']);
    // Node adds nothing of ours; whatever it adds itself must not name a secret or a home path.
    const ours = Object.keys(seen.env).filter((name) => !/^(NODE_|__CF|LC_)/.test(name));
    expect(ours.sort()).toEqual(['PATH', 'TMPDIR', ...(process.env.LD_LIBRARY_PATH ? ['LD_LIBRARY_PATH'] : [])].sort());
    expect(JSON.stringify(seen.env)).not.toMatch(/secret|\/home\/me/);
    expect(realpathSync(seen.cwd).startsWith(realpathSync(tmpdir()))).toBe(true);
    expect(seen.env.TMPDIR).toBe(seen.cwd);
    expect(seen.cwd).toMatch(/hearth-worker-/);
    // Removed once the process has gone.
    await expect.poll(() => existsSync(seen.cwd), { timeout: 10_000 }).toBe(false);
  });
});
