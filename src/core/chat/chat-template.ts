import { GeneralChatWrapper, resolveChatWrapper, type ChatWrapper, type LlamaModel } from 'node-llama-cpp';

/**
 * The prompt format a chat model gets. A GGUF's own template wins: node-llama-cpp resolves it
 * (to a specialised wrapper where one renders the same text). A GGUF without one is almost always
 * a base model, and gets a plain "### User / ### Assistant" format that any text model can
 * continue, not node-llama-cpp's guess from the file name. Measured on Gemma 3 270M base
 * (`npm run bench:answers`, docs/RETRIEVAL.md): with its family's turn markers it repeated the
 * instructions in 59 of 60 answers; with the plain format it mostly copies its sources, which at
 * least puts the passage in front of the user.
 */
export function chatWrapperFor(model: LlamaModel, hasChatTemplate: boolean): ChatWrapper {
  if (!hasChatTemplate) return new GeneralChatWrapper();
  return resolveChatWrapper(model, { warningLogs: false }) ?? new GeneralChatWrapper();
}
