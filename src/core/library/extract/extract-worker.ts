/**
 * The process that reads documents. Parsers for PDF, Office and HTML run here, under a heap cap
 * and a time budget set by the pool, so a hostile file can kill this process but never the engine.
 */
import { parentChannel } from '../../workers/parent-channel';
import { LibraryFileError } from '../errors';
import { extractDocument } from './index';
import type { ExtractReply, ExtractRequest } from './extract-messages';

const parent = parentChannel<ExtractRequest, ExtractReply>();

parent.onMessage((request) => {
  void extractDocument(request.path, request.bytes, request.limits).then(
    (document) => parent.send({ id: request.id, ok: true, document }),
    (error: unknown) =>
      parent.send({
        id: request.id,
        ok: false,
        reason: error instanceof LibraryFileError ? error.reason : null,
        message: error instanceof Error ? error.message : String(error),
      }),
  );
});
