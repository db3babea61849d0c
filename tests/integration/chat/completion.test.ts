import { join } from 'node:path';
import { getLlama, type Llama, type LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatorFromChat } from '../../../src/core/ask/chat-generator-adapter';
import { ChatGenerator } from '../../../src/core/chat/chat-generator';

const STORIES = join(__dirname, '../../../../shared/models/stories260K.gguf');

let llama: Llama;
let model: LlamaModel;
let chat: ChatGenerator;
beforeAll(async () => {
  llama = await getLlama({ gpu: false });
  model = await llama.loadModel({ modelPath: STORIES });
  chat = await ChatGenerator.create(
    { role: 'chat', file: 'stories260K.gguf', path: STORIES, model, threads: 1, contextSize: 512 },
    { hasChatTemplate: false },
  );
});
afterAll(async () => {
  await chat.dispose();
  await model.dispose();
  await llama.dispose();
});

const STORY = 'Once upon a time, there was a little girl named Lily.';

describe('plain-text completion for a base model', () => {
  it('continues the text as it is and stops before the stop string', async () => {
    const pieces: string[] = [];
    const whole = await chat.complete({ text: STORY, maxTokens: 48, temperature: 0, onToken: (t) => pieces.push(t) });
    expect(whole.text.length).toBeGreaterThan(0);
    expect(pieces.join('')).toBe(whole.text);
    const cut = whole.text.indexOf('.');
    expect(cut).toBeGreaterThan(0);

    const stopped = await chat.complete({ text: STORY, maxTokens: 48, temperature: 0, stopAt: ['.'] });
    expect(stopped.text).toBe(whole.text.slice(0, cut));
    expect(stopped.stopReason).toBe('end');
  });

  it('shares the sequence with chat turns: a chat answer in between changes nothing', async () => {
    const before = await chat.complete({ text: STORY, maxTokens: 24, temperature: 0 });
    const turn = await chat.generate({ prompt: 'Tell me a story.', maxTokens: 24, temperature: 0 });
    expect(turn.text.length).toBeGreaterThan(0);
    const after = await chat.complete({ text: STORY, maxTokens: 24, temperature: 0 });
    expect(after.text).toBe(before.text);
  });

  it('is the ask path of a model without a chat template', async () => {
    const generator = await generatorFromChat({ generator: () => Promise.resolve(chat) });
    expect(generator.style).toBe('completion');
    const text = await generator.generate({ system: '', prompt: STORY, maxTokens: 48, stopAt: ['\n'] });
    expect(text).not.toContain('\n');
  });

  it('refuses after dispose with a named error', async () => {
    const other = await ChatGenerator.create(
      { role: 'chat', file: 'stories260K.gguf', path: STORIES, model, threads: 1, contextSize: 256 },
      { hasChatTemplate: false },
    );
    await other.dispose();
    await expect(other.complete({ text: STORY })).rejects.toThrow(/chat model/i);
  });
});
