import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getRawHeader, listPackage } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/temp-dir';
import { ROOT } from '../../unit/packaging/builder-config';

const run = promisify(execFile);

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** '1' on, '0' off: runAsNode, cookie encryption, NODE_OPTIONS, inspect, asar integrity, only asar, V8 snapshot, file privileges. */
const STOCK_FUSES = '10110001';
const STOCK_FUSE_WIRE = `${SENTINEL}\x01\x08${STOCK_FUSES}`;

/** The fuse wire after the sentinel in a packaged binary, as '0'/'1' per fuse. */
function fusesOf(binary: Buffer): string {
  const at = binary.indexOf(SENTINEL) + SENTINEL.length;
  expect(at).toBeGreaterThanOrEqual(SENTINEL.length);
  expect([binary[at], binary[at + 1]]).toEqual([1, 8]);
  return binary.subarray(at + 2, at + 10).toString('latin1');
}

/**
 * Runs electron-builder for real (linux x64, `dir` target) with a stand-in for the Electron
 * binary, which cannot be downloaded here; everything else is the real packager: the file
 * globs, the dependency walk, the asar and asarUnpack. Takes about two minutes, so it runs only
 * with HEARTH_REAL_PACK=1.
 */
describe.skipIf(!process.env.HEARTH_REAL_PACK || process.platform !== 'linux' || process.arch !== 'x64')(
  'a real electron-builder package (linux x64, stand-in Electron)',
  () => {
    let dir: { path: string; cleanup: () => Promise<void> };
    let resources: string;

    beforeAll(async () => {
      dir = await tempDir('hearth-pack-');
      const project = join(dir.path, 'project');
      await mkdir(project);
      // A snapshot of the build, so a rebuild in the checkout cannot change files mid-pack.
      for (const entry of ['out', 'resources', 'build', 'package.json', 'package-lock.json']) {
        await cp(join(ROOT, entry), join(project, entry), { recursive: true });
      }
      // Hard links: the real node_modules without copying a gigabyte.
      await run('cp', ['-al', join(ROOT, 'node_modules'), join(project, 'node_modules')]);

      const electron = join(dir.path, 'electron-dist');
      await mkdir(join(electron, 'locales'), { recursive: true });
      await mkdir(join(electron, 'resources'));
      // The fuse wire as Electron 38 ships it (sentinel, wire version 1, eight fuses at their
      // defaults), so electron-builder's @electron/fuses has real bytes to flip.
      await writeFile(join(electron, 'electron'), `#!/bin/sh\necho "stand-in for Electron"\n# ${STOCK_FUSE_WIRE}\n`);
      await chmod(join(electron, 'electron'), 0o755);
      await writeFile(join(electron, 'locales', 'en-US.pak'), '');
      await writeFile(join(electron, 'LICENSE'), '');
      await writeFile(join(electron, 'LICENSES.chromium.html'), '');

      await run(
        'npx',
        [
          'electron-builder',
          '--projectDir',
          project,
          '--config',
          'build/electron-builder.yml',
          '--linux',
          'dir',
          '--x64',
          `-c.electronDist=${electron}`,
          `-c.directories.output=${join(dir.path, 'dist')}`,
          '--publish',
          'never',
        ],
        { cwd: project, maxBuffer: 64 * 1024 * 1024 },
      );
      resources = join(dir.path, 'dist/linux-unpacked/resources');
    }, 600_000);
    afterAll(() => dir?.cleanup());

    it('flips the fuses in the packaged binary: no run-as-node, NODE_OPTIONS or inspect; asar only, validated', async () => {
      expect(fusesOf(Buffer.from(STOCK_FUSE_WIRE, 'latin1'))).toBe(STOCK_FUSES);
      const packaged = await readFile(join(dir.path, 'dist/linux-unpacked/hearth'));
      // runAsNode 0, cookies 1, NODE_OPTIONS 0, inspect 0, integrity 1, only asar 1, snapshot untouched 0, file 0.
      expect(fusesOf(packaged)).toBe('01001100');
    });

    it('puts the build and runtime dependencies in app.asar, and no sources, tests or maps', () => {
      const files = listPackage(join(resources, 'app.asar'), { isPack: false });
      expect(files).toEqual(expect.arrayContaining(['/out/main/index.js', '/out/renderer/index.html', '/package.json']));
      expect(files).toContain('/node_modules/@lancedb/lancedb/package.json');
      expect(files).toContain('/node_modules/node-llama-cpp/package.json');
      expect(files.filter((f) => /^\/(src|tests)\/|\.map$|\/(tests?|__tests__|__fixtures__|fixtures)\//.test(f))).toEqual([]);
      console.log(`app.asar: ${files.length} entries`);
    });

    it('unpacks only this platform’s native binaries, and they load from app.asar.unpacked', () => {
      const unpackedNative: string[] = [];
      const walk = (node: { files?: Record<string, unknown> }, path: string) => {
        for (const [name, child] of Object.entries(node.files ?? {})) {
          const entry = child as { files?: Record<string, unknown>; unpacked?: boolean };
          if (entry.files) walk(entry, `${path}/${name}`);
          else if (entry.unpacked && name.endsWith('.node')) unpackedNative.push(`${path}/${name}`);
        }
      };
      walk(getRawHeader(join(resources, 'app.asar')).header as never, '');
      expect(unpackedNative).toEqual(
        expect.arrayContaining([
          '/node_modules/@lancedb/lancedb-linux-x64-gnu/lancedb.linux-x64-gnu.node',
          '/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/llama-addon.node',
        ]),
      );
      expect(unpackedNative.filter((f) => /(arm64|armv7l|darwin|mac-|win)/.test(f))).toEqual([]);

      // What Electron does for a file marked unpacked: load it from app.asar.unpacked, where its
      // sibling libraries (libllama, libggml) must also be.
      const load = createRequire(import.meta.url);
      const unpacked = join(resources, 'app.asar.unpacked');
      const lance = load(join(unpacked, 'node_modules/@lancedb/lancedb-linux-x64-gnu/lancedb.linux-x64-gnu.node')) as object;
      const llama = load(join(unpacked, 'node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/llama-addon.node')) as object;
      expect(Object.keys(lance).length).toBeGreaterThan(0);
      expect(Object.keys(llama)).toContain('AddonModel');
    });
  },
);
