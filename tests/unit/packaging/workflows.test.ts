import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadBuilderConfig, ROOT } from './builder-config';

interface Step {
  run?: string;
  uses?: string;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, { strategy: { matrix: Record<string, unknown> }; steps: Step[] }>;
}

const load = (name: string) => parse(readFileSync(join(ROOT, '.github/workflows', name), 'utf8')) as Workflow;

describe('the GitHub workflows', () => {
  it('CI runs the test command on Linux, Windows and macOS', () => {
    const ci = load('ci.yml');
    const job = ci.jobs.test!;
    const oses = job.strategy.matrix.os as string[];
    expect(oses.map((os) => os.split('-')[0]).sort()).toEqual(['macos', 'ubuntu', 'windows']);
    expect(job.steps.map((s) => s.run)).toEqual(expect.arrayContaining(['npm ci', 'npm test']));
  });

  it('Release builds every installer target on a tag, on its own architecture, into a draft release', () => {
    const release = load('release.yml');
    expect(release.on).toEqual({ push: { tags: ['v*'] } });
    const job = release.jobs.installers!;
    const built = (job.strategy.matrix.include as { platform: string; arch: string }[]).map((m) => `${m.platform}-${m.arch}`);

    const config = loadBuilderConfig();
    const configured = [
      ...config.win.target.flatMap((t) => t.arch.map((a) => `win-${a}`)),
      ...config.mac.target.flatMap((t) => t.arch.map((a) => `mac-${a}`)),
      ...config.linux.target.flatMap((t) => t.arch.map((a) => `linux-${a}`)),
    ];
    expect(built.sort()).toEqual([...new Set(configured)].sort());

    const build = job.steps.find((s) => s.run?.includes('electron-builder'));
    expect(build?.run).toContain('--config build/electron-builder.yml');
    expect(build?.run).toContain('--publish always');
    expect(Object.keys(build?.env ?? {})).toEqual(
      expect.arrayContaining(['GH_TOKEN', 'CSC_LINK', 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID']),
    );
    expect(config.publish.releaseType).toBe('draft');
  });
});
