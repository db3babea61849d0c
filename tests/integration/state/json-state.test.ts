import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { damageMessage, readJsonState, type StateDamage } from '../../../src/core/state';
import { tempDir } from '../../helpers/temp-dir';

const Schema = v.object({ items: v.array(v.string()) });

describe('readJsonState', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let file: string;
  let damages: StateDamage[];
  const read = () =>
    readJsonState(file, Schema, { onDamage: (d) => damages.push(d), consequence: 'the list starts empty.' });
  beforeEach(async () => {
    dir = await tempDir('hearth-json-state-');
    file = join(dir.path, 'list.json');
    damages = [];
  });
  afterEach(() => dir.cleanup());

  it('tells a missing file from an empty one', async () => {
    expect(await read()).toEqual({ kind: 'missing' });
    await writeFile(file, '{"items":[]}');
    expect(await read()).toEqual({ kind: 'value', value: { items: [] } });
    expect(damages).toEqual([]);
  });

  it('sets a truncated file aside, never deleting it, and reports it once', async () => {
    await writeFile(file, '{"items":["a","b');
    const state = await read();
    expect(state).toMatchObject({
      kind: 'damaged',
      damage: { file, problem: expect.stringMatching(/not valid JSON/) },
    });
    expect(damages).toHaveLength(1);
    const names = await readdir(dir.path);
    expect(names).toEqual([expect.stringMatching(/^list\.json\.damaged-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/)]);
    expect(await readFile(join(dir.path, names[0]!), 'utf8')).toBe('{"items":["a","b');
    expect(damageMessage(damages[0]!)).toMatch(
      /list\.json is not valid JSON.*kept it as list\.json\.damaged-.*; the list starts empty\./,
    );
    // The file is gone from its place, so the next read is "missing", not a second report.
    expect(await read()).toEqual({ kind: 'missing' });
    expect(damages).toHaveLength(1);
  });

  it('sets aside valid JSON of the wrong shape, saying what is wrong', async () => {
    await writeFile(file, '{"items":[1]}');
    const state = await read();
    expect(state.kind).toBe('damaged');
    expect(damages[0]!.problem).toBe('does not hold what Hearth expects (items[0] must be text; 1 is not)');
  });
});
