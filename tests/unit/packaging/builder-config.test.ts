import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LINUX_ICON_SIZES } from '../../../build/icon-sizes';
import { dependencyFileFilter, loadBuilderConfig, matcher, ROOT, type Platform } from './builder-config';

const config = loadBuilderConfig();

const TARGETS: Platform[] = [
  { os: 'win', platform: 'win32', arch: 'x64' },
  { os: 'win', platform: 'win32', arch: 'arm64' },
  { os: 'mac', platform: 'darwin', arch: 'arm64' },
  { os: 'mac', platform: 'darwin', arch: 'x64' },
  { os: 'linux', platform: 'linux', arch: 'x64' },
  { os: 'linux', platform: 'linux', arch: 'arm64' },
];

function pngSize(file: string): { width: number; height: number } {
  const data = readFileSync(file);
  expect(data.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

/** Every file under `dir`, relative to the project root. */
function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).replaceAll('\\', '/'));
}

function optionalDependencies(pkg: string): string[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as {
    optionalDependencies: Record<string, string>;
  };
  return Object.keys(manifest.optionalDependencies);
}

describe('the electron-builder configuration', () => {
  it('names the app and publishes drafts to GitHub releases', () => {
    expect(config.appId).toBe('app.hearth.desktop');
    expect(config.productName).toBe('Hearth');
    expect(config.publish).toEqual({ provider: 'github', releaseType: 'draft' });
    expect(config.asar).toBe(true);
    // Prebuilt N-API binaries: rebuilding them against Electron would need a compiler on CI.
    expect(config.npmRebuild).toBe(false);
  });

  it('flips the Electron fuses that close ways into the app', () => {
    expect(config.electronFuses).toEqual({
      // No ELECTRON_RUN_AS_NODE: the network worker is a utility process (src/main/utility-worker.ts).
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      // The UI is served as hearth://app/ (src/main/ui-protocol.ts), so file: needs nothing extra.
      grantFileProtocolExtraPrivileges: false,
    });
    // Integrity is only checked for an asar: the fuse without one would load nothing.
    expect(config.asar).toBe(true);
  });

  it('builds every installer the issue asks for', () => {
    const targets = (specs: { target: string; arch: string[] }[]) =>
      Object.fromEntries(specs.map((s) => [s.target, [...s.arch].sort()]));
    expect(targets(config.win.target)).toEqual({ nsis: ['arm64', 'x64'] });
    expect(targets(config.mac.target)).toEqual({ dmg: ['arm64', 'x64'], zip: ['arm64', 'x64'] });
    expect(targets(config.linux.target)).toEqual({ AppImage: ['arm64', 'x64'], deb: ['arm64', 'x64'] });
  });

  it('uses the hardened runtime with entitlements from build/ and takes signing from the environment', () => {
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.entitlements).toBe('build/entitlements.mac.plist');
    expect(config.mac.entitlementsInherit).toBe('build/entitlements.mac.plist');
    const plist = readFileSync(join(ROOT, config.mac.entitlements), 'utf8');
    for (const key of ['cs.allow-jit', 'cs.disable-library-validation', 'network.client']) {
      expect(plist).toContain(`<key>com.apple.security.${key}</key>`);
    }
    // No identity or notarize block is pinned: CSC_LINK / APPLE_* decide, and their absence skips.
    expect(config.mac.identity).toBeUndefined();
    expect(config.mac.notarize).toBeUndefined();
    expect(readFileSync(join(ROOT, config.nsis.license), 'utf8')).toMatch(/^MIT License/);
  });

  it('has icons in every size the targets need', () => {
    const master = pngSize(join(ROOT, 'build/icon.png'));
    expect(master).toEqual({ width: 1024, height: 1024 });
    for (const size of LINUX_ICON_SIZES) {
      expect(pngSize(join(ROOT, config.linux.icon, `${size}x${size}.png`))).toEqual({ width: size, height: size });
    }
    expect(pngSize(join(ROOT, 'resources/icon.png')).width).toBeGreaterThanOrEqual(256);

    const ico = readFileSync(join(ROOT, config.win.icon));
    expect(ico.readUInt16LE(2)).toBe(1); // an icon, not a cursor
    const icoWidths = Array.from({ length: ico.readUInt16LE(4) }, (_, i) => ico[6 + i * 16] || 256);
    expect(icoWidths).toEqual(expect.arrayContaining([16, 32, 48, 256]));

    const icns = readFileSync(join(ROOT, config.mac.icon));
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    // ic10 is the 1024 px (512@2x) image macOS uses for Retina displays.
    expect(icns.includes(Buffer.from('ic10'))).toBe(true);
  });

  it('unpacks every native binary of node-llama-cpp and LanceDB from the asar, and no JavaScript', () => {
    const unpacked = matcher(config.asarUnpack, TARGETS[4]!);
    const native = [
      ...walk(join(ROOT, 'node_modules/@node-llama-cpp')),
      ...walk(join(ROOT, 'node_modules/node-llama-cpp/bins')),
      ...walk(join(ROOT, 'node_modules/@lancedb')).filter((f) => !f.startsWith('node_modules/@lancedb/lancedb/')),
    ].filter((f) => /\.(node|so|dylib|dll|metal)$|\.so\.\d/.test(f));
    expect(native.length).toBeGreaterThan(5);
    expect(native.filter((f) => f.endsWith('.node')).map((f) => f.split('/').slice(0, 3).join('/'))).toEqual(
      expect.arrayContaining(['node_modules/@lancedb/lancedb-linux-x64-gnu', 'node_modules/@node-llama-cpp/linux-x64']),
    );
    expect(native.filter((f) => !unpacked(f))).toEqual([]);
    for (const js of ['out/main/index.js', 'node_modules/node-llama-cpp/dist/index.js', 'node_modules/@lancedb/lancedb/dist/index.js']) {
      expect(unpacked(js), js).toBe(false);
    }
  });

  it.each(TARGETS)('keeps only $os-$arch native packages in a $os $arch installer', (target) => {
    const keep = dependencyFileFilter(config, target);
    const llama = optionalDependencies('node-llama-cpp');
    const lance = optionalDependencies('@lancedb/lancedb').filter((name) => name.startsWith('@lancedb/lancedb-'));
    const keptLlama = llama.filter((name) => keep(`node_modules/${name}/bins/x/llama-addon.node`));
    const keptLance = lance.filter((name) => keep(`node_modules/${name}/lancedb.node`));

    const prefix = (name: string, wanted: string) => name === wanted || name.startsWith(`${wanted}-`);
    expect(keptLlama).toEqual(llama.filter((n) => prefix(n.slice('@node-llama-cpp/'.length), `${target.os}-${target.arch}`)));
    expect(keptLance).toEqual(lance.filter((n) => prefix(n.slice('@lancedb/lancedb-'.length), `${target.platform}-${target.arch}`)));
    expect(keptLlama.length).toBeGreaterThan(0);
    if (target.os !== 'linux' && target.os !== 'win') expect(keptLlama.some((n) => n.includes('cuda'))).toBe(false);
    // The JavaScript halves of both libraries always ship.
    expect(keep('node_modules/node-llama-cpp/dist/index.js')).toBe(true);
    expect(keep('node_modules/@lancedb/lancedb/dist/native.js')).toBe(true);
    // llama.cpp's sources are for building on the user's machine; the app uses prebuilt binaries.
    expect(keep('node_modules/node-llama-cpp/llama/gitRelease.bundle')).toBe(false);
  });

  it('is plain YAML that electron-builder and the tests read the same way', () => {
    const raw = readFileSync(join(ROOT, 'build/electron-builder.yml'), 'utf8');
    expect(parse(raw)).toEqual(config);
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts.dist).toBe('electron-vite build && electron-builder --config build/electron-builder.yml --publish never');
  });
});
