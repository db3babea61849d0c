import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runHearth } from '../../helpers/hearth-process';
import { startInProcessNode, STORIES } from './in-process-node';
import { startedNodes, startNodeProcess } from './network-node-process';

afterAll(async () => {
  await Promise.all([...startedNodes].map((n) => n.kill('SIGKILL')));
});

/**
 * A contributing node whose owner has an indexed library and a chat, both holding a unique
 * marker, serves a run of jobs while every plaintext byte it sends (before noise encryption) is
 * recorded. Neither the marker nor any path of the owner's files may appear in those bytes.
 */
it('a contributing node never sends the owner’s library, chats or file paths', async () => {
  const marker = `HEARTH-PRIVATE-${randomBytes(8).toString('hex')}`;
  const home = await mkdtemp(join(tmpdir(), 'hearth-private-home-'));
  const docs = await mkdtemp(join(tmpdir(), `hearth-private-docs-${marker}-`));
  const docFile = join(docs, `diary-${marker}.txt`);
  await writeFile(docFile, `Dear diary, the secret is ${marker}. Once upon a time there was a cat.\n`.repeat(20));
  const indexed = await runHearth(['index', docs, '--json'], home, 120_000);
  expect(indexed.code, indexed.stderr).toBe(0);
  expect(JSON.parse(indexed.stdout.trim().split('\n').at(-1)!)).toMatchObject({ files: 1 });
  await mkdir(join(home, 'chats'), { recursive: true });
  await writeFile(join(home, 'chats', 'chat-1.json'), JSON.stringify({ messages: [{ role: 'user', text: marker }] }));

  const recording = join(await mkdtemp(join(tmpdir(), 'hearth-sent-')), 'sent.bin');
  const bootstrapNode = await startNodeProcess({ args: ['--listen', '/ip4/127.0.0.1/tcp/0', '--dht-server'] });
  const provider = await startNodeProcess({
    home,
    args: ['--listen', '/ip4/127.0.0.1/tcp/0', '--bootstrap', bootstrapNode.status().addresses[0]!, '--model', STORIES.path],
    settings: { network: { contribute: true, maxThreads: 1, mdns: false } },
    env: { HEARTH_NETWORK_RECORD_SENT: recording },
  });
  const requester = await startInProcessNode([bootstrapNode.status().addresses[0]!]);
  const streamed: string[] = [];
  try {
    // Three jobs: this requester never pays, and a provider serves at most 3 unpaid jobs (issue 15).
    for (const prompt of ['Once upon a time', 'The cat', 'A dog ran']) {
      const result = await requester.requester.generate(
        { model: STORIES.sha256, prompt, maxTokens: 64 },
        { discoveryMs: 60_000, onToken: (text) => streamed.push(text) },
      );
      expect(result.peerId).toBe(provider.status().peerId);
    }
  } finally {
    await requester.stop();
    await provider.kill();
    await bootstrapNode.kill();
  }

  const sent = await readFile(recording);
  const text = sent.toString('latin1');
  // The recording is real plaintext: every token message the node streamed is in it.
  expect(sent.byteLength).toBeGreaterThan(1000);
  const longPieces = streamed.filter((piece) => piece.length >= 4);
  expect(longPieces.length).toBeGreaterThan(5);
  for (const piece of longPieces) expect(text).toContain(Buffer.from(piece).toString('latin1'));
  for (const secret of [marker, docs, docFile, home, 'diary-', 'chat-1.json']) {
    expect(text.includes(secret), `the node sent "${secret}"`).toBe(false);
  }
  // No chain is configured (the default), so no chain request is in the connection log
  // (src/core/chain appends every JSON-RPC body it sends to this same recording).
  expect(text.includes('"jsonrpc"'), 'the node made a chain request').toBe(false);
}, 240_000);
