import type { FileProblem } from '../errors';
import type { ExtractedDocument, ExtractLimits } from './types';

/** One file for a reading process. */
export interface ExtractRequest {
  id: number;
  path: string;
  bytes: Uint8Array;
  limits: ExtractLimits;
}

/** The worker's answer: the document, or why the file could not be read (`reason` null: unexpected). */
export type ExtractReply =
  | { id: number; ok: true; document: ExtractedDocument }
  | { id: number; ok: false; reason: FileProblem | null; message: string };
