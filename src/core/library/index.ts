export {
  Library,
  snippet,
  type LibraryHit,
  type LibraryOptions,
  type LibraryPassage,
  type LibraryScope,
  type SearchOptions,
} from './library';
export { createLibraryService } from './library-service';
export { LibraryError, LibraryFileError, type FileProblem } from './errors';
export { extractDocument, fileType, DEFAULT_LIMITS, type ExtractedDocument, type Block } from './extract';
export { chunkBlocks, estimateTokens, type Chunk, type TokenCounter } from './chunker';
export { Embedder, type EmbedModelInfo } from './embedder';
export { LibraryStore, ftsQuery, type ChunkFilter, type SearchRanks } from './store';
export { scanSource, ignoreMatcher } from './scanner';
export { EngineLibrary, openEngineLibrary, type LibraryOverrides } from './engine-library';
