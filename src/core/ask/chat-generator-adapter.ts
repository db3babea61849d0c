import type { ChatService } from '../chat';
import type { Generator } from './seams';

/**
 * The Generator seam on the chat capability's one path to the chat model, so answers use the
 * same loaded model, threads and chat template as conversations. Low temperature: answers
 * should repeat the sources, not vary.
 */
export async function generatorFromChat(chat: Pick<ChatService, 'generator'>): Promise<Generator> {
  const generator = await chat.generator();
  return {
    get contextSize() {
      return generator.contextSize;
    },
    countTokens: (text) => generator.countTokens(text),
    generate: async (options) => {
      const result = await generator.generate({
        system: options.system,
        prompt: options.prompt,
        maxTokens: options.maxTokens,
        temperature: 0.2,
        signal: options.signal,
        onToken: options.onToken,
      });
      return result.text;
    },
  };
}
