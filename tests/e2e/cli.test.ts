import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHearth, serveHearth } from '../helpers/hearth-process';
import { tempDir } from '../helpers/temp-dir';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

describe('the hearth command', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  beforeAll(async () => (home = await tempDir()));
  afterAll(() => home.cleanup());

  it('prints its version and help', async () => {
    await expect(runHearth(['--version'], home.path)).resolves.toMatchObject({ code: 0, stdout: `${version}\n` });
    const help = await runHearth(['--help'], home.path);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: hearth/);
    expect(help.stdout).toMatch(/serve/);
  });

  it('fails clearly on an unknown command', async () => {
    const result = await runHearth(['frobnicate'], home.path);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('serve prints a loopback URL and a token, and serves the UI there', async () => {
    const hearth = await serveHearth(home.path);
    try {
      expect(hearth.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);
      const page = await fetch(hearth.origin);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(await page.text()).toContain('<div id="app">');
      expect((await fetch(`${hearth.origin}/../../package.json`)).status).toBe(404);
    } finally {
      await hearth.stop();
    }
  });

  it('refuses a data folder written by a newer Hearth, leaving it untouched', async () => {
    const newer = await tempDir();
    try {
      const { writeFile, readFile } = await import('node:fs/promises');
      await writeFile(`${newer.path}/settings.json`, '{"version": 42}');
      const result = await runHearth(['serve'], newer.path);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/written by a newer version of Hearth/);
      await expect(readFile(`${newer.path}/settings.json`, 'utf8')).resolves.toBe('{"version": 42}');
    } finally {
      await newer.cleanup();
    }
  });
});
