import mammoth from 'mammoth';
import { LibraryFileError } from '../errors';
import { htmlBlocks } from './html';
import type { ExtractedDocument, ExtractLimits } from './types';
import { unzipGuarded } from './zip';

/** Word documents through mammoth (headings kept), after a zip-bomb check on the container. */
export async function extractDocx(path: string, bytes: Uint8Array, limits: ExtractLimits): Promise<ExtractedDocument> {
  // mammoth inflates everything it is given; measure real inflation first.
  const entries = unzipGuarded(path, bytes, limits, (n) => n === 'word/document.xml');
  if (!entries.has('word/document.xml')) {
    throw new LibraryFileError(
      path,
      'corrupt',
      'This file is named .docx but is not a Word document; it may be damaged. Re-save it in Word, then re-index.',
    );
  }
  try {
    const { value } = await mammoth.convertToHtml({
      buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    });
    return { type: 'docx', pageKind: null, blocks: htmlBlocks(value) };
  } catch (error) {
    throw new LibraryFileError(
      path,
      'corrupt',
      `This Word document is damaged (${error instanceof Error ? error.message : String(error)}); re-save it in Word, then re-index.`,
    );
  }
}
