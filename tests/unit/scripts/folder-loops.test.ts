import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { folderLoops } from '../../../scripts/folder-loops/folder-loops';
import { tempDir } from '../../helpers/temp-dir';

describe('folder loops in the engine', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => (dir = await tempDir('hearth-loops-')));
  afterEach(() => dir.cleanup());

  it('finds folders that import each other, through an index or a type import', async () => {
    for (const folder of ['chat', 'api', 'models']) await mkdir(join(dir.path, folder));
    await writeFile(join(dir.path, 'chat', 'index.ts'), "export { x } from './x';\n");
    await writeFile(join(dir.path, 'chat', 'x.ts'), "import { s } from '../api';\nexport const x = s;\n");
    await writeFile(join(dir.path, 'api', 'index.ts'), "import type { x } from '../chat/x';\nexport const s = 1;\n");
    await writeFile(join(dir.path, 'models', 'm.ts'), "import { s } from '../api';\nexport const m = s;\n");
    expect(folderLoops(dir.path)).toEqual([['api', 'chat']]);
    expect(folderLoops(dir.path, { types: false })).toEqual([]);
  });

  it('has none in src/core, the network parts included', () => {
    expect(folderLoops('src/core')).toEqual([]);
  });
});
