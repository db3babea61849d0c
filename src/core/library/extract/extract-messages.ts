import type { FileProblem } from './file-error';
import type { Block, ExtractedDocument, ExtractLimits, PageKind } from './types';

/** One file for a reading process, which reads it itself. */
export interface ExtractRequest {
  id: number;
  path: string;
  limits: ExtractLimits;
}

/** The engine has taken the last part of request `id`: the reader may send the next one. */
export interface ExtractAck {
  id: number;
  ack: true;
}

export type ReaderRequest = ExtractRequest | ExtractAck;

/** Some of a document's blocks, in order; the reader waits for an ExtractAck before the next part. */
export interface ExtractPart {
  id: number;
  part: { type: string; pageKind: PageKind | null; blocks: Block[] };
}

/**
 * The worker's answer: parts of a big document first, then the document (its remaining blocks),
 * or why the file could not be read (`reason` null: unexpected).
 */
export type ExtractReply =
  | ExtractPart
  | { id: number; ok: true; document: ExtractedDocument }
  | { id: number; ok: false; reason: FileProblem | null; message: string };
