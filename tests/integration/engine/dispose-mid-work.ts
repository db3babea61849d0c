/**
 * Run in a child process by dispose.test.ts: `tsx dispose-mid-work.ts <answer|index|job> <dataDir> <model>`.
 * Creates an engine, starts the work, disposes the engine while the work runs, and then does
 * nothing more: the process must exit on its own, which it can only do if the engine closed
 * every handle it opened (model contexts, worker threads, reader processes, LanceDB, timers).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// vitest and electron-vite define this at build time; tsx runs the sources as they are.
(globalThis as { __HEARTH_VERSION__?: string }).__HEARTH_VERSION__ = '0.0.0-test';
const { createEngine } = await import('../../../src/core');

const [mode, dataDir, model] = process.argv.slice(2);
if (!mode || !dataDir || !model) throw new Error('usage: dispose-mid-work.ts <answer|index|job> <dataDir> <model>');
const cli = { door: 'cli' as const };

/** Resolves with the first event of `name` whose payload passes `test`. */
function first<T>(
  engine: { events: { on(name: never, f: (p: T) => void): () => void } },
  name: string,
  test: (p: T) => boolean,
) {
  return new Promise<T>((resolve) => {
    const off = engine.events.on(name as never, (payload: T) => {
      if (!test(payload)) return;
      off();
      resolve(payload);
    });
  });
}

const docs = join(dataDir, '..', 'docs');
await mkdir(docs, { recursive: true });
const engine = await createEngine({ dataDir });
await engine.dispatch('settings.update', { models: { threads: 1 }, chat: { maxTokens: 4096 } }, cli);

if (mode === 'answer') {
  await writeFile(
    join(docs, 'tale.md'),
    '# The tale\n\nOnce upon a time a little dog found a red ball in the garden.\n',
  );
  const chat = (await engine.dispatch('models.import', { path: model, role: 'chat' }, cli)) as { file: string };
  await engine.dispatch('settings.update', { models: { chatModel: chat.file } }, cli);
  await engine.dispatch('library.addSource', { collection: 'tales', path: docs }, cli);
  await (await engine.library.get()).whenIdle();
  const done = first<{ outcome: string }>(engine, 'ask.done', () => true);
  const token = first<unknown>(engine, 'ask.token', () => true);
  await engine.dispatch('ask.ask', { question: 'Tell me the tale of the little dog and the red ball.' }, cli);
  await token;
  console.log('disposing');
  await engine.dispose();
  console.log(JSON.stringify({ disposed: true, outcome: (await done).outcome }));
} else if (mode === 'index') {
  // A few files (few reader starts) with enough text that embedding them with one thread
  // takes far longer than it takes to reach the embedding phase.
  const paragraph = 'The little dog ran after the red ball across the green garden and back again.\n\n';
  for (let i = 0; i < 4; i++) await writeFile(join(docs, `note-${i}.md`), `# Note ${i}\n\n${paragraph.repeat(150)}`);
  const embed = (await engine.dispatch('models.import', { path: model, role: 'embedding' }, cli)) as { file: string };
  await engine.dispatch('settings.update', { models: { embeddingModel: embed.file } }, cli);
  const library = await engine.library.get();
  const embedding = first<{ phase: string }>(engine, 'library.progress', (p) => p.phase === 'embedding');
  await engine.dispatch('library.addSource', { collection: 'notes', path: docs }, cli);
  await embedding;
  const pending = library.pendingWork;
  console.log('disposing');
  await engine.dispose();
  console.log(JSON.stringify({ disposed: true, pending }));
} else if (mode === 'job') {
  // Two engines in this process on 127.0.0.1: a provider serving the model and a requester whose
  // job streams from it. Both are disposed while tokens flow (the provider's worker process, the
  // job and settle streams, libp2p's sockets and timers must all close).
  await engine.dispose();
  const open = async (name: string) => {
    const e = await createEngine({ dataDir: join(dataDir, name) });
    await e.dispatch('settings.update', { models: { threads: 1 }, network: { mdns: false, maxThreads: 1 } }, cli);
    return e;
  };
  const provider = await open('provider');
  const requester = await open('requester');
  const chat = (await provider.dispatch('models.import', { path: model, role: 'chat' }, cli)) as { file: string };
  const listen = ['/ip4/127.0.0.1/tcp/0'];
  const served = (await provider.dispatch('network.start', { listen, models: [chat.file], contribute: true }, cli)) as {
    addresses: string[];
    offeredModels: { sha256: string }[];
  };
  await requester.dispatch('network.start', { listen, bootstrap: served.addresses.slice(0, 1) }, cli);
  const token = first<unknown>(requester, 'network.token', () => true);
  // Gossip takes a moment to carry the provider's first announcement: ask again until a token flows.
  let job: Promise<string> = Promise.resolve('not started');
  let streaming = false;
  for (let attempt = 0; attempt < 20 && !streaming; attempt++) {
    job = requester
      .dispatch(
        'network.generate',
        {
          jobId: `mid-job-${attempt}`,
          model: served.offeredModels[0]!.sha256,
          prompt: 'Once upon a time',
          maxTokens: 4096,
        },
        cli,
      )
      .then(
        () => 'finished',
        (error: unknown) => `failed: ${(error as Error).name}`,
      );
    streaming = (await Promise.race([token.then(() => 'streaming'), job])) === 'streaming';
    if (!streaming) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  console.log('disposing');
  await requester.dispose();
  await provider.dispose();
  console.log(JSON.stringify({ disposed: true, streaming, job: await job }));
} else {
  throw new Error(`unknown mode ${mode}`);
}

// Not a handle: if something is still open after a while, say what, so a failure is readable.
setTimeout(() => console.error('still open:', JSON.stringify(process.getActiveResourcesInfo())), 20_000).unref();
