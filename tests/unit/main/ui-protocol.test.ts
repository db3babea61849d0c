import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UI_URL } from '../../../src/main/own-ui';
import { serveUiFile, uiFileFor } from '../../../src/main/ui-protocol';
import { tempDir } from '../../helpers/temp-dir';

describe('uiFileFor', () => {
  it.each([
    ['hearth://app/index.html', '/app/out/renderer/index.html'],
    ['hearth://app/', '/app/out/renderer/index.html'],
    ['hearth://app/assets/index-abc.js', '/app/out/renderer/assets/index-abc.js'],
    ['hearth://app/assets/a%20b.woff2', '/app/out/renderer/assets/a b.woff2'],
    ['hearth://app/assets/../index.html?x=1#y', '/app/out/renderer/index.html'],
    // `..` above the root stops at the root, as on any web server: still inside the folder.
    ['hearth://app/../main/index.js', '/app/out/renderer/main/index.js'],
    ['hearth://app/%2e%2e/%2E%2E/main/index.js', '/app/out/renderer/main/index.js'],
  ])('maps %s into the renderer folder', (url, file) =>
    expect(uiFileFor(url, '/app/out/renderer', 'linux')).toBe(file),
  );

  it.each([
    'hearth://app/assets%2f..%2f..%2fmain/index.js',
    'hearth://app/assets%5c..%5c..%5cmain%5cindex.js',
    'hearth://app/%00index.html',
    'hearth://app/%E0%A4%A',
    'hearth://other/index.html',
    'file:///app/out/renderer/index.html',
  ])('refuses %s', (url) => expect(uiFileFor(url, '/app/out/renderer', 'linux')).toBeNull());

  it('stays on the renderer’s drive on Windows', () => {
    expect(uiFileFor('hearth://app/index.html', 'C:\\Hearth\\out\\renderer', 'win32')).toMatch(/index\.html$/);
    expect(uiFileFor('hearth://app/C:%5cWindows%5cwin.ini', 'C:\\Hearth\\out\\renderer', 'win32')).toBeNull();
  });
});

describe('serveUiFile', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let renderer: string;
  beforeAll(async () => {
    dir = await tempDir();
    renderer = join(dir.path, 'renderer');
    await mkdir(join(renderer, 'assets'), { recursive: true });
    await writeFile(join(renderer, 'index.html'), '<!doctype html><title>Hearth</title>');
    await writeFile(join(renderer, 'assets', 'index.js'), 'export {};');
    await writeFile(join(dir.path, 'secret.txt'), 'private');
  });
  afterAll(() => dir.cleanup());

  it('serves the UI’s files with their types', async () => {
    const page = await serveUiFile(UI_URL, renderer);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<title>Hearth</title>');
    const script = await serveUiFile('hearth://app/assets/index.js', renderer);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('answers 404 for missing files and anything outside the folder', async () => {
    expect((await serveUiFile('hearth://app/missing.js', renderer)).status).toBe(404);
    const escape = await serveUiFile('hearth://app/%2e%2e/secret.txt', renderer);
    expect(escape.status).toBe(404);
    expect(await escape.text()).not.toContain('private');
  });
});
