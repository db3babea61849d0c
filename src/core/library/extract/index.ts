import { extname } from 'node:path';
import { LibraryFileError } from './file-error';
import { extractDocx } from './docx';
import { htmlBlocks } from './html';
import { extractEpub, extractOdf, extractPptx, extractXlsx } from './office';
import { extractPdf } from './pdf';
import { decodeText, textBlocks } from './text';
import type { ExtractedDocument, ExtractLimits } from './types';
import { NestingError } from './xml';

export type { Block, ExtractedDocument, ExtractLimits, PageKind } from './types';

/** Extensions read as source code: blank-line-separated runs become code blocks. */
const CODE = new Set(
  'ts tsx js jsx mjs cjs py rb go rs java kt kts scala c h cc cpp hpp cs swift m php pl sh bash zsh fish ps1 lua r jl sql svelte vue css scss less yaml yml toml ini cfg json xml gradle cmake dart ex exs erl hs ml fs clj el vim'.split(
    ' ',
  ),
);
const MARKDOWN = new Set(['md', 'markdown', 'mdx', 'rst', 'adoc', 'org']);
const PLAIN = new Set(['txt', 'text', 'log', 'csv', 'tsv', 'tex', '']);
const HTML = new Set(['html', 'htm', 'xhtml']);
const OFFICE = new Set(['pdf', 'docx', 'pptx', 'xlsx', 'odt', 'ods', 'odp', 'epub']);
/** Known binary formats we do not read; reported as unsupported rather than sniffed. */
const UNSUPPORTED = new Set(
  'doc ppt xls rtf png jpg jpeg gif webp bmp tiff ico heic mp3 wav flac ogg m4a mp4 mov avi mkv webm zip gz tgz bz2 xz 7z rar tar exe dll so dylib bin iso dmg woff woff2 ttf otf class jar pyc o a wasm sqlite db'.split(
    ' ',
  ),
);

export const DEFAULT_LIMITS: ExtractLimits = {
  maxUnpackedBytes: 256 * 1024 * 1024,
  maxRatio: 100,
  maxKeptBytes: 64 * 1024 * 1024,
  maxPdfPages: 5000,
};

/** The type a file will be indexed as, by extension ('code' for source files). */
export function fileType(path: string): string {
  const ext = extname(path).slice(1).toLowerCase();
  return CODE.has(ext) ? ext : ext || 'txt';
}

/** Whether the library tries to read this file at all (anything not a known binary format). */
export function isSupported(path: string): boolean {
  return !UNSUPPORTED.has(extname(path).slice(1).toLowerCase());
}

/**
 * Reads one file's content into structural blocks with locations. Throws LibraryFileError with
 * a user-facing message for anything it cannot read (encrypted, corrupt, binary, zip bomb...).
 */
export async function extractDocument(
  path: string,
  bytes: Uint8Array,
  limits: ExtractLimits = DEFAULT_LIMITS,
): Promise<ExtractedDocument> {
  try {
    return await extractByType(path, bytes, limits);
  } catch (error) {
    if (!(error instanceof NestingError)) throw error;
    throw new LibraryFileError(
      path,
      'too-complex',
      `This file cannot be read safely: ${error.message}, which no real document needs. It may be damaged or built to hang readers; re-save it in its app, then re-index.`,
    );
  }
}

async function extractByType(path: string, bytes: Uint8Array, limits: ExtractLimits): Promise<ExtractedDocument> {
  const ext = extname(path).slice(1).toLowerCase();
  if (UNSUPPORTED.has(ext)) {
    throw new LibraryFileError(
      path,
      'unsupported',
      `Hearth cannot read .${ext} files yet; convert it to PDF or text to index it.`,
    );
  }
  if (OFFICE.has(ext)) {
    switch (ext) {
      case 'pdf':
        return extractPdf(path, bytes, limits);
      case 'docx':
        return extractDocx(path, bytes, limits);
      case 'pptx':
        return extractPptx(path, bytes, limits);
      case 'xlsx':
        return extractXlsx(path, bytes, limits);
      case 'epub':
        return extractEpub(path, bytes, limits);
      default:
        return extractOdf(path, bytes, limits, ext);
    }
  }
  const text = decodeText(path, bytes);
  if (HTML.has(ext)) return { type: ext, pageKind: null, blocks: htmlBlocks(text, { readable: true }) };
  if (MARKDOWN.has(ext)) return { type: ext, pageKind: null, blocks: textBlocks(text, { markdown: true }) };
  if (CODE.has(ext)) return { type: ext, pageKind: null, blocks: textBlocks(text, { code: true }) };
  if (!PLAIN.has(ext) && /^\s*<(!doctype html|html)/i.test(text)) {
    return { type: 'html', pageKind: null, blocks: htmlBlocks(text, { readable: true }) };
  }
  return { type: ext || 'txt', pageKind: null, blocks: textBlocks(text) };
}

export { LibraryFileError };
