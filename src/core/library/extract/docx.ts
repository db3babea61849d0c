import { zipSync } from 'fflate';
import mammoth from 'mammoth';
import { LibraryFileError } from './file-error';
import { htmlBlocks } from './html';
import type { ExtractedDocument, ExtractLimits } from './types';
import { unzipGuarded } from './zip';

/** Parts mammoth never needs for text: pictures, embedded objects, fonts. */
const BINARY_PART = /^word\/(media|embeddings|fonts)\/|\.(png|jpe?g|gif|bmp|tiff?|emf|wmf|svg|bin|odttf)$/i;

/** Word documents through mammoth (headings kept), reading only what the zip guard inflated. */
export async function extractDocx(path: string, bytes: Uint8Array, limits: ExtractLimits): Promise<ExtractedDocument> {
  const entries = unzipGuarded(path, bytes, limits, (n) => !BINARY_PART.test(n));
  if (!entries.has('word/document.xml')) {
    throw new LibraryFileError(
      path,
      'corrupt',
      'This file is named .docx but is not a Word document; it may be damaged. Re-save it in Word, then re-index.',
    );
  }
  // mammoth unzips by the central directory, which a crafted file can point at a bomb the guard
  // never saw (it reads the local headers). Hand mammoth a stored re-pack of exactly the parts
  // the guard measured, so both read the same bytes.
  const repacked = zipSync(Object.fromEntries(entries), { level: 0 });
  try {
    const { value } = await mammoth.convertToHtml(
      { buffer: Buffer.from(repacked.buffer, repacked.byteOffset, repacked.byteLength) },
      // Text only: pictures are dropped unread instead of inlined as base64.
      { convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: '' })) },
    );
    return { type: 'docx', pageKind: null, blocks: htmlBlocks(value) };
  } catch (error) {
    throw new LibraryFileError(
      path,
      'corrupt',
      `This Word document is damaged (${error instanceof Error ? error.message : String(error)}); re-save it in Word, then re-index.`,
    );
  }
}
