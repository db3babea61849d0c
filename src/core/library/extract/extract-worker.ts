/**
 * The process that reads documents. Parsers for PDF, Office and HTML run here, under a heap cap
 * and a time budget set by the pool, so a hostile file can kill this process but never the engine.
 * A big document goes back in parts of about PART_CHARS characters, one at a time: the engine
 * acknowledges each part after it has chunked and stored it, so it never holds a whole big file.
 */
import { readFile } from 'node:fs/promises';
import { parentChannel } from '../../workers/parent-channel';
import { LibraryFileError } from './file-error';
import { extractDocument } from './index';
import type { ExtractReply, ExtractRequest, ReaderRequest } from './extract-messages';

const PART_CHARS = 1024 * 1024;

const parent = parentChannel<ReaderRequest, ExtractReply>();
const acks = new Map<number, () => void>();

parent.onMessage((message) => {
  if ('ack' in message) {
    acks.get(message.id)?.();
    return;
  }
  void read(message).catch((error: unknown) =>
    parent.send({
      id: message.id,
      ok: false,
      reason: error instanceof LibraryFileError ? error.reason : null,
      message: error instanceof Error ? error.message : String(error),
    }),
  );
});

async function read(request: ExtractRequest): Promise<void> {
  const bytes = await readFile(request.path);
  const document = await extractDocument(request.path, bytes, request.limits);
  const { blocks } = document;
  let from = 0;
  for (;;) {
    let to = from;
    for (let chars = 0; to < blocks.length && chars < PART_CHARS; to++) chars += blocks[to]!.text.length;
    if (to >= blocks.length) break;
    const acked = new Promise<void>((resolve) => acks.set(request.id, resolve));
    parent.send({
      id: request.id,
      part: { type: document.type, pageKind: document.pageKind, blocks: blocks.slice(from, to) },
    });
    await acked;
    acks.delete(request.id);
    // The engine has this part: drop it here too.
    blocks.fill(undefined as never, from, to);
    from = to;
  }
  parent.send({ id: request.id, ok: true, document: { ...document, blocks: blocks.slice(from) } });
}
