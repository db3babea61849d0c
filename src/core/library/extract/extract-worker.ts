/**
 * The thread that reads documents. Parsers for PDF, Office and HTML run here, under a heap cap
 * and a time budget set by the pool, so a hostile file can kill this thread but never the engine.
 */
import { parentPort } from 'node:worker_threads';
import { LibraryFileError } from '../errors';
import { extractDocument } from './index';
import type { ExtractReply, ExtractRequest } from './extract-messages';

const port = parentPort;
if (!port) throw new Error('extract-worker runs only as a worker thread.');

port.on('message', (request: ExtractRequest) => {
  void extractDocument(request.path, request.bytes, request.limits).then(
    (document): void => port.postMessage({ id: request.id, ok: true, document } satisfies ExtractReply),
    (error: unknown): void =>
      port.postMessage({
        id: request.id,
        ok: false,
        reason: error instanceof LibraryFileError ? error.reason : null,
        message: error instanceof Error ? error.message : String(error),
      } satisfies ExtractReply),
  );
});
