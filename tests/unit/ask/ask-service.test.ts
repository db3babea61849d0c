import { describe, expect, it } from 'vitest';
import { createAskService } from '../../../src/core/ask/ask-service';
import type { RetrievedChunk } from '../../../src/core/ask/seams';

const CHUNK: RetrievedChunk = {
  id: 'a#0',
  path: '/docs/wing.pdf',
  page: 2,
  pageKind: 'page',
  lineStart: 1,
  lineEnd: 3,
  headingPath: [],
  text: 'The swept wing stalled at fourteen degrees.',
  scores: { lexical: 3, lexicalRank: 1, vector: null, vectorRank: null, fused: 0.016 },
};

function service(opened: string[]) {
  const emitted: string[] = [];
  const ask = createAskService({
    events: { emit: (name: string) => emitted.push(name) } as never,
    retriever: async () => ({
      search: async () => [CHUNK],
      documentChunks: async () => [CHUNK],
      sampleChunks: async () => [CHUNK],
    }),
    generator: async () => ({
      contextSize: 2048,
      countTokens: (t: string) => Math.ceil(t.length / 4),
      generate: async (o) => (o.onToken?.('It stalls [1].'), 'It stalls [1].'),
    }),
    openFile: async (path) => void opened.push(path),
  });
  return { ask, emitted };
}

describe('the ask service', () => {
  it('streams events for an answer and hands out the finished answer', async () => {
    const { ask, emitted } = service([]);
    const { answerId } = await ask.ask(
      {
        question: 'swept wing stall',
        conversation: [],
        scope: { collections: [], folders: [], files: [] },
        mode: 'auto',
      },
      { door: 'cli' },
    );
    const answer = await ask.result({ answerId }, { door: 'cli' });
    expect(answer).toMatchObject({ outcome: 'answered', text: 'It stalls [1].', cited: [1] });
    expect(emitted).toEqual(expect.arrayContaining(['ask.sources', 'ask.token', 'ask.done']));
  });

  it('opens only files an answer cited, and only in the app', async () => {
    const opened: string[] = [];
    const { ask } = service(opened);
    const { answerId } = await ask.ask(
      {
        question: 'swept wing stall',
        conversation: [],
        scope: { collections: [], folders: [], files: [] },
        mode: 'auto',
      },
      { door: 'ipc' },
    );
    await ask.result({ answerId }, { door: 'ipc' });
    await expect(ask.openSource({ answerId, n: 1 }, { door: 'socket' })).resolves.toMatchObject({ opened: false });
    await expect(ask.openSource({ answerId, n: 7 }, { door: 'ipc' })).resolves.toMatchObject({ opened: false });
    await expect(ask.openSource({ answerId, n: 1 }, { door: 'ipc' })).resolves.toEqual({ opened: true, reason: null });
    expect(opened).toEqual(['/docs/wing.pdf']);
  });

  it('carries the id the client chose on every event of the answer, and refuses that id twice', async () => {
    const seen: { name: string; answerId: unknown }[] = [];
    const ask = createAskService({
      events: {
        emit: (name: string, payload: { answerId?: unknown }) => seen.push({ name, answerId: payload.answerId }),
      } as never,
      retriever: async () => ({
        search: async () => [CHUNK],
        documentChunks: async () => [CHUNK],
        sampleChunks: async () => [CHUNK],
      }),
      generator: async () => ({
        contextSize: 2048,
        countTokens: (t: string) => Math.ceil(t.length / 4),
        generate: async (o) => (o.onToken?.('It stalls [1].'), 'It stalls [1].'),
      }),
    });
    const input = {
      question: 'swept wing stall',
      conversation: [],
      scope: { collections: [], folders: [], files: [] },
      mode: 'auto' as const,
      answerId: 'chosen-by-the-client',
    };
    await expect(ask.ask(input, { door: 'cli' })).resolves.toEqual({ answerId: 'chosen-by-the-client' });
    await ask.result({ answerId: 'chosen-by-the-client' }, { door: 'cli' });
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.every((e) => e.answerId === 'chosen-by-the-client')).toBe(true);
    await expect(ask.ask(input, { door: 'cli' })).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringMatching(/an answer with id chosen-by-the-client exists/) as unknown,
    });
  });
});
