import { isUtf8 } from 'node:buffer';
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { LibraryFileError } from './file-error';
import type { Block } from './types';

/**
 * Decodes bytes as text, detecting the encoding (BOMs, then chardet), and refuses binaries by
 * their content: NUL bytes or too many control characters, whatever the file is named.
 */
export function decodeText(path: string, bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let encoding = 'utf-8';
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) encoding = 'utf-8';
  else if (buf[0] === 0xff && buf[1] === 0xfe) encoding = 'utf-16le';
  else if (buf[0] === 0xfe && buf[1] === 0xff) encoding = 'utf-16be';
  else {
    const utf16 = bomlessUtf16(buf);
    const sample = buf.subarray(0, 8192);
    if (utf16) encoding = utf16;
    else if (sample.includes(0)) throw binary(path);
    else if (!isUtf8(buf)) encoding = chardet.detect(buf.subarray(0, 65_536)) ?? 'windows-1252';
  }
  if (!iconv.encodingExists(encoding)) encoding = 'windows-1252';
  const text = iconv.decode(buf, encoding).replace(/^\uFEFF/, '');
  const sample = text.slice(0, 8192);
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 0xfffd) control++;
  }
  if (sample.length > 0 && control / sample.length > 0.05) throw binary(path);
  return text;
}

/**
 * UTF-16 without a byte-order mark (Windows tools write it): text in Latin scripts then has a
 * zero in every other byte, on the odd side for little-endian and the even side for big-endian.
 * Binary files have zeros too, but not in one column only.
 */
function bomlessUtf16(buf: Buffer): 'utf-16le' | 'utf-16be' | null {
  const sample = buf.subarray(0, 8192 - (Math.min(buf.length, 8192) % 2));
  if (sample.length < 16) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < sample.length; i += 2) {
    if (sample[i] === 0) evenZeros++;
    if (sample[i + 1] === 0) oddZeros++;
  }
  const pairs = sample.length / 2;
  if (oddZeros > pairs * 0.4 && evenZeros < pairs * 0.02) return 'utf-16le';
  if (evenZeros > pairs * 0.4 && oddZeros < pairs * 0.02) return 'utf-16be';
  return null;
}

function binary(path: string): LibraryFileError {
  return new LibraryFileError(
    path,
    'binary',
    'This file holds binary data, not text, so there is nothing to index; add an ignore rule to stop seeing it.',
  );
}

/**
 * Characters a block may hold. A paragraph or a line longer than this (a one-line 190 MB file)
 * becomes several blocks cut at whitespace, so no giant string travels to the engine or through
 * the chunker, and the engine can take a big file's blocks in bounded parts.
 */
export const MAX_BLOCK_CHARS = 64 * 1024;

/** The text's lines one at a time (\r\n, \r or \n), without an array of them all. */
function* eachLine(text: string): Generator<string> {
  const newline = /\r\n|\r|\n/g;
  let at = 0;
  for (let match = newline.exec(text); match; match = newline.exec(text)) {
    yield text.slice(at, match.index);
    at = match.index + match[0].length;
  }
  yield text.slice(at);
}

/** A line cut into parts of at most MAX_BLOCK_CHARS, at the last whitespace before the limit when there is one. */
function* lineParts(line: string): Generator<string> {
  let at = 0;
  while (line.length - at > MAX_BLOCK_CHARS) {
    let cut = at + MAX_BLOCK_CHARS;
    const space = line.lastIndexOf(' ', cut);
    if (space > at + MAX_BLOCK_CHARS / 2) cut = space + 1;
    yield line.slice(at, cut);
    at = cut;
  }
  yield line.slice(at);
}

/**
 * Splits text into blocks by structure: Markdown headings, fenced code, paragraphs (blank
 * lines). With `code`, blank-line-separated runs become code blocks. No block holds more than
 * MAX_BLOCK_CHARS characters: a longer paragraph continues in the next block, on its own line.
 */
export function textBlocks(
  text: string,
  options: { markdown?: boolean; code?: boolean; page?: number | null } = {},
): Block[] {
  const page = options.page ?? null;
  const blocks: Block[] = [];
  let buffer: string[] = [];
  let chars = 0;
  let start = 1;
  let fence: string | null = null;
  const flush = (kind: Block['kind'] = options.code || fence ? 'code' : 'text') => {
    const body = buffer.join('\n');
    if (body.trim()) blocks.push({ kind, text: body, page, line: start });
    buffer = [];
    chars = 0;
  };
  /** Adds line `number` to the open block, starting a new block when it would overflow. */
  const push = (line: string, number: number) => {
    for (const part of lineParts(line)) {
      if (buffer.length > 0 && chars + part.length > MAX_BLOCK_CHARS) flush();
      if (buffer.length === 0) start = number;
      buffer.push(part);
      chars += part.length + 1;
    }
  };
  let i = 0;
  for (const line of eachLine(text)) {
    i++;
    if (options.markdown) {
      const fenceMatch = /^\s*(```|~~~)/.exec(line);
      if (fence) {
        push(line, i);
        if (fenceMatch && fenceMatch[1] === fence) {
          flush('code');
          fence = null;
        }
        continue;
      }
      if (fenceMatch) {
        flush();
        fence = fenceMatch[1]!;
        push(line, i);
        continue;
      }
      const heading = line.length <= 1000 ? /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line) : null;
      if (heading) {
        flush();
        blocks.push({ kind: 'heading', level: heading[1]!.length, text: heading[2]!, page, line: i });
        continue;
      }
    }
    if (line.trim() === '') {
      flush();
      continue;
    }
    push(line, i);
  }
  flush();
  return blocks;
}
