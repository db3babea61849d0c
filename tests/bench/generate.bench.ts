import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { GeneralChatWrapper, getLlama, LlamaChatSession, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { openLocalAi } from '../integration/chat/local-ai-fixture';

/**
 * `npm run bench:generate`: tokens per second and time to first token of Hearth's chat path
 * (chat.send: conversation saved, tokens emitted as events, generation through ChatGenerator)
 * from the call to the first token event, and from the first to the last token
 * against bare node-llama-cpp (LlamaChatSession.prompt) on the same model, prompts, context
 * size, thread count and greedy sampling, in the same process. Rounds alternate between the
 * two so that load from other processes hits both alike; medians are reported.
 * Targets: Hearth within 3% of bare for tokens/s, first token within 1.5x.
 */

const MODELS = ['stories260K.gguf', 'llama-2-tiny-random.gguf'];
const ROUNDS = Number(process.env.GENERATE_BENCH_ROUNDS ?? 15);
const MAX_TOKENS = 256;
const THREADS = 1;
const CONTEXT = 2048;
const SYSTEM = 'You are Hearth, a helpful assistant running privately on this computer.';
const TOPICS = [
  'a cat',
  'a red ball',
  'the sea',
  'a small dog',
  'a big tree',
  'a birthday',
  'the moon',
  'a lost toy',
  'rain',
  'a boat',
];

interface Run {
  firstTokenMs: number;
  tokensPerSecond: number;
  tokens: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function summarise(runs: Run[]) {
  return {
    tokensPerSecond: Math.round(median(runs.map((r) => r.tokensPerSecond)) * 10) / 10,
    firstTokenMs: Math.round(median(runs.map((r) => r.firstTokenMs)) * 10) / 10,
    tokens: median(runs.map((r) => r.tokens)),
  };
}

describe('generate: Hearth chat path vs bare node-llama-cpp', () => {
  let llama: Llama;
  const results: Record<string, Record<'hearth' | 'bare' | 'bareAgain', ReturnType<typeof summarise>>> = {};

  beforeAll(async () => {
    llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
  });
  afterAll(async () => {
    await llama.dispose();
    await mkdir('bench-results', { recursive: true });
    await writeFile(
      'bench-results/generate.json',
      JSON.stringify(
        { at: new Date().toISOString(), rounds: ROUNDS, maxTokens: MAX_TOKENS, threads: THREADS, results },
        null,
        2,
      ),
    );
  });

  for (const file of MODELS) {
    it(`${file}: tokens/s and time to first token`, async () => {
      const path = resolve('../shared/models', file);
      // Hearth: the real chat service on a temp data folder.
      const env = await openLocalAi({
        models: { threads: THREADS },
        chat: { systemPrompt: SYSTEM, temperature: 0, topP: 1, maxTokens: MAX_TOKENS },
      });
      await env.ai.models.import(path, 'chat');
      await env.settings.update({ models: { chatModel: file } });
      await env.ai.slots.load('chat', file, { maxContextSize: CONTEXT });
      await env.ai.chat.generator();

      // Bare: the same model file, context size, threads and sampling, through node-llama-cpp alone.
      const model = await llama.loadModel({ modelPath: path });
      const context = await model.createContext({ contextSize: { max: CONTEXT }, threads: THREADS });
      const sequence = context.getSequence();
      const hasTemplate =
        typeof (model.fileInfo.metadata as { tokenizer?: { chat_template?: unknown } }).tokenizer?.chat_template ===
        'string';

      // A second bare context on the same model: bare vs bare shows how much of any gap is noise.
      const contextB = await model.createContext({ contextSize: { max: CONTEXT }, threads: THREADS });
      const sequenceB = contextB.getSequence();
      const bareRun = async (prompt: string, seq = sequence): Promise<Run> => {
        const session = new LlamaChatSession({
          contextSequence: seq,
          systemPrompt: SYSTEM,
          autoDisposeSequence: false,
          ...(hasTemplate ? {} : { chatWrapper: new GeneralChatWrapper() }),
        });
        let first = 0;
        let last = 0;
        let count = 0;
        const start = performance.now();
        await session.prompt(prompt, {
          maxTokens: MAX_TOKENS,
          temperature: 0,
          topP: 1,
          onTextChunk: () => {
            last = performance.now();
            if (count++ === 0) first = last;
          },
        });
        session.dispose({ disposeSequence: false });
        return { firstTokenMs: first - start, tokensPerSecond: ((count - 1) * 1000) / (last - first), tokens: count };
      };

      const hearthRun = async (prompt: string): Promise<Run> => {
        let first = 0;
        let last = 0;
        let count = 0;
        const off = env.events.on('chat.token', () => {
          last = performance.now();
          if (count++ === 0) first = last;
        });
        const start = performance.now();
        const started = await env.ai.chat.send({ conversationId: null, text: prompt });
        await env.ai.chat.settled(started.conversationId);
        off();
        return { firstTokenMs: first - start, tokensPerSecond: ((count - 1) * 1000) / (last - first), tokens: count };
      };

      // Warm both (first evaluation pays one-time costs).
      await bareRun('Hello');
      await hearthRun('Hello');
      const hearth: Run[] = [];
      const bare: Run[] = [];
      const bareB: Run[] = [];
      await bareRun('Hello', sequenceB);
      for (let round = 0; round < ROUNDS; round++) {
        const prompt = `Tell me a story about ${TOPICS[round % TOPICS.length]}.`;
        // Alternate who goes first, so drift in machine load does not favour either.
        if (round % 2 === 0) {
          bare.push(await bareRun(prompt));
          hearth.push(await hearthRun(prompt));
          bareB.push(await bareRun(prompt, sequenceB));
        } else {
          bareB.push(await bareRun(prompt, sequenceB));
          hearth.push(await hearthRun(prompt));
          bare.push(await bareRun(prompt));
        }
      }
      await context.dispose();
      await contextB.dispose();
      await model.dispose();
      await env.close();

      const h = summarise(hearth);
      const b = summarise(bare);
      const b2 = summarise(bareB);
      results[file] = { hearth: h, bare: b, bareAgain: b2 };
      const ratio = h.tokensPerSecond / b.tokensPerSecond;
      const ttft = h.firstTokenMs / b.firstTokenMs;
      console.table({
        [`${file} bare`]: b,
        [`${file} hearth`]: h,
        [`${file} bare again (noise gauge)`]: b2,
      });
      console.log(
        `${file}: Hearth at ${(ratio * 100).toFixed(1)}% of bare tokens/s (target >= 97%), ` +
          `first token ${ttft.toFixed(2)}x bare (target <= 1.5x); ` +
          `bare vs bare: ${((100 * b2.tokensPerSecond) / b.tokensPerSecond).toFixed(1)}% tokens/s, ${(b2.firstTokenMs / b.firstTokenMs).toFixed(2)}x first token`,
      );
    });
  }
});
