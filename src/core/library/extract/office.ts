import { LibraryFileError } from '../errors';
import { htmlBlocks } from './html';
import type { Block, ExtractedDocument, ExtractLimits } from './types';
import { unzipGuarded } from './zip';

const decoder = new TextDecoder();

function entities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&amp;/g, '&');
}

function stripTags(xml: string): string {
  return entities(xml.replace(/<[^>]+>/g, ''));
}

function byNumber(a: string, b: string): number {
  return Number(/(\d+)\.xml$/.exec(a)?.[1] ?? 0) - Number(/(\d+)\.xml$/.exec(b)?.[1] ?? 0);
}

function read(files: Map<string, Uint8Array>, name: string): string {
  const data = files.get(name);
  return data ? decoder.decode(data) : '';
}

/** PowerPoint: one page per slide, paragraphs from <a:p>. */
export function extractPptx(path: string, bytes: Uint8Array, limits: ExtractLimits): ExtractedDocument {
  const files = unzipGuarded(path, bytes, limits, (n) => /^ppt\/slides\/slide\d+\.xml$/.test(n));
  const slides = [...files.keys()].sort(byNumber);
  if (slides.length === 0) throw notA(path, 'PowerPoint');
  const blocks: Block[] = [];
  slides.forEach((name, i) => {
    for (const para of read(files, name).match(/<a:p>[\s\S]*?<\/a:p>|<a:p [\s\S]*?<\/a:p>/g) ?? []) {
      const text = (para.match(/<a:t>([^<]*)<\/a:t>/g) ?? []).map(stripTags).join('');
      if (text.trim()) blocks.push({ kind: 'text', text, page: i + 1, line: null });
    }
  });
  return { type: 'pptx', pageKind: 'slide', blocks };
}

/** Excel: one page per sheet, one tab-separated line per row. */
export function extractXlsx(path: string, bytes: Uint8Array, limits: ExtractLimits): ExtractedDocument {
  const files = unzipGuarded(path, bytes, limits, (n) =>
    /^xl\/(sharedStrings|workbook)\.xml$|^xl\/worksheets\/sheet\d+\.xml$/.test(n),
  );
  const shared = (read(files, 'xl/sharedStrings.xml').match(/<si>[\s\S]*?<\/si>/g) ?? []).map((si) =>
    (si.match(/<t[^>]*>([^<]*)<\/t>/g) ?? []).map(stripTags).join(''),
  );
  const names = (read(files, 'xl/workbook.xml').match(/<sheet [^>]*name="([^"]*)"/g) ?? []).map((s) =>
    entities(/name="([^"]*)"/.exec(s)![1]!),
  );
  const sheets = [...files.keys()].filter((n) => n.startsWith('xl/worksheets/')).sort(byNumber);
  if (sheets.length === 0) throw notA(path, 'Excel');
  const blocks: Block[] = [];
  sheets.forEach((name, i) => {
    if (names[i]) blocks.push({ kind: 'heading', level: 1, text: names[i], page: i + 1, line: null });
    const rows: string[] = [];
    for (const row of read(files, name).match(/<row[\s\S]*?<\/row>/g) ?? []) {
      const cells = (row.match(/<c [^>]*?(?:\/>|>[\s\S]*?<\/c>)/g) ?? []).map((cell) => {
        const value = /<v>([^<]*)<\/v>/.exec(cell)?.[1] ?? /<t[^>]*>([^<]*)<\/t>/.exec(cell)?.[1] ?? '';
        return / t="s"/.test(cell) ? (shared[Number(value)] ?? '') : entities(value);
      });
      if (cells.some((c) => c.trim())) rows.push(cells.join('\t'));
    }
    for (let r = 0; r < rows.length; r += 20) {
      blocks.push({ kind: 'text', text: rows.slice(r, r + 20).join('\n'), page: i + 1, line: null });
    }
  });
  return { type: 'xlsx', pageKind: 'sheet', blocks };
}

/** OpenDocument text, spreadsheet or presentation (content.xml). */
export function extractOdf(path: string, bytes: Uint8Array, limits: ExtractLimits, type: string): ExtractedDocument {
  const files = unzipGuarded(path, bytes, limits, (n) => n === 'content.xml');
  const xml = read(files, 'content.xml');
  if (!xml) throw notA(path, 'OpenDocument');
  const pageTag = type === 'odp' ? 'draw:page' : type === 'ods' ? 'table:table' : null;
  const pages = pageTag ? (xml.match(new RegExp(`<${pageTag}[\\s>][\\s\\S]*?</${pageTag}>`, 'g')) ?? []) : [xml];
  const blocks: Block[] = [];
  pages.forEach((pageXml, i) => {
    const page = pageTag ? i + 1 : null;
    for (const m of pageXml.matchAll(/<text:(h|p)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/text:\1>)/g)) {
      const text = stripTags((m[3] ?? '').replace(/<text:(s|tab|line-break)[^>]*\/>/g, ' '));
      if (!text.trim()) continue;
      if (m[1] === 'h') {
        const level = Number(/text:outline-level="(\d)"/.exec(m[2] ?? '')?.[1] ?? 1);
        blocks.push({ kind: 'heading', level, text, page, line: null });
      } else blocks.push({ kind: 'text', text, page, line: null });
    }
  });
  return { type, pageKind: type === 'odp' ? 'slide' : type === 'ods' ? 'sheet' : null, blocks };
}

/** EPUB: chapters in spine order, each read as HTML. */
export function extractEpub(path: string, bytes: Uint8Array, limits: ExtractLimits): ExtractedDocument {
  const files = unzipGuarded(path, bytes, limits, (n) => /\.(opf|xml|x?html?)$/i.test(n));
  const container = read(files, 'META-INF/container.xml');
  const opfPath = /full-path="([^"]+)"/.exec(container)?.[1];
  if (!opfPath) throw notA(path, 'EPUB');
  const opf = read(files, opfPath);
  const base = opfPath.includes('/') ? opfPath.slice(0, opfPath.lastIndexOf('/') + 1) : '';
  const manifest = new Map<string, string>();
  for (const item of opf.match(/<item\b[^>]*>/g) ?? []) {
    const id = /\bid="([^"]+)"/.exec(item)?.[1];
    const href = /\bhref="([^"]+)"/.exec(item)?.[1];
    if (id && href) manifest.set(id, base + decodeURIComponent(href));
  }
  const spine = (opf.match(/<itemref\b[^>]*idref="([^"]+)"/g) ?? []).map((s) => /idref="([^"]+)"/.exec(s)![1]!);
  const blocks: Block[] = [];
  spine.forEach((id, i) => {
    const html = read(files, manifest.get(id) ?? '');
    if (html) blocks.push(...htmlBlocks(html, { page: i + 1 }));
  });
  return { type: 'epub', pageKind: 'chapter', blocks };
}

function notA(path: string, what: string): LibraryFileError {
  return new LibraryFileError(
    path,
    'corrupt',
    `This file is named like a ${what} file but has no ${what} content; it may be damaged. Re-save it in its app, then re-index.`,
  );
}
