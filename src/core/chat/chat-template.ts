import {
  GeneralChatWrapper,
  LlamaText,
  SpecialTokensText,
  resolveChatWrapper,
  type ChatWrapper,
  type LlamaModel,
} from 'node-llama-cpp';

/**
 * The prompt format a chat model gets. A GGUF's own template wins: node-llama-cpp resolves it
 * (to a specialised wrapper where one renders the same text). Without one, node-llama-cpp guesses
 * the family from the file's name and architecture. Hearth takes that guess only when every
 * turn marker it would write is one token of this model's vocabulary: Gemma base models ship
 * without a template yet know `<start_of_turn>`, while a small llama-architecture model would
 * get `[INST]` markers it has never seen. Anything else gets a plain "### User / ### Assistant"
 * format, which any text model can continue.
 */
export function chatWrapperFor(model: LlamaModel, hasChatTemplate: boolean): ChatWrapper {
  const resolved = resolveChatWrapper(model, { warningLogs: false });
  if (resolved === null) return new GeneralChatWrapper();
  if (hasChatTemplate || resolved instanceof GeneralChatWrapper) return resolved;
  return markersAreTokens(model, resolved) ? resolved : new GeneralChatWrapper();
}

function markersAreTokens(model: LlamaModel, wrapper: ChatWrapper): boolean {
  const { contextText } = wrapper.generateContextState({
    chatHistory: [
      { type: 'system', text: 'S' },
      { type: 'user', text: 'U' },
      { type: 'model', response: ['M'] },
      { type: 'user', text: 'U' },
      { type: 'model', response: [] },
    ],
  });
  const markers = LlamaText(contextText)
    .values.filter((value) => value instanceof SpecialTokensText)
    .flatMap((text) => text.value.match(TAG) ?? []);
  return markers.length > 0 && markers.every((marker) => model.tokenize(marker, true).length === 1);
}

/** A turn marker inside a template's text: `<start_of_turn>`, `<|im_start|>`, `[INST]`. */
const TAG = /<[^<>\s]+>|\[[^[\]\s]+\]/g;
