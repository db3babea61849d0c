import { generateKeyPair } from '@libp2p/crypto/keys';
import { pino } from 'pino';
import { HearthNetwork } from '../../../src/core/network';

/** A requester node inside the test process, joined through `bootstrap`. */
export async function startInProcessNode(bootstrap: string[]): Promise<HearthNetwork> {
  return HearthNetwork.start({
    privateKey: await generateKeyPair('Ed25519'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap,
    mdns: false,
    relayServer: false,
    dhtServer: true,
    lan: true,
    log: pino({ level: 'silent' }),
    onChange: () => undefined,
  });
}

export const STORIES = {
  path: new URL('../../../../shared/models/stories260K.gguf', import.meta.url).pathname,
  sha256: '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d',
};
export const TINY_RANDOM = {
  path: new URL('../../../../shared/models/llama-2-tiny-random.gguf', import.meta.url).pathname,
  sha256: '81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb',
};

/** A job request as a requester writes it: greedy, free, 8 tokens of "Once". */
export function inferRequest(jobId: string, model: string, requester: HearthNetwork) {
  return {
    t: 'request' as const,
    jobId,
    model,
    prompt: 'Once',
    maxTokens: 8,
    temperature: 0,
    topP: 1,
    seed: 0,
    price: 0,
    requester: requester.node.peerId.toString(),
  };
}
