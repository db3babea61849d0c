import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AskHistory } from '../../../src/core/ask/ask-history';
import type { StateDamage } from '../../../src/core/state';
import type { AskAnswer } from '../../../src/shared/contract/ask';
import { tempDir } from '../../helpers/temp-dir';

const answer = (answerId: string, question: string): AskAnswer => ({
  answerId,
  question,
  query: question,
  mode: 'retrieval',
  outcome: 'answered',
  text: 'It stalled at fourteen degrees [1].',
  sources: [],
  cited: [1],
  droppedCitations: 0,
  scope: { collections: [], folders: [], files: [] },
  message: null,
  quote: null,
});

describe('the Ask history on disk', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => (dir = await tempDir('hearth-asks-')));
  afterEach(() => dir.cleanup());

  it('lists kept asks newest first and reads them back in a new process', async () => {
    const first = new AskHistory(dir.path);
    await first.save(answer('a-1', 'First?'));
    await first.save(answer('a-2', 'Second?'));
    const again = new AskHistory(dir.path);
    expect((await again.list()).map((s) => s.question)).toEqual(['Second?', 'First?']);
    expect(await again.get('a-1')).toEqual(answer('a-1', 'First?'));
    await again.remove('a-1');
    expect(await new AskHistory(dir.path).get('a-1')).toBeNull();
  });

  it('sets a damaged ask aside, reports it and still lists the others', async () => {
    await new AskHistory(dir.path).save(answer('good', 'Kept?'));
    const damaged = '{"askedAt":1,"answer":{"answerId":"bad","quest';
    await writeFile(join(dir.path, 'bad.json'), damaged);
    const reports: StateDamage[] = [];
    const history = new AskHistory(dir.path, (damage) => reports.push(damage));
    expect((await history.list()).map((s) => s.answerId)).toEqual(['good']);
    expect(reports).toEqual([
      expect.objectContaining({ consequence: expect.stringMatching(/left out of the Ask history/) }),
    ]);
    const aside = (await readdir(dir.path)).find((n) => n.startsWith('bad.json.damaged-'));
    expect(await readFile(join(dir.path, aside!), 'utf8')).toBe(damaged);
  });

  it('will not write or remove a file for an id that is not a plain name', async () => {
    const history = new AskHistory(dir.path);
    await history.save(answer('../escape', 'Out?'));
    await history.remove('../../settings');
    expect(await readdir(dir.path).catch(() => [])).toEqual([]);
  });
});
