import { extractText, getDocumentProxy } from 'unpdf';
import { LibraryFileError } from '../errors';
import { textBlocks } from './text';
import type { Block, ExtractedDocument } from './types';

/** PDF text page by page (pdf.js through unpdf), page numbers kept on every block. */
export async function extractPdf(path: string, bytes: Uint8Array): Promise<ExtractedDocument> {
  let pages: string[];
  try {
    // pdf.js takes ownership of the buffer it is given; hand it a copy.
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { isEvalSupported: false, verbosity: 0 });
    try {
      pages = (await extractText(pdf, { mergePages: false })).text;
    } finally {
      await pdf.destroy();
    }
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const message = error instanceof Error ? error.message : String(error);
    if (name === 'PasswordException' || /password/i.test(message)) {
      throw new LibraryFileError(
        path,
        'encrypted',
        'This PDF is password-protected; Hearth cannot read it without the password. Save an unprotected copy to index it.',
      );
    }
    throw new LibraryFileError(
      path,
      'corrupt',
      `This PDF is damaged and cannot be read (${message}); try re-saving or re-downloading it.`,
    );
  }
  const blocks: Block[] = [];
  pages.forEach((text, i) => blocks.push(...textBlocks(text, { page: i + 1 })));
  if (blocks.length === 0 && pages.length > 0) {
    throw new LibraryFileError(
      path,
      'empty',
      'This PDF has no text layer (it is probably scanned images); run it through OCR to make it searchable.',
    );
  }
  return { type: 'pdf', pageKind: 'page', blocks };
}
