import { getDocumentProxy } from 'unpdf';
import { LibraryFileError } from './file-error';
import { textBlocks } from './text';
import type { Block, ExtractedDocument, ExtractLimits } from './types';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

/**
 * pdf.js keeps every page it has handed out until the document is destroyed, so a file of tens
 * of thousands of pages grows without end. Reading in windows, reopening the document between
 * them, keeps memory flat; the reopen re-parses only the cross-reference table.
 */
const PAGES_PER_WINDOW = 500;
/** A PDF with no text on any of its first pages is scanned images (or built to waste time): stop there. */
const TEXTLESS_PAGES = 300;
/**
 * pdf.js finds a page by walking its parent's whole list of pages, so a flat list of 40,000 pages
 * costs 14 ms a page. Past this reading time the rest of the file is left out with a note.
 */
const READING_MS = 30_000;

/** PDF text page by page (pdf.js through unpdf), page numbers kept on every block. */
export async function extractPdf(path: string, bytes: Uint8Array, limits: ExtractLimits): Promise<ExtractedDocument> {
  const blocks: Block[] = [];
  const started = Date.now();
  let totalPages = 0;
  let pagesRead = 0;
  let pagesWithText = 0;
  try {
    let pdf = await open(bytes);
    try {
      totalPages = pdf.numPages;
      const last = Math.min(totalPages, limits.maxPdfPages);
      for (let page = 1; page <= last; page++) {
        if (Date.now() - started > READING_MS) break;
        if (pagesWithText === 0 && pagesRead >= TEXTLESS_PAGES) break;
        if (page > 1 && (page - 1) % PAGES_PER_WINDOW === 0) {
          await pdf.destroy();
          pdf = await open(bytes);
        }
        const found = textBlocks(await pageText(pdf, page), { page });
        pagesRead++;
        if (found.length > 0) pagesWithText++;
        blocks.push(...found);
      }
    } finally {
      await pdf.destroy();
    }
  } catch (error) {
    if (error instanceof LibraryFileError) throw error;
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
  const count = (n: number) => n.toLocaleString('en-US');
  if (pagesWithText === 0 && totalPages > 0) {
    throw new LibraryFileError(
      path,
      'empty',
      pagesRead < totalPages
        ? `The first ${count(pagesRead)} of this PDF's ${count(totalPages)} pages have no text, so Hearth stopped reading it; if it is scanned images, run it through OCR to make it searchable.`
        : 'This PDF has no text layer (it is probably scanned images); run it through OCR to make it searchable.',
    );
  }
  return {
    type: 'pdf',
    pageKind: 'page',
    blocks,
    ...(pagesRead < totalPages
      ? { note: `Only the first ${count(pagesRead)} of ${count(totalPages)} pages were indexed; split the PDF to search the rest.` }
      : {}),
  };
}

function open(bytes: Uint8Array): Promise<PdfDocument> {
  // pdf.js takes ownership of the buffer it is given; hand it a copy.
  return getDocumentProxy(new Uint8Array(bytes), { isEvalSupported: false, verbosity: 0 });
}

async function pageText(pdf: PdfDocument, number: number): Promise<string> {
  const page = await pdf.getPage(number);
  try {
    const content = await page.getTextContent();
    let text = '';
    for (const item of content.items) {
      if ('str' in item) text += item.str + (item.hasEOL ? '\n' : '');
    }
    return text;
  } finally {
    page.cleanup();
  }
}
