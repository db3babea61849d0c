import { describe, expect, it } from 'vitest';
import { LibraryRetriever } from '../../../src/core/ask/library-retriever';

type Row = Parameters<ConstructorParameters<typeof LibraryRetriever>[0]['search']>;

function row(path: string, ordinal: number, page: number, text: string, collection = 'c1') {
  return {
    id: `${path}#${ordinal}`,
    key: path,
    collection,
    path,
    type: 'pdf',
    ordinal,
    page,
    page_kind: page > 0 ? 'page' : '',
    line_start: 1 + ordinal * 10,
    line_end: 9 + ordinal * 10,
    heading: JSON.stringify(['Results']),
    text,
  };
}

/** A library stub at the seam: search answers from a fixed list, chunks from a mutable table. */
function stubLibrary(rows: ReturnType<typeof row>[]) {
  const calls: Row[1][] = [];
  let allChunksCalls = 0;
  const library = {
    collections: async () => [
      {
        id: 'c1',
        name: 'research',
        sources: [],
        state: 'idle' as const,
        files: 1,
        chunks: 1,
        errors: 0,
        indexedAt: null,
      },
    ],
    allChunks: async () => {
      allChunksCalls += 1;
      return rows;
    },
    search: async (_query: string, options: Row[1] = {}) => {
      calls.push(options);
      return rows
        .filter((r) => !options.pathPrefix || r.path.startsWith(options.pathPrefix))
        .map((r, i) => ({
          path: r.path,
          page: r.page > 0 ? r.page : null,
          score: 1 / (61 + i),
          snippet: r.text.slice(0, 10),
          lineStart: r.line_start,
          lineEnd: r.line_end,
          ranks: { lexical: 2.5 - i, lexicalRank: i + 1, vector: null, vectorRank: null },
        }));
    },
  };
  return { library, calls, allChunks: () => allChunksCalls };
}

describe('LibraryRetriever', () => {
  it('returns full chunk text, location and heading path for library hits', async () => {
    const { library } = stubLibrary([
      row('/d/a.pdf', 0, 1, 'alpha text in full'),
      row('/d/a.pdf', 1, 2, 'beta text in full'),
    ]);
    const chunks = await new LibraryRetriever(library).search('text', { top: 5 });
    expect(chunks.map((c) => [c.text, c.page, c.lineStart, c.headingPath])).toEqual([
      ['alpha text in full', 1, 1, ['Results']],
      ['beta text in full', 2, 11, ['Results']],
    ]);
    // The "why these sources" view shows where each stood in the search.
    expect(chunks[1]!.scores).toMatchObject({ lexical: 1.5, lexicalRank: 2, vector: null, vectorRank: null });
  });

  it('searches each part of the scope and merges them without duplicates', async () => {
    const { library, calls } = stubLibrary([row('/d/a.pdf', 0, 1, 'a'), row('/e/b.md', 0, 0, 'b')]);
    const chunks = await new LibraryRetriever(library).search('x', {
      top: 10,
      scope: { collections: ['research'], folders: ['/e'], files: ['/d/a.pdf'] },
    });
    expect(calls).toEqual([
      expect.objectContaining({ collection: 'research' }),
      expect.objectContaining({ pathPrefix: '/e' }),
      expect.objectContaining({ pathPrefix: '/d/a.pdf' }),
    ]);
    expect(chunks.map((c) => c.path).sort()).toEqual(['/d/a.pdf', '/e/b.md']);
  });

  it('reloads its chunk table when a hit is not in it (the library changed)', async () => {
    const rows = [row('/d/a.pdf', 0, 1, 'old')];
    const stub = stubLibrary(rows);
    const retriever = new LibraryRetriever(stub.library);
    await retriever.search('x', { top: 5 });
    rows.push(row('/d/new.pdf', 0, 1, 'new'));
    const chunks = await retriever.search('x', { top: 5 });
    expect(chunks.map((c) => c.text)).toContain('new');
    expect(stub.allChunks()).toBe(2);
  });

  it('lists a document in reading order and samples within a collection scope', async () => {
    const { library } = stubLibrary([
      row('/d/a.pdf', 1, 2, 'second'),
      row('/d/a.pdf', 0, 1, 'first'),
      row('/x.md', 0, 0, 'other', 'c2'),
    ]);
    const retriever = new LibraryRetriever(library);
    expect((await retriever.documentChunks('/d/a.pdf')).map((c) => c.text)).toEqual(['first', 'second']);
    const sample = await retriever.sampleChunks(5, { scope: { collections: ['research'], folders: [], files: [] } });
    expect(sample.map((c) => c.path)).toEqual(['/d/a.pdf', '/d/a.pdf']);
  });
});
