import { describe, expect, it } from 'vitest';
import { LibraryRetriever, type RetrieverLibrary } from '../../../src/core/ask/library-retriever';
import type { LibraryHit, LibraryPassage, SearchOptions } from '../../../src/core/library';

/** Passages of one DOCX: same path, no page, no line, so only the id tells them apart. */
function passage(ordinal: number, text: string, path = '/d/report.docx'): LibraryPassage {
  return {
    id: `c1:${path}#${ordinal}`,
    path,
    collection: 'research',
    type: 'docx',
    page: null,
    pageKind: null,
    lineStart: null,
    lineEnd: null,
    headingPath: ['Results'],
    text,
  };
}

function hit(p: LibraryPassage, rank: number): LibraryHit {
  return {
    ...p,
    score: 1 / (60 + rank),
    snippet: p.text.slice(0, 10),
    ranks: { lexical: 3 - rank, lexicalRank: rank, vector: null, vectorRank: null },
  };
}

/**
 * A library at the seam that answers only the three reads the retriever may make; any other
 * member (an "every chunk" read, a collection listing) throws, so a retriever that re-reads the
 * chunk table to join hits back fails here.
 */
function stubLibrary(hits: LibraryHit[], passages: LibraryPassage[] = []) {
  const calls: { method: string; options: unknown }[] = [];
  const face: RetrieverLibrary = {
    search: async (_query: string, options: SearchOptions = {}) => {
      calls.push({ method: 'search', options });
      return hits;
    },
    documentPassages: async (path, options) => {
      calls.push({ method: 'documentPassages', options: { path, ...options } });
      return passages.filter((p) => p.path === path);
    },
    samplePassages: async (count, options) => {
      calls.push({ method: 'samplePassages', options: { count, ...options } });
      return passages.slice(0, count);
    },
  };
  const library = new Proxy(face, {
    get(target, name) {
      if (typeof name === 'string' && !(name in target)) throw new Error(`the retriever read library.${name}`);
      return target[name as keyof RetrieverLibrary];
    },
  });
  return { library, calls };
}

describe('LibraryRetriever', () => {
  it('hands on each hit as the library found it: id, full text, location and ranks, even when locations collide', async () => {
    const first = passage(0, 'Revenue grew by twelve percent in the northern region.');
    const second = passage(1, 'Costs fell by three percent after the warehouse closed.');
    const { library } = stubLibrary([hit(second, 1), hit(first, 2)]);
    const chunks = await new LibraryRetriever(library).search('costs', { top: 5 });
    expect(chunks.map((c) => [c.id, c.text])).toEqual([
      [second.id, second.text],
      [first.id, first.text],
    ]);
    expect(chunks[0]).toMatchObject({ path: '/d/report.docx', page: null, lineStart: null, headingPath: ['Results'] });
    // The "why these sources" view shows where each stood in the search.
    expect(chunks[1]!.scores).toMatchObject({ lexical: 1, lexicalRank: 2, vector: null, vectorRank: null });
    expect(chunks[1]!.scores.fused).toBeCloseTo(1 / 62);
  });

  it('searches a scope of collections, folders and files once, as one scope', async () => {
    const { library, calls } = stubLibrary([hit(passage(0, 'a'), 1)]);
    const scope = { collections: ['research'], folders: ['/e'], files: ['/d/a.pdf'] };
    await new LibraryRetriever(library).search('x', { top: 10, scope });
    expect(calls).toEqual([{ method: 'search', options: expect.objectContaining({ scope, top: 10 }) }]);
  });

  it('treats an empty scope as the whole library', async () => {
    const { library, calls } = stubLibrary([]);
    await new LibraryRetriever(library).search('x', { top: 3, scope: { collections: [], folders: [], files: [] } });
    expect(calls[0]!.options).toMatchObject({ scope: undefined });
  });

  it('reads one document and samples a scope through the library, never through an every-chunk read', async () => {
    const passages = [passage(0, 'first'), passage(1, 'second'), passage(0, 'other', '/x.md')];
    const { library, calls } = stubLibrary([], passages);
    const retriever = new LibraryRetriever(library);
    expect((await retriever.documentChunks('/d/report.docx')).map((c) => [c.id, c.text])).toEqual([
      [passages[0]!.id, 'first'],
      [passages[1]!.id, 'second'],
    ]);
    const scope = { collections: ['research'], folders: [], files: [] };
    expect((await retriever.sampleChunks(2, { scope })).map((c) => c.text)).toEqual(['first', 'second']);
    expect(calls.map((c) => c.method)).toEqual(['documentPassages', 'samplePassages']);
    expect(calls[1]!.options).toEqual({ count: 2, scope });
  });
});
