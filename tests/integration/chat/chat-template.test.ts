import { join } from 'node:path';
import { getLlama, JinjaTemplateChatWrapper, type ChatHistoryItem, type Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatWrapperFor } from '../../../src/core/chat/chat-template';
import { checkGgufFile } from '../../../src/core/models/gguf-check';
import { evalModels } from '../../helpers/eval-models';

const TOY_MODELS = join(__dirname, '../../../../shared/models');

const HISTORY: ChatHistoryItem[] = [
  { type: 'system', text: 'Answer from the sources.' },
  { type: 'user', text: 'What is the default port?' },
  { type: 'model', response: ['8080.'] },
  { type: 'user', text: 'And the timeout?' },
  { type: 'model', response: [] },
];

let llama: Llama;
beforeAll(async () => {
  llama = await getLlama({ gpu: false });
});
afterAll(async () => {
  await llama.dispose();
});

async function wrapperOf(path: string) {
  const facts = await checkGgufFile(path);
  const model = await llama.loadModel({ modelPath: path });
  return { model, facts, wrapper: chatWrapperFor(model, facts.hasChatTemplate) };
}

describe('the prompt format each chat model gets', () => {
  it.each(['stories260K.gguf', 'llama-2-tiny-random.gguf'])(
    'gives the template-less toy %s the plain format',
    async (file) => {
      const { model, facts, wrapper } = await wrapperOf(join(TOY_MODELS, file));
      try {
        expect(facts.hasChatTemplate).toBe(false);
        expect(wrapper.wrapperName).toBe('General');
      } finally {
        await model.dispose();
      }
    },
  );

  it.skipIf(!evalModels.chat)("renders SmolLM2's turns exactly as the GGUF's own template does", async () => {
    const { model, facts, wrapper } = await wrapperOf(evalModels.chat!);
    try {
      expect(facts.hasChatTemplate).toBe(true);
      expect(wrapper.wrapperName).toBe('ChatML');
      const template = (model.fileInfo.metadata.tokenizer as { chat_template: string }).chat_template;
      const own = new JinjaTemplateChatWrapper({ template });
      // node-llama-cpp writes the BOS token itself; the template leaves it to the tokenizer.
      const render = (w: typeof wrapper) =>
        w.generateContextState({ chatHistory: HISTORY }).contextText.toString().replace(/^BOS/, '');
      expect(render(wrapper)).toBe(render(own));
    } finally {
      await model.dispose();
    }
  });

  it.skipIf(!evalModels.gemma)('gives template-less Gemma base the plain format (measured better than its turn markers)', async () => {
    const { model, facts, wrapper } = await wrapperOf(evalModels.gemma!);
    try {
      expect(facts.hasChatTemplate).toBe(false);
      expect(wrapper.wrapperName).toBe('General');
    } finally {
      await model.dispose();
    }
  });
});
