import { LibraryFileError } from './file-error';
import { htmlBlocks } from './html';
import type { Block, ExtractedDocument, ExtractLimits } from './types';
import { walkXml, elementTexts } from './xml';
import { unzipGuarded } from './zip';

const decoder = new TextDecoder();
const ODF_BREAKS: ReadonlySet<string> = new Set(['text:s', 'text:tab', 'text:line-break']);
/** Spreadsheet rows per block: a screenful of a table reads better than one row a chunk. */
const ROWS_PER_BLOCK = 20;

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
    for (const text of elementTexts(read(files, name), 'a:p', { inner: new Set(['a:t']) })) {
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
  const shared = elementTexts(read(files, 'xl/sharedStrings.xml'), 'si', { inner: new Set(['t']) });
  const names: string[] = [];
  walkXml(read(files, 'xl/workbook.xml'), {
    open: (name, attributes) => {
      if (name === 'sheet') names.push(attributes.name ?? '');
    },
  });
  const sheets = [...files.keys()].filter((n) => n.startsWith('xl/worksheets/')).sort(byNumber);
  if (sheets.length === 0) throw notA(path, 'Excel');
  const blocks: Block[] = [];
  sheets.forEach((name, i) => {
    if (names[i]) blocks.push({ kind: 'heading', level: 1, text: names[i], page: i + 1, line: null });
    const rows = sheetRows(read(files, name), shared);
    for (let r = 0; r < rows.length; r += ROWS_PER_BLOCK) {
      blocks.push({ kind: 'text', text: rows.slice(r, r + ROWS_PER_BLOCK).join('\n'), page: i + 1, line: null });
    }
  });
  return { type: 'xlsx', pageKind: 'sheet', blocks };
}

/** A worksheet's non-empty rows as tab-separated lines; an unclosed row ends where the next begins. */
function sheetRows(xml: string, shared: readonly string[]): string[] {
  const rows: string[] = [];
  let row: string[] | null = null;
  let cell: { shared: boolean; value: string } | null = null;
  let capture = 0;
  const endRow = () => {
    if (row?.some((c) => c.trim())) rows.push(row.join('\t'));
    row = null;
  };
  const endCell = () => {
    if (cell && row) row.push(cell.shared ? (shared[Number(cell.value)] ?? '') : cell.value);
    cell = null;
    capture = 0;
  };
  walkXml(xml, {
    open(name, attributes) {
      if (name === 'row') {
        endCell();
        endRow();
        row = [];
      } else if (name === 'c') {
        endCell();
        row ??= [];
        cell = { shared: attributes.t === 's', value: '' };
      } else if (cell && (name === 'v' || name === 't')) capture++;
    },
    close(name) {
      if (name === 'c') endCell();
      else if (name === 'row') {
        endCell();
        endRow();
      } else if (cell && (name === 'v' || name === 't')) capture = Math.max(0, capture - 1);
    },
    text(text) {
      if (cell && capture > 0) cell.value += text;
    },
  });
  endCell();
  endRow();
  return rows;
}

/** OpenDocument text, spreadsheet or presentation (content.xml). */
export function extractOdf(path: string, bytes: Uint8Array, limits: ExtractLimits, type: string): ExtractedDocument {
  const files = unzipGuarded(path, bytes, limits, (n) => n === 'content.xml');
  const xml = read(files, 'content.xml');
  if (!xml) throw notA(path, 'OpenDocument');
  const pageTag = type === 'odp' ? 'draw:page' : type === 'ods' ? 'table:table' : null;
  const blocks: Block[] = [];
  const open: { heading: number | null; parts: string[] }[] = [];
  let pages = 0;
  let pageDepth = 0;
  walkXml(xml, {
    open(name, attributes) {
      if (name === pageTag) {
        if (pageDepth++ === 0) pages++;
      } else if (name === 'text:p' || name === 'text:h') {
        const level = name === 'text:h' ? Number(attributes['text:outline-level'] ?? 1) || 1 : null;
        open.push({ heading: level === null ? null : Math.min(6, Math.max(1, level)), parts: [] });
      } else if (ODF_BREAKS.has(name)) open.at(-1)?.parts.push(' ');
    },
    close(name) {
      if (name === pageTag) pageDepth = Math.max(0, pageDepth - 1);
      else if (name === 'text:p' || name === 'text:h') {
        const paragraph = open.pop();
        const text = paragraph?.parts.join('') ?? '';
        if (!paragraph || !text.trim()) return;
        const page = pageTag ? Math.max(1, pages) : null;
        blocks.push(
          paragraph.heading === null
            ? { kind: 'text', text, page, line: null }
            : { kind: 'heading', level: paragraph.heading, text, page, line: null },
        );
      }
    },
    text(text) {
      open.at(-1)?.parts.push(text);
    },
  });
  return { type, pageKind: type === 'odp' ? 'slide' : type === 'ods' ? 'sheet' : null, blocks };
}

/** EPUB: chapters in spine order, each read as HTML. */
export function extractEpub(path: string, bytes: Uint8Array, limits: ExtractLimits): ExtractedDocument {
  const files = unzipGuarded(path, bytes, limits, (n) => /\.(opf|xml|x?html?)$/i.test(n));
  let opfPath: string | undefined;
  walkXml(read(files, 'META-INF/container.xml'), {
    open: (name, attributes) => {
      if (name === 'rootfile' && !opfPath) opfPath = attributes['full-path'];
    },
  });
  if (!opfPath) throw notA(path, 'EPUB');
  const base = opfPath.includes('/') ? opfPath.slice(0, opfPath.lastIndexOf('/') + 1) : '';
  const manifest = new Map<string, string>();
  const spine: string[] = [];
  walkXml(read(files, opfPath), {
    open: (name, attributes) => {
      const local = name.slice(name.indexOf(':') + 1);
      if (local === 'item' && attributes.id && attributes.href) manifest.set(attributes.id, base + decodeHref(attributes.href));
      else if (local === 'itemref' && attributes.idref) spine.push(attributes.idref);
    },
  });
  const blocks: Block[] = [];
  spine.forEach((id, i) => {
    const html = read(files, manifest.get(id) ?? '');
    if (html) blocks.push(...htmlBlocks(html, { page: i + 1 }));
  });
  return { type: 'epub', pageKind: 'chapter', blocks };
}

/** A manifest href as a zip entry name; a malformed `%` escape is kept as written, not fatal. */
function decodeHref(href: string): string {
  try {
    return decodeURIComponent(href);
  } catch {
    return href;
  }
}

function notA(path: string, what: string): LibraryFileError {
  return new LibraryFileError(
    path,
    'corrupt',
    `This file is named like a ${what} file but has no ${what} content; it may be damaged. Re-save it in its app, then re-index.`,
  );
}
