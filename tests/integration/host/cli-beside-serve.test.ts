import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRemoteClient, type RemoteClient } from '../../../src/host/client/remote-client';
import { runHearth, serveHearth, type ServingHearth } from '../../helpers/hearth-process';
import { tempDir } from '../../helpers/temp-dir';

const TOY_MODEL = join(import.meta.dirname, '../../../../shared/models/stories260K.gguf');
const TINY_MODEL = join(import.meta.dirname, '../../../../shared/models/llama-2-tiny-random.gguf');
const OWNER_IN_USE = /`hearth serve` \(process \d+, at http:\/\/127\.0\.0\.1:\d+\) is using the data folder /;

/**
 * One data folder, one owner, through the real `hearth` command: a CLI command started beside
 * `hearth serve` on the same folder works through the server (so what it makes shows in the
 * open UI), a second server refuses, a lock left by a killed server is taken over, and without
 * a server the CLI runs its own engine.
 */
describe('the CLI beside a running hearth serve', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let docs: string;
  let serve: ServingHearth;
  let ui: RemoteClient;

  beforeAll(async () => {
    home = await tempDir();
    docs = join(home.path, 'docs');
    await mkdir(join(docs, 'whales'), { recursive: true });
    await mkdir(join(docs, 'birds'), { recursive: true });
    await writeFile(
      join(docs, 'whales', 'whales.md'),
      '# Whales\n\nThe blue whale is the largest animal ever known.\n',
    );
    await writeFile(
      join(docs, 'birds', 'penguins.md'),
      '# Penguins\n\nEmperor penguins breed in the Antarctic winter.\n',
    );
  });
  afterAll(async () => {
    await ui?.close();
    await serve?.stop();
    await home.cleanup();
  });

  it('without a server, runs in-process, and leaves no lock behind', async () => {
    const imported = await runHearth(['models', 'import', TOY_MODEL, '--role', 'chat'], home.path);
    expect(imported).toMatchObject({ code: 0 });
    expect((await runHearth(['models', 'use', 'stories260K.gguf'], home.path)).code).toBe(0);
    const indexed = await runHearth(['index', join(docs, 'whales'), '-c', 'whales', '--json'], home.path);
    expect(indexed.stderr).not.toMatch(/^(error|warning|hearth):/m);
    expect(JSON.parse(indexed.stdout.trim().split('\n').at(-1)!)).toMatchObject({ files: 1, errors: 0 });
    await expect(stat(join(home.path, 'hearth.lock'))).rejects.toThrow(/ENOENT/);
    const status = await runHearth(['network', 'status'], home.path);
    expect(status).toMatchObject({ code: 0 });
    expect(status.stdout).toContain(`No Hearth runs on ${home.path}, so no network node does.`);
  });

  it('a command started beside serve works through it, so the open UI sees what it made', async () => {
    serve = await serveHearth(home.path);
    ui = await connectRemoteClient({ port: Number(new URL(serve.origin).port), token: serve.token });
    await ui.api.settings.update({ models: { threads: 1 } });

    // The lock names the server and its port; the token is only in the 0600 access file.
    const lock = JSON.parse(await readFile(join(home.path, 'hearth.lock'), 'utf8')) as Record<string, unknown>;
    expect(lock).toMatchObject({ pid: serve.process.pid, kind: 'serve', port: Number(new URL(serve.origin).port) });
    expect(JSON.stringify(lock)).not.toContain(serve.token);
    expect((await stat(join(home.path, 'hearth.access'))).mode & 0o777).toBe(0o600);

    const changed: string[] = [];
    const stop = ui.api.library.onChanged(({ collectionId }) => changed.push(collectionId));
    const indexed = await runHearth(['index', join(docs, 'birds'), '-c', 'birds', '--json'], home.path);
    stop();
    expect(indexed.code).toBe(0);
    const birds = (await ui.api.library.collections()).find((c) => c.name === 'birds');
    expect(birds).toMatchObject({ files: 1, state: 'idle' });
    expect(changed).toContain(birds!.id);
    const hits = await ui.api.library.search({ query: 'penguins' });
    expect(hits[0]?.path).toBe(join(docs, 'birds', 'penguins.md'));

    // The server still owns the folder: the CLI did not take its lock or open a second engine.
    expect((JSON.parse(await readFile(join(home.path, 'hearth.lock'), 'utf8')) as { pid: number }).pid).toBe(
      serve.process.pid,
    );

    const found = await runHearth(['search', 'whale', '--json'], home.path);
    expect((JSON.parse(found.stdout) as { path: string }[])[0]?.path).toBe(join(docs, 'whales', 'whales.md'));
  });

  it('a chat made with hearth chat appears in the server, and a failed one leaves no conversation', async () => {
    const before = await ui.api.chat.list();
    const chatted = await runHearth(['chat', 'Once upon a time', '--max-tokens', '8'], home.path);
    expect(chatted.code).toBe(0);
    const id = /\[conversation ([0-9a-f-]+)\]/.exec(chatted.stderr)?.[1];
    const after = await ui.api.chat.list();
    expect(after.map((c) => c.id)).toEqual(expect.arrayContaining([id, ...before.map((c) => c.id)]));
    const conversation = await ui.api.chat.get({ id: id! });
    expect(conversation.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(chatted.stdout.trim()).toBe(conversation.messages[1]!.text.trim());

    // --model takes a path to a GGUF file too: it is imported once, by the server, and answers.
    const byPath = await runHearth(['chat', 'Hello', '--model', TINY_MODEL, '--max-tokens', '4'], home.path);
    expect(byPath.code, byPath.stderr).toBe(0);
    expect(byPath.stderr).toMatch(/Importing llama-2-tiny-random\.gguf into the models folder/);
    expect((await ui.api.models.installed()).map((m) => m.file)).toContain('llama-2-tiny-random.gguf');
    const byPathId = /\[conversation ([0-9a-f-]+)\]/.exec(byPath.stderr)?.[1];
    expect((await ui.api.chat.get({ id: byPathId! })).messages[1]?.model).toBe('llama-2-tiny-random.gguf');
    const listed = await ui.api.chat.list();

    const failed = await runHearth(['chat', 'Hello', '--model', 'missing.gguf'], home.path);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/The model "missing\.gguf" is not installed\. See `hearth models list`\./);
    expect(failed.stderr).not.toMatch(/Models page/);
    expect((await ui.api.chat.list()).length).toBe(listed.length);
  });

  it('ask reports a failure on stderr, and in --json', async () => {
    const plain = await runHearth(['ask', 'Which animal is the largest?', '-c', 'nosuch'], home.path);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/hearth: There is no collection named "nosuch"/);
    expect(plain.stdout).not.toMatch(/nosuch/);
    const json = await runHearth(['ask', 'Which animal is the largest?', '-c', 'nosuch', '--json'], home.path);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      outcome: 'failed',
      error: { message: expect.stringMatching(/no collection named "nosuch"/) as unknown },
    });
  });

  it('network status asks the server and starts no node of its own', async () => {
    const status = await runHearth(['network', 'status', '--json'], home.path);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: false, peerId: null });
    expect((await ui.api.network.status()).running).toBe(false);
    const words = await runHearth(['network', 'status'], home.path);
    expect(words.stdout).toMatch(/runs no network node\. Start one there/);
  });

  it('hearth settings changes what the open UI sees, and refuses bad values in words', async () => {
    const set = await runHearth(['settings', 'set', 'chat.temperature', '0.4'], home.path);
    expect(set).toMatchObject({ code: 0, stdout: 'chat.temperature = 0.4\n' });
    expect((await ui.api.settings.get()).chat.temperature).toBe(0.4);

    const tooHot = await runHearth(['settings', 'set', 'chat.temperature', '5'], home.path);
    expect(tooHot.code).toBe(1);
    expect(tooHot.stderr).toBe('hearth: chat.temperature must be between 0 and 2; 5 is not.\n');
    const theme = await runHearth(['settings', 'set', 'appearance.theme', 'blue'], home.path);
    expect(theme.stderr).toBe('hearth: appearance.theme is one of system, light, dark; "blue" is not.\n');
    // The engine's door words these (the CLI only turns the typed text into a number first).
    const address = await runHearth(['settings', 'set', 'chain.escrowAddress', '0x12'], home.path);
    expect(address.stderr).toBe(
      'hearth: chain.escrowAddress must be an address: 0x and 40 hex digits; "0x12" is not.\n',
    );
    const half = await runHearth(['settings', 'set', 'library.chunkTokens', '100.5'], home.path);
    expect(half).toMatchObject({ code: 1, stderr: 'hearth: library.chunkTokens must be a whole number.\n' });
    const unknown = await runHearth(['settings', 'get', 'chat.colour'], home.path);
    expect(unknown.stderr).toMatch(/There is no setting "chat\.colour"\. See the keys with `hearth settings`\./);
    expect((await ui.api.settings.get()).chat.temperature).toBe(0.4);

    // A half-filled chain names the commands that fix it, not the app's Settings page.
    expect((await runHearth(['settings', 'set', 'chain.rpcUrl', 'http://127.0.0.1:9'], home.path)).code).toBe(0);
    const wallet = await runHearth(['wallet', 'status'], home.path);
    expect(wallet.code).toBe(1);
    expect(wallet.stderr).toMatch(
      /^hearth: The chain settings are incomplete\. Set all four with `hearth settings set/,
    );
    expect(wallet.stderr).not.toMatch(/Settings →/);
    expect((await runHearth(['settings', 'set', 'chain.rpcUrl', ''], home.path)).code).toBe(0);
    expect((await ui.api.settings.get()).chain.rpcUrl).toBe('');
  });

  it('refuses what cannot go through the server, naming it and what to do', async () => {
    const second = await runHearth(['serve'], home.path);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(OWNER_IN_USE);
    expect(second.stderr).toMatch(/Stop it first \(Ctrl\+C in its terminal\), or give this one a folder of its own/);
    const ownModel = await runHearth(['index', docs, '--embed-model', TOY_MODEL], home.path);
    expect(ownModel.code).toBe(1);
    expect(ownModel.stderr).toMatch(OWNER_IN_USE);
    expect(ownModel.stderr).toMatch(/run this again without --embed-model/);
    // The refusals changed nothing: the server still answers and still owns the folder.
    expect((await ui.api.app.info()).dataDir).toBe(home.path);
  });

  it('takes over the lock of a server that was killed, and a new server starts', async () => {
    await ui.close();
    const killed = new Promise((resolve) => serve.process.once('exit', resolve));
    serve.process.kill('SIGKILL');
    await killed;
    // The killed server could not remove its lock.
    await stat(join(home.path, 'hearth.lock'));
    const search = await runHearth(['search', 'penguins', '--json'], home.path);
    expect(search.code).toBe(0);
    expect((JSON.parse(search.stdout) as { path: string }[])[0]?.path).toBe(join(docs, 'birds', 'penguins.md'));
    await expect(stat(join(home.path, 'hearth.lock'))).rejects.toThrow(/ENOENT/);

    serve = await serveHearth(home.path);
    ui = await connectRemoteClient({ port: Number(new URL(serve.origin).port), token: serve.token });
    expect((await ui.api.library.collections()).map((c) => c.name).sort()).toEqual(['birds', 'whales']);
  });
});
