import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/core';
import type { PassageContext, SearchHit } from '../../../src/shared/contract/library';
import { makeDocx, makePdf } from '../../fixtures/library/generate';
import { tempDir } from '../../helpers/temp-dir';

const socket = { door: 'socket' as const };
/** Long enough paragraphs that a 64-token chunk holds one each, so a DOCX has several passages. */
const PARAGRAPHS = [
  'The lighthouse keeper polished the brass lantern every evening before sunset, trimmed the wick, wound the clockwork that turned the lens, and logged each passing ship in a leather book.',
  'Orchard growers in the valley graft apricot branches onto plum rootstock, because plum roots tolerate the heavy clay soil that drowns apricot roots after the long spring rains.',
  'The choir rehearses madrigals on Thursday nights in the old granary, where the oak beams give the sopranos a warm echo and the conductor keeps time with a walking stick.',
  'A blacksmith quenches the glowing horseshoe in brine rather than plain water, which hardens the iron faster, darkens its surface and makes the shoe last through a wet winter.',
];

describe('library.context: a passage in its file, only for files in the library', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let docs: string;
  const call = (method: string, input: unknown) => engine.dispatch(method, input, socket);
  const search = async (query: string) => (await call('library.search', { query })) as SearchHit[];

  beforeAll(async () => {
    home = await tempDir('hearth-context-');
    docs = join(home.path, 'docs');
    await mkdir(docs, { recursive: true });
    await writeFile(
      join(docs, 'wing-report.pdf'),
      await makePdf([
        'Wind tunnel report\nThis report describes the test campaign.',
        'Results\nThe swept wing stalled at fourteen degrees angle of attack.\nTip stall began before root stall.',
      ]),
    );
    await writeFile(join(docs, 'village.docx'), makeDocx([{ heading: 'Village life', paragraphs: PARAGRAPHS }]));
    await writeFile(join(home.path, 'secret.txt'), 'The password is swordfish.');
    await symlink(join(home.path, 'secret.txt'), join(docs, 'link.txt'));
    engine = await createEngine({ dataDir: home.path });
    engine.library.configure({ watch: false });
    await engine.dispatch('settings.update', { library: { chunkTokens: 64, chunkOverlap: 16 } }, socket);
    await call('library.addSource', { collection: 'docs', path: docs });
    await (await engine.library.get()).whenIdle();
  }, 60_000);
  afterAll(async () => {
    await engine?.dispose();
    await home?.cleanup();
  });

  it('returns the PDF page of a hit, the passage range, the words and the PDF itself', async () => {
    const hit = (await search('swept wing stalled')).find((h) => h.path.endsWith('wing-report.pdf'))!;
    expect(hit.page).toBe(2);
    const context = (await call('library.context', {
      path: hit.path,
      chunkId: hit.id,
      terms: ['swept', 'stall'],
    })) as PassageContext;
    expect(context.page).toBe(2);
    expect(context.pageKind).toBe('page');
    expect(context.text).toContain('fourteen degrees');
    expect(context.text).not.toContain('Wind tunnel report');
    expect(context.text.slice(context.passage.start, context.passage.end)).toBe(hit.text);
    const marked = context.matches.map((m) => context.text.slice(m.start, m.end).toLowerCase());
    expect(marked).toEqual(expect.arrayContaining(['swept', 'stalled', 'stall']));
    expect(context.moreBefore).toBe(true);
    expect(Buffer.from(context.pdf!, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('returns a DOCX passage among its neighbours, highlighted exactly', async () => {
    const hit = (await search('blacksmith horseshoe brine')).find((h) => h.path.endsWith('village.docx'))!;
    expect(hit.text).toContain('blacksmith');
    const context = (await call('library.context', {
      path: hit.path,
      chunkId: hit.id,
      terms: ['horseshoe'],
    })) as PassageContext;
    expect(context.type).toBe('docx');
    expect(context.page).toBeNull();
    expect(context.pdf).toBeNull();
    expect(context.text.slice(context.passage.start, context.passage.end)).toBe(hit.text);
    // The neighbours are there, each written once although chunks overlap.
    expect(context.text).toContain('madrigals');
    expect(context.text.split('blacksmith quenches').length).toBe(2);
    expect(context.moreAfter).toBe(false);
    expect(context.text.slice(context.matches[0]!.start, context.matches[0]!.end)).toBe('horseshoe');
  });

  it('refuses files outside the library, by path, by `..` and by a symbolic link', async () => {
    const refused = /not in your library/;
    await expect(call('library.context', { path: join(home.path, 'secret.txt') })).rejects.toThrow(refused);
    await expect(call('library.context', { path: join(docs, '..', 'secret.txt') })).rejects.toThrow(refused);
    await expect(call('library.context', { path: join(docs, 'link.txt') })).rejects.toThrow(refused);
    await expect(call('library.context', { path: join(home.path, 'settings.json') })).rejects.toThrow(refused);
    await expect(call('library.context', { path: join(docs, 'missing.pdf') })).rejects.toThrow(/does not exist/);
  });

  it('serves a file added on its own, and says when a file in a folder is not indexed', async () => {
    const single = join(home.path, 'memo.md');
    await writeFile(single, '# Memo\n\nThe boiler service is due in March.\n');
    await call('library.addSource', { collection: 'memos', path: single });
    await (await engine.library.get()).whenIdle();
    const context = (await call('library.context', { path: single, terms: ['boiler'] })) as PassageContext;
    expect(context.text).toContain('The boiler service is due in March.');
    expect(context.matches).toHaveLength(1);
    await writeFile(join(docs, '.hidden.md'), 'Hidden files are not indexed.');
    await expect(call('library.context', { path: join(docs, '.hidden.md') })).rejects.toThrow(/not indexed yet/);
  });

  it('refuses input the contract does not allow', async () => {
    await expect(call('library.context', { path: '' })).rejects.toThrow(/path/);
    await expect(call('library.context', { path: docs, terms: Array(51).fill('x') })).rejects.toThrow(/terms/);
    await expect(call('library.context', { path: docs, extra: 1 })).rejects.toThrow();
  });
});
