import type { ChatService } from '../chat';
import type { Generator } from './seams';

/** Low temperature: answers should repeat the sources, not vary. */
const TEMPERATURE = 0.2;

/**
 * The Generator seam on the chat capability's one path to the chat model, so answers use the
 * same loaded model, threads and chat template as conversations. A base model (no chat
 * template) is prompted as plain text to continue instead (`style: 'completion'`).
 */
export async function generatorFromChat(chat: Pick<ChatService, 'generator'>): Promise<Generator> {
  const generator = await chat.generator();
  return {
    get contextSize() {
      return generator.contextSize;
    },
    style: generator.hasChatTemplate ? 'chat' : 'completion',
    countTokens: (text) => generator.countTokens(text),
    generate: async (options) => {
      // A completion continues "Answer:" with a space: the reader's text starts at the first word.
      let started = generator.hasChatTemplate;
      const onToken = (text: string) => {
        const shown = started ? text : text.trimStart();
        started ||= shown.length > 0;
        if (shown) options.onToken?.(shown);
      };
      const common = { maxTokens: options.maxTokens, temperature: TEMPERATURE, signal: options.signal, onToken };
      const result = generator.hasChatTemplate
        ? await generator.generate({ ...common, system: options.system, prompt: options.prompt })
        : await generator.complete({
            ...common,
            text: [options.system, options.prompt].filter(Boolean).join('\n\n'),
            stopAt: options.stopAt,
          });
      return generator.hasChatTemplate ? result.text : result.text.trimStart();
    },
  };
}
