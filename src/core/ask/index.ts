export {
  AskPipeline,
  type AskPipelineInit,
  type AskPipelineComponents,
  type AskRequest,
  type AskCallbacks,
  type ScoredChunk,
} from './ask-pipeline';
export { createAskService, type AskServiceComponents, type AskServiceInit } from './ask-service';
export { parseCitations, type ParsedCitations } from './citations';
export { packSources, cutToTokens, type PackedSource } from './context-packer';
export { AskUnavailableError } from './errors';
export { LlamaReranker, RerankerUnsupportedError } from './llama-reranker';
export { runSelfTest, questionFor } from './self-test';
export type { Generator, GenerateOptions, Reranker, RetrieveOptions, RetrievedChunk, Retriever } from './seams';
export { standaloneQuery } from './standalone-query';
export { isWholeDocumentQuestion, pickDocument } from './whole-document';
export { LibraryRetriever, type RetrieverLibrary } from './library-retriever';
export { generatorFromChat } from './chat-generator-adapter';
export { createEngineAsk, type EngineAskOptions } from './engine-ask';
