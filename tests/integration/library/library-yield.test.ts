import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../../src/core/library';
import type { LibraryProgress } from '../../../src/shared/contract/library';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { tempDir } from '../../helpers/temp-dir';

describe('indexing yields while the user is chatting', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let library: Library;
  let docs: string;
  let busy = false;
  const phases: LibraryProgress['phase'][] = [];
  let onPaused: () => void = () => undefined;

  beforeAll(async () => {
    dir = await tempDir('hearth-lib-yield-');
    docs = join(dir.path, 'docs');
    await mkdir(docs);
    for (let i = 0; i < 5; i++) await writeFile(join(docs, `note-${i}.md`), `# Note ${i}\n\nHeron number ${i}.\n`);
    library = await Library.open({
      dir: join(dir.path, 'index'),
      settings: () => ({ ...DEFAULT_SETTINGS.library, watch: false }),
      watch: false,
      isBusy: () => busy,
      onProgress: (p) => {
        phases.push(p.phase);
        // An answer starts as soon as the folder is listed, before any file is read.
        if (p.phase === 'indexing' && !phases.includes('paused')) busy = true;
        if (p.phase === 'paused') onPaused();
      },
    });
  });

  afterAll(async () => {
    await library?.dispose();
    await dir?.cleanup();
  });

  it('waits between batches while an answer is generating, then finishes the run', async () => {
    const paused = new Promise<void>((resolve) => (onPaused = resolve));
    await library.addSource('docs', docs);
    await paused;
    expect(await library.files('docs')).toEqual([]);
    expect((await library.collections())[0]).toMatchObject({ state: 'paused' });

    busy = false;
    await library.whenIdle();
    const files = await library.files('docs');
    expect(files.map((f) => f.state)).toEqual(Array(5).fill('indexed'));
    expect(phases.at(-1)).toBe('idle');
    expect(phases.slice(phases.indexOf('paused') + 1)).toContain('indexing');
  });
});
