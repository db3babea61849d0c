import { afterEach, describe, expect, it } from 'vitest';
import { LocalApiServer } from '../../../src/core/doors/local-api';
import type { ChatService } from '../../../src/core/chat/chat-service';
import { EventBus } from '../../../src/core/events';
import type { Logger } from '../../../src/core/log';
import type { ModelSlots, ModelStore } from '../../../src/core/models';
import type { SecretStore } from '../../../src/core/secrets';
import type { Settings } from '../../../src/shared/settings';

const KEY = 'hearth-test-key';

/**
 * The local API over real HTTP with a chat model that fails after its first token: the only
 * way to fail once the stream's headers are out, which a real toy model never does on cue.
 */
function serverWithFailingModel(): LocalApiServer {
  const settings = {
    get: () =>
      ({
        api: { enabled: true, port: 0 },
        models: { chatModel: 'toy.gguf', embeddingModel: null },
        chat: { maxTokens: 16 },
      }) as unknown as Settings,
  };
  const chat = {
    generator: () => Promise.resolve({ contextSize: 512, countTokens: (text: string) => text.length }),
    generate: ({ onToken }: { onToken?: (text: string) => void }) => {
      onToken?.('Once');
      return Promise.reject(new Error('The chat model ran out of memory.'));
    },
  } as unknown as ChatService;
  const quiet = () => undefined;
  return new LocalApiServer({
    chat,
    slots: {} as ModelSlots,
    store: { list: () => Promise.resolve([{ file: 'toy.gguf', role: 'chat' }]) } as unknown as ModelStore,
    settings,
    events: new EventBus(),
    log: { info: quiet, warn: quiet, error: quiet, debug: quiet } as unknown as Logger,
    secrets: { get: () => Promise.resolve(Buffer.from(KEY)), set: () => Promise.resolve() } as unknown as SecretStore,
  });
}

describe('the local API when a stream fails after its headers', () => {
  let server: LocalApiServer | undefined;
  afterEach(async () => server?.dispose());

  it('sends the failure as an SSE error event and ends the stream', async () => {
    server = serverWithFailingModel();
    await server.sync();
    const { baseUrl } = await server.info();
    const response = await fetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(response.status).toBe(200);
    const events = (await response.text()).trim().split('\n\n');
    expect(events[0]).toContain('"content":"Once"');
    expect(events.at(-1)).toBe(
      `data: ${JSON.stringify({ error: { message: 'The chat model ran out of memory.', type: 'server_error', param: null, code: null } })}`,
    );
    expect(events).not.toContain('data: [DONE]');
  });
});
