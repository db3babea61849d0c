// File names that are not UTF-8 (made on another system): the scan names them as problems the
// user can act on, instead of listing a lossy name that then "disappears" when read.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanSource } from '../../../src/core/library';
import { tempDir } from '../../helpers/temp-dir';

describe.skipIf(process.platform !== 'linux')('scanning names that are not UTF-8', () => {
  it('reports the file as a problem to rename and lists the rest', async () => {
    const dir = await tempDir('hearth-names-');
    try {
      await writeFile(join(dir.path, 'fine.txt'), 'fine');
      // "caf\xe9.txt" in Latin-1: one byte that is not UTF-8.
      await writeFile(Buffer.concat([Buffer.from(`${dir.path}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]), 'x');
      const { files, problems } = await scanSource(dir.path);
      expect(files.map((f) => f.path)).toEqual([join(dir.path, 'fine.txt')]);
      expect(problems).toHaveLength(1);
      expect(problems[0]!.message).toMatch(/not valid UTF-8.*rename the file/);
    } finally {
      await dir.cleanup();
    }
  });
});
