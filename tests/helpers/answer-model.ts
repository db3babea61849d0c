import { basename } from 'node:path';
import type { Llama, LlamaModel } from 'node-llama-cpp';
import { generatorFromChat } from '../../src/core/ask/chat-generator-adapter';
import type { Generator } from '../../src/core/ask/seams';
import { ChatGenerator } from '../../src/core/chat/chat-generator';
import { checkGgufFile } from '../../src/core/models/gguf-check';

/** The answer model as the app runs it: the chat capability's ChatGenerator behind the ask adapter. */
export interface AnswerModel {
  /** The ask pipeline's Generator seam, exactly as `AskService` gets it from chat. */
  generator: Generator;
  /** Closes the context, and the model too when `answerModel` loaded it. */
  dispose(): Promise<void>;
}

export interface AnswerModelOptions {
  /** The GGUF file; its chat template (or its absence) picks the prompt format. */
  modelPath: string;
  /** Context size in tokens. Default 1024. */
  contextSize?: number;
  /** Default 1: the toy models answer at once, and more threads only contend on a small machine. */
  threads?: number;
}

/**
 * Builds the production answer path on a model file: pass a loaded `model` to share it (the
 * caller disposes it), or `llama` to load one that `dispose` unloads.
 */
export async function answerModel(
  source: { model: LlamaModel } | { llama: Llama },
  options: AnswerModelOptions,
): Promise<AnswerModel> {
  const { modelPath } = options;
  const owned = 'llama' in source ? await source.llama.loadModel({ modelPath }) : null;
  const model = 'model' in source ? source.model : owned!;
  try {
    const chat = await ChatGenerator.create(
      {
        role: 'chat',
        file: basename(modelPath),
        path: modelPath,
        model,
        threads: options.threads ?? 1,
        contextSize: options.contextSize ?? 1024,
      },
      { hasChatTemplate: (await checkGgufFile(modelPath)).hasChatTemplate },
    );
    const generator = await generatorFromChat({ generator: () => Promise.resolve(chat) });
    return {
      generator,
      dispose: async () => {
        await chat.dispose();
        await owned?.dispose();
      },
    };
  } catch (error) {
    await owned?.dispose();
    throw error;
  }
}
