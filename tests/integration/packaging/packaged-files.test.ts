import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appFileFilter,
  dependencyFileFilter,
  loadBuilderConfig,
  ROOT,
  type Platform,
} from '../../unit/packaging/builder-config';

const config = loadBuilderConfig();
const LINUX_X64: Platform = { os: 'linux', platform: 'linux', arch: 'x64' };

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Node's lookup: the nearest node_modules/<name> walking up from the requiring package. */
function resolvePackage(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === ROOT || dirname(dir) === dir) return undefined;
  }
}

/** The production dependency closure electron-builder copies: dependencies + installed optionals. */
function productionPackages(): Set<string> {
  const seen = new Set<string>();
  const visit = (dir: string, manifest: Manifest, optional: boolean) => {
    const wanted = { ...manifest.dependencies, ...manifest.optionalDependencies };
    for (const name of Object.keys(wanted)) {
      const found = resolvePackage(name, dir);
      if (!found) {
        if (optional || name in (manifest.optionalDependencies ?? {})) continue;
        throw new Error(`${manifest.name} needs ${name}, which is not installed`);
      }
      if (seen.has(found)) continue;
      seen.add(found);
      visit(found, JSON.parse(readFileSync(join(found, 'package.json'), 'utf8')) as Manifest, false);
    }
  };
  visit(ROOT, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest, false);
  return seen;
}

function filesUnder(dir: string, skipNested: boolean): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !skipNested || !relative(dir, file).split(/[\\/]/).includes('node_modules'));
}

const rel = (file: string) => relative(ROOT, file).replaceAll('\\', '/');

describe('the packaged file list (linux x64, computed from `files` over the real build)', () => {
  it('holds the build output and runtime dependencies, and no sources, tests, maps or fixtures', () => {
    expect(existsSync(join(ROOT, 'out/main/index.js')), 'run `npx electron-vite build` first').toBe(true);

    const appFilter = appFileFilter(config, LINUX_X64);
    const appFiles = readdirSync(ROOT)
      .filter((name) => name !== 'node_modules' && name !== '.git')
      .flatMap((name) => (statSync(join(ROOT, name)).isDirectory() ? filesUnder(join(ROOT, name), false) : [join(ROOT, name)]))
      .map(rel)
      .filter(appFilter);

    const depFilter = dependencyFileFilter(config, LINUX_X64);
    const packages = productionPackages();
    const depFiles = [...packages].flatMap((dir) => filesUnder(dir, true)).map(rel).filter(depFilter);
    const all = [...appFiles, ...depFiles];

    // The app itself.
    for (const file of ['package.json', 'out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'resources/icon.png']) {
      expect(appFiles, file).toContain(file);
    }
    // Every runtime dependency, with the native halves for this platform.
    const { dependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
    for (const name of Object.keys(dependencies ?? {})) expect(depFiles, name).toContain(`node_modules/${name}/package.json`);
    expect(depFiles).toContain('node_modules/@lancedb/lancedb-linux-x64-gnu/lancedb.linux-x64-gnu.node');
    expect(depFiles).toContain('node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/llama-addon.node');

    // Nothing that only builds or tests the app.
    const offenders = all.filter(
      (f) =>
        /^(src|tests|build|docs|bench-results|test-results|dist)\//.test(f) ||
        /\.map$/.test(f) ||
        /(^|\/)(tests?|__tests__|__fixtures__|fixtures)\//.test(f) ||
        /(^|\/)node_modules\/(electron|electron-builder|vitest|typescript|svelte|vite)\//.test(f) ||
        /^(resources\/icon\.svg|electron\.vite\.config\.ts|vitest\.config\.ts|tsconfig.*\.json)$/.test(f),
    );
    expect(offenders).toEqual([]);
    expect(depFiles.some((f) => f.includes('@node-llama-cpp/linux-arm64/'))).toBe(false);
    // License notices travel with the code they cover; readmes do not.
    expect(depFiles).toContain('node_modules/valibot/LICENSE.md');
    expect(depFiles).not.toContain('node_modules/valibot/README.md');

    const bytes = (files: string[]) => files.reduce((sum, f) => sum + statSync(join(ROOT, f)).size, 0);
    const native = depFiles.filter((f) => /node_modules\/(@node-llama-cpp|@lancedb\/lancedb-)/.test(f));
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    console.log(
      `packaged (linux x64): ${all.length} files, ${mb(bytes(all))}; app ${appFiles.length} files ${mb(bytes(appFiles))}; ` +
        `${packages.size} packages; native binaries ${mb(bytes(native))}`,
    );
  });
});
