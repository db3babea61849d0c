import type { AskScope } from '../../shared/contract/ask';
import type { Library, LibraryPassage, SearchRanks } from '../library';
import type { RetrieveOptions, RetrievedChunk, Retriever } from './seams';

/**
 * What the retriever needs of the library: passages as the library found them. There is
 * deliberately no "every chunk" read here: each passage arrives with its chunk id and full
 * text, so nothing is joined back by location (which is not unique: every chunk of a DOCX
 * or HTML file has the same page and line).
 */
export type RetrieverLibrary = Pick<Library, 'search' | 'documentPassages' | 'samplePassages'>;

const NO_RANKS: SearchRanks = { lexical: null, lexicalRank: null, vector: null, vectorRank: null };

function toChunk(passage: LibraryPassage, fused = 0, ranks: SearchRanks = NO_RANKS): RetrievedChunk {
  return {
    id: passage.id,
    path: passage.path,
    page: passage.page,
    pageKind: passage.pageKind,
    lineStart: passage.lineStart,
    lineEnd: passage.lineEnd,
    headingPath: passage.headingPath,
    text: passage.text,
    scores: { ...ranks, fused },
  };
}

/** An empty scope (or none) is the whole library. */
function libraryScope(scope: AskScope | undefined): AskScope | undefined {
  if (!scope || scope.collections.length + scope.folders.length + scope.files.length === 0) return undefined;
  return scope;
}

/**
 * The Retriever seam on the library: one hybrid search per question, whatever the scope
 * (the scope is one filter in the store, the query one embedding), and the library's
 * passages used as they come.
 */
export class LibraryRetriever implements Retriever {
  constructor(private readonly _library: RetrieverLibrary) {}

  async search(query: string, options: RetrieveOptions): Promise<RetrievedChunk[]> {
    const hits = await this._library.search(query, {
      scope: libraryScope(options.scope),
      top: options.top,
      signal: options.signal,
    });
    return hits.map((hit) => toChunk(hit, hit.score, hit.ranks));
  }

  async documentChunks(path: string): Promise<RetrievedChunk[]> {
    return (await this._library.documentPassages(path)).map((passage) => toChunk(passage));
  }

  async sampleChunks(count: number, options: { scope?: AskScope } = {}): Promise<RetrievedChunk[]> {
    const passages = await this._library.samplePassages(count, { scope: libraryScope(options.scope) });
    return passages.map((passage) => toChunk(passage));
  }
}
