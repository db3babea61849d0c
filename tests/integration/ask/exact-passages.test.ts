import { mkdir, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AskPipeline } from '../../../src/core/ask/ask-pipeline';
import { LibraryRetriever } from '../../../src/core/ask/library-retriever';
import type { Generator } from '../../../src/core/ask/seams';
import { runSelfTest } from '../../../src/core/ask/self-test';
import { Library } from '../../../src/core/library';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import { makeDocx, makeEpub, makeXlsx } from '../../fixtures/library/generate';
import { tempDir } from '../../helpers/temp-dir';

/**
 * Passages of DOCX, HTML, EPUB and XLSX files share their location key: DOCX and HTML have no
 * page or line at all, an EPUB chapter's paragraphs and a sheet's rows share a page and have no
 * line. Each passage below is about 40 tokens and chunks hold 64, so each is its own chunk, and
 * only the chunk id tells them apart. A question about one passage must put exactly that
 * passage in the prompt and in the citation.
 */
const DOCX = [
  'The lighthouse keeper polished the brass lantern every evening before sunset, trimmed the wick, wound the clockwork that turned the lens, and logged each passing ship in a leather book.',
  'Orchard growers in the valley graft apricot branches onto plum rootstock, because plum roots tolerate the heavy clay soil that drowns apricot roots after the long spring rains.',
  'The choir rehearses madrigals on Thursday nights in the old granary, where the oak beams give the sopranos a warm echo and the conductor keeps time with a walking stick.',
  'A blacksmith quenches the glowing horseshoe in brine rather than plain water, which hardens the iron faster, darkens its surface and makes the shoe last through a wet winter.',
];
const HTML = [
  'Glaciers in the northern range retreated eleven metres last summer, exposing moraines and boulder fields that geologists had never mapped and that shepherds had never crossed.',
  'Beekeepers carry their hives up to the heather moors in August, where the bees make a thick amber honey that sets like jelly and must be pressed from the comb by hand.',
  'The violin maker seasons spruce for the soundboard for ten years in a dry loft, then tunes each carved plate by tapping it and listening for a clear and ringing note.',
  'Canal locks on the old waterway are still opened by hand with iron windlasses, and the lock keeper charges every passing barge a toll of one silver coin per gate.',
];
const EPUB = [
  {
    title: 'Harbour',
    paragraphs: [
      'Fishermen mend their nets on the harbour wall at dawn, knotting tarred twine with wooden needles their grandfathers carved, while gulls wait on the bollards for scraps.',
      'The ferry to the island leaves at noon when the tide allows, carrying mail sacks, two sheep, a crate of lemons for the inn and the schoolteacher back from market.',
    ],
  },
  {
    title: 'Hills',
    paragraphs: [
      'Shepherds on the high pasture count their flock with an old rhyme, one word for each ewe, and start the rhyme again at every gate so that no lamb is counted twice.',
      'A stone chapel on the ridge rings its single bell at vespers, and the sound carries down past the quarry to the orchards and the mill pond in the valley below.',
    ],
  },
];
const XLSX = [
  [
    'Telescope',
    'The refracting telescope in the east dome needs its objective lens cleaned with distilled water and a soft brush after every dusty night of observing.',
  ],
  [
    'Seismograph',
    'The seismograph drum in the cellar records tremors on smoked paper, which the night assistant changes at midnight and files in the cabinet by date.',
  ],
  [
    'Barometer',
    'The mercury barometer by the front door is read at nine each morning, and the reading is chalked on the slate outside for the farmers who pass.',
  ],
  [
    'Anemometer',
    'The cup anemometer on the roof spins freely in gales, and its brass counter is geared to ring a small bell in the office for every ten kilometres of wind.',
  ],
];
const XLSX_ROWS = XLSX.map((cells) => cells.join('\t'));

/** The generator seam: records each prompt and cites source 1. */
function recordingGenerator(): Generator & { prompts: string[] } {
  const prompts: string[] = [];
  return {
    prompts,
    contextSize: 4096,
    countTokens: (text) => Math.ceil(text.length / 4),
    generate: async (options) => {
      prompts.push(options.prompt);
      return 'It is described in the source [1].';
    },
  };
}

describe('Ask quotes the exact passage a question matches, in files whose passages share a location', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let library: Library;
  let retriever: LibraryRetriever;
  const files: Record<'docx' | 'html' | 'epub' | 'xlsx', string> = { docx: '', html: '', epub: '', xlsx: '' };
  let docs: string;
  let archive: string;
  let quoted: string;

  beforeAll(async () => {
    dir = await tempDir('hearth-passages-');
    docs = join(dir.path, 'docs');
    // A sibling whose name starts with the scoped folder's: a prefix match would take it in.
    archive = join(dir.path, 'docs-archive');
    await Promise.all([mkdir(docs), mkdir(archive)]);
    files.docx = join(docs, 'farm notes.docx');
    files.html = join(docs, 'field-report.html');
    files.epub = join(docs, 'coast.epub');
    files.xlsx = join(docs, 'observatory.xlsx');
    quoted = join(archive, "o'neil's log.md");
    await writeFile(files.docx, makeDocx([{ paragraphs: DOCX }]));
    await writeFile(
      files.html,
      `<html><head><title>Field report</title></head><body><article>${HTML.map((p) => `<p>${p}</p>`).join('')}</article></body></html>`,
    );
    await writeFile(files.epub, makeEpub(EPUB));
    await writeFile(files.xlsx, makeXlsx([{ name: 'Instruments', rows: XLSX }]));
    await writeFile(quoted, 'The lighthouse keeper in the archive polished a brass lantern too.\n');
    library = await Library.open({
      dir: join(dir.path, 'index'),
      settings: () => ({ ...DEFAULT_SETTINGS.library, chunkTokens: 64, chunkOverlap: 0, watch: false }),
      embedModelPath: null,
      watch: false,
    });
    await library.addSource('docs', docs);
    await library.addSource('archive', archive);
    await library.whenIdle();
    retriever = new LibraryRetriever(library);
  }, 60_000);

  afterAll(async () => {
    await library?.dispose();
    await dir?.cleanup();
  });

  /** The indexed text of a chunk, by the id a citation carries. */
  async function chunkText(id: string): Promise<string | undefined> {
    return (await library.allChunks()).find((chunk) => chunk.id === id)?.text;
  }

  it('the fixtures really collide: several chunks per file share one (page, line) key', async () => {
    const chunks = await library.allChunks();
    for (const file of Object.values(files)) {
      const keys = chunks.filter((c) => c.path === file).map((c) => `${c.page}:${c.line_start}`);
      expect(keys.length, file).toBeGreaterThanOrEqual(4);
      expect(new Set(keys).size, file).toBeLessThan(keys.length);
    }
  });

  const cases = [
    {
      format: 'docx',
      question: 'Why do orchard growers graft apricot branches onto plum rootstock?',
      target: DOCX[1]!,
      others: DOCX,
    },
    { format: 'html', question: 'How do beekeepers get heather honey from the moors?', target: HTML[1]!, others: HTML },
    {
      format: 'epub',
      question: 'How do fishermen mend their nets on the harbour wall?',
      target: EPUB[0]!.paragraphs[0]!,
      others: EPUB.flatMap((c) => c.paragraphs),
    },
    {
      format: 'xlsx',
      question: 'Who changes the smoked paper on the seismograph drum?',
      target: XLSX_ROWS[1]!,
      others: XLSX_ROWS,
    },
  ] as const;

  for (const { format, question, target, others } of cases) {
    it(`${format}: the matching passage, and no other, reaches the prompt and the citation`, async () => {
      const generator = recordingGenerator();
      const pipeline = new AskPipeline({ retriever, generator });
      const answer = await pipeline.answer({
        answerId: format,
        question,
        scope: { collections: [], folders: [], files: [files[format]] },
      });
      expect(answer.outcome).toBe('answered');
      expect(generator.prompts).toHaveLength(1);
      expect(generator.prompts[0]).toContain(target);
      expect(answer.cited).toEqual([1]);
      const cited = answer.sources[0]!;
      expect(cited.path).toBe(files[format]);
      expect(cited.snippet).toContain(target);
      for (const other of others.filter((o) => o !== target)) expect(cited.snippet).not.toContain(other);
      // The citation names the chunk itself: opening it shows this passage, not a neighbour.
      expect(await chunkText(cited.chunkId)).toBe(cited.snippet);
    });
  }

  it('an EPUB citation says it points at a chapter', async () => {
    const answer = await new AskPipeline({ retriever, generator: recordingGenerator() }).answer({
      answerId: 'chapter',
      question: 'How do shepherds count their flock on the high pasture?',
      scope: { collections: [], folders: [], files: [files.epub] },
    });
    expect(answer.sources[0]).toMatchObject({ page: 2, pageKind: 'chapter' });
    expect(answer.sources[0]!.snippet).toContain(EPUB[1]!.paragraphs[0]!);
  });

  it('a whole-document answer reads every passage of a DOCX once, in order', async () => {
    const generator = recordingGenerator();
    const answer = await new AskPipeline({ retriever, generator }).answer({
      answerId: 'whole',
      question: 'Summarise these farm notes',
      mode: 'document',
      document: files.docx,
    });
    expect(answer.mode).toBe('whole-document');
    expect(answer.sources.map((s) => s.snippet)).toEqual(DOCX);
    expect(new Set(answer.sources.map((s) => s.chunkId)).size).toBe(DOCX.length);
    for (const paragraph of DOCX) expect(generator.prompts.join('\n')).toContain(paragraph);
  });

  it('a scope of a folder is that folder only, not a sibling whose name starts the same', async () => {
    const found = await retriever.search('lighthouse keeper brass lantern', {
      top: 10,
      scope: { collections: [], folders: [docs], files: [] },
    });
    expect(found[0]?.text).toBe(DOCX[0]);
    expect(found.every((c) => c.path.startsWith(docs + sep))).toBe(true);
  });

  it('a scope of collections, folders and files is one union, quotes in names included', async () => {
    const archived = await retriever.search('lighthouse keeper brass lantern', {
      top: 10,
      scope: { collections: [], folders: [], files: [quoted] },
    });
    expect(archived.map((c) => c.path)).toEqual([quoted]);
    const found = await retriever.search('lighthouse keeper brass lantern', {
      top: 10,
      scope: { collections: ['docs'], folders: [], files: [quoted] },
    });
    expect(found.map((c) => c.path)).toEqual(expect.arrayContaining([files.docx, quoted]));
    expect(found.every((c) => c.path === quoted || c.path.startsWith(docs + sep))).toBe(true);
  });

  it('the self-test finds each sampled passage by its own id', async () => {
    const generator = recordingGenerator();
    const pipeline = new AskPipeline({ retriever, generator });
    const report = await runSelfTest(retriever, pipeline, {
      samples: 16,
      scope: { collections: ['docs'], folders: [], files: [] },
    });
    expect(report.samples).toBeGreaterThanOrEqual(12);
    expect(report.misses).toEqual([]);
    expect(report.recallAt5).toBe(1);
  });
});
