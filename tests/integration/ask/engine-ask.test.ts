import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/core';
import type { AskAnswer } from '../../../src/shared/contract/ask';
import { tempDir } from '../../helpers/temp-dir';
import { makePdf } from '../../fixtures/library/generate';

const STORIES = resolve('../shared/models/stories260K.gguf');

/** A two-page PDF whose second page holds the fact the test asks about. */
async function writePdf(path: string): Promise<void> {
  await writeFile(
    path,
    await makePdf([
      'Wind tunnel report\nThis report describes the test campaign.',
      'Results\nThe swept wing stalled at fourteen degrees angle of attack.\nTip stall began before root stall.',
    ]),
  );
}

describe('ask through the engine (real library, real chat model)', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let engine: Engine;
  const cli = { door: 'cli' as const };

  beforeAll(async () => {
    home = await tempDir('hearth-ask-engine-');
    const docs = join(home.path, 'docs');
    await mkdir(docs);
    await writePdf(join(docs, 'wing-report.pdf'));
    await writeFile(join(docs, 'kitchen.md'), '# Kitchen\n\nThe oven needs a new door seal.\n');
    engine = await createEngine({ dataDir: join(home.path, 'data') });
    const model = (await engine.dispatch('models.import', { path: STORIES, role: 'chat' }, cli)) as { file: string };
    await engine.dispatch(
      'settings.update',
      { models: { chatModel: model.file, threads: 1 }, chat: { maxTokens: 48 } },
      cli,
    );
    await engine.dispatch('library.addSource', { collection: 'research', path: docs }, cli);
    await (await engine.library.get()).whenIdle();
  }, 120_000);
  afterAll(async () => {
    await engine?.dispose();
    await home?.cleanup();
  });

  async function ask(question: string): Promise<{ answer: AskAnswer; tokens: string[]; sourcesEvent: boolean }> {
    const tokens: string[] = [];
    let sourcesEvent = false;
    const offToken = engine.events.on('ask.token', ({ text }) => tokens.push(text));
    const offSources = engine.events.on('ask.sources', () => (sourcesEvent = true));
    try {
      const { answerId } = (await engine.dispatch('ask.ask', { question }, cli)) as { answerId: string };
      const answer = (await engine.dispatch('ask.result', { answerId }, cli)) as AskAnswer;
      return { answer, tokens, sourcesEvent };
    } finally {
      offToken();
      offSources();
    }
  }

  it('streams an answer whose sources point at the PDF page that holds the fact', async () => {
    const { answer, tokens, sourcesEvent } = await ask('At what angle of attack did the swept wing stall?');
    expect(answer.outcome).toBe('answered');
    expect(tokens.length).toBeGreaterThan(0);
    expect(sourcesEvent).toBe(true);
    const source = answer.sources.find((s) => s.path.endsWith('wing-report.pdf'));
    expect(source).toMatchObject({ page: 2 });
    expect(source!.snippet).toMatch(/fourteen degrees/);
  });

  it('answers honestly "not found" when nothing in the library is relevant', async () => {
    const { answer, tokens } = await ask('Who won the football championship in 1998?');
    expect(answer.outcome).toBe('not-found');
    expect(answer.text).toMatch(/could not find anything/);
    expect(tokens).toEqual([]);
  });

  it('reports recall@5 of the library self-test', async () => {
    const report = (await engine.dispatch('ask.selfTest', { samples: 5 }, cli)) as {
      samples: number;
      recallAt5: number;
    };
    expect(report.samples).toBeGreaterThan(0);
    expect(report.recallAt5).toBeGreaterThan(0);
  });

  it('keeps finished asks with their sources and quote, and reopens them after a restart', async () => {
    const { answer } = await ask('At what angle of attack did the swept wing stall?');
    // The toy model writes stories, never the fact: the file's own sentence is quoted beside it.
    expect(answer.quote).toMatchObject({ text: expect.stringMatching(/stalled at fourteen degrees/) });
    await engine.dispose();
    engine = await createEngine({ dataDir: join(home.path, 'data') });
    const history = (await engine.dispatch('ask.history', {}, cli)) as { answerId: string; question: string }[];
    expect(history[0]).toMatchObject({ answerId: answer.answerId, question: answer.question });
    expect(history.some((h) => h.question.startsWith('Who won'))).toBe(true);
    const reopened = (await engine.dispatch('ask.result', { answerId: answer.answerId }, cli)) as AskAnswer;
    expect(reopened).toEqual(answer);
    const open = (await engine.dispatch('ask.openSource', { answerId: answer.answerId, n: 1 }, { door: 'socket' })) as {
      reason: string;
    };
    expect(open.reason).toMatch(/only in the Hearth app/);
    await engine.dispatch('ask.forget', { answerId: answer.answerId }, cli);
    await expect(engine.dispatch('ask.result', { answerId: answer.answerId }, cli)).rejects.toThrow(/removed/);
  });
});
