import { readFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { FileMatcher } from 'app-builder-lib/out/fileMatcher.js';
import { parse } from 'yaml';

export const ROOT = join(import.meta.dirname, '../../..');
export const CONFIG_FILE = join(ROOT, 'build/electron-builder.yml');

export interface TargetSpec {
  target: string;
  arch: string[];
}

/** The parts of the electron-builder configuration the tests read. */
export interface BuilderConfig {
  appId: string;
  productName: string;
  directories: { buildResources: string; output: string };
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  /** electron-builder's FuseOptionsV1 names. */
  electronFuses: Record<string, boolean>;
  publish: { provider: string; releaseType?: string };
  win: { icon: string; target: TargetSpec[] };
  nsis: { license: string };
  mac: {
    icon: string;
    hardenedRuntime: boolean;
    entitlements: string;
    entitlementsInherit: string;
    identity?: unknown;
    notarize?: unknown;
    target: TargetSpec[];
  };
  linux: { icon: string; target: TargetSpec[] };
}

export function loadBuilderConfig(): BuilderConfig {
  return parse(readFileSync(CONFIG_FILE, 'utf8')) as BuilderConfig;
}

/** electron-builder's names: `${os}` is mac/win/linux, `${platform}` is Node's darwin/win32/linux. */
export interface Platform {
  os: 'mac' | 'win' | 'linux';
  platform: 'darwin' | 'win32' | 'linux';
  arch: 'x64' | 'arm64';
}

export function macroExpander(target: Platform): (pattern: string) => string {
  return (pattern) =>
    pattern.replaceAll('${os}', target.os).replaceAll('${platform}', target.platform).replaceAll('${arch}', target.arch);
}

const fileStat = { isDirectory: () => false } as Stats;

/**
 * A filter over paths relative to the project, built by electron-builder's own FileMatcher
 * (the class its packager uses), so the tests judge the patterns exactly as a build would.
 */
export function matcher(patterns: string[], target: Platform): (relative: string) => boolean {
  const filter = new FileMatcher(ROOT, '/app', macroExpander(target), patterns).createFilter();
  return (relative) => filter(join(ROOT, relative), fileStat);
}

/**
 * What electron-builder applies to the app's own files: the configured patterns after its
 * leading `!**\/node_modules/**` (dependencies are copied separately).
 */
export function appFileFilter(config: BuilderConfig, target: Platform): (relative: string) => boolean {
  return matcher(['!**/node_modules/**', ...config.files], target);
}

/** What electron-builder applies inside node_modules: only the `!` patterns of `files`. */
export function dependencyFileFilter(config: BuilderConfig, target: Platform): (relative: string) => boolean {
  return matcher(['**/*', ...config.files.filter((p) => p.startsWith('!'))], target);
}
