// Generators for hostile documents: each returns the bytes of one file built to crash, freeze
// or exhaust a document reader, as an attacker (or a damaged disk) would hand it to Hearth.
import { crc32 } from 'node:zlib';
import { deflateSync, strToU8, zipSync } from 'fflate';

interface RawEntry {
  name: string;
  data: Uint8Array;
  /** Deflate (8) or store (0). */
  method: 0 | 8;
  /** Bytes as stored; defaults to `data` (stored) or its deflate. */
  stored?: Uint8Array;
}

/** A zip written by hand, so that local headers and the central directory can disagree. */
function rawZip(local: RawEntry[], central: { entry: RawEntry; offset: number }[] | null, trailer?: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  const offsets: number[] = [];
  let at = 0;
  const push = (bytes: Uint8Array) => {
    parts.push(bytes);
    at += bytes.byteLength;
  };
  const header = (entry: RawEntry, stored: Uint8Array) => {
    const name = strToU8(entry.name);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(entry.method, 8);
    h.writeUInt32LE(crc32(entry.data), 14);
    h.writeUInt32LE(stored.byteLength, 18);
    h.writeUInt32LE(entry.data.byteLength, 22);
    h.writeUInt16LE(name.byteLength, 26);
    return Buffer.concat([h, name]);
  };
  const storedOf = (e: RawEntry) => e.stored ?? (e.method === 8 ? deflateSync(e.data, { level: 9 }) : e.data);
  for (const entry of local) {
    offsets.push(at);
    const stored = storedOf(entry);
    push(header(entry, stored));
    push(stored);
  }
  if (trailer) push(trailer);
  const directory = central ?? local.map((entry, i) => ({ entry, offset: offsets[i]! }));
  const start = at;
  for (const { entry, offset } of directory) {
    const name = strToU8(entry.name);
    const stored = storedOf(entry);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(entry.method, 10);
    c.writeUInt32LE(crc32(entry.data), 16);
    c.writeUInt32LE(stored.byteLength, 20);
    c.writeUInt32LE(entry.data.byteLength, 24);
    c.writeUInt16LE(name.byteLength, 28);
    c.writeUInt32LE(offset, 42);
    push(Buffer.concat([c, name]));
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(directory.length, 8);
  end.writeUInt16LE(directory.length, 10);
  end.writeUInt32LE(at - start, 12);
  end.writeUInt32LE(start, 16);
  push(end);
  return Buffer.concat(parts);
}

const CONTENT_TYPES = strToU8(
  '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
);
const ROOT_RELS = strToU8(
  '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
);

/** A Word body with the given paragraphs. */
export function wordXml(paragraphs: string[]): Uint8Array {
  const body = paragraphs.map((p) => `<w:p><w:r><w:t>${p}</w:t></w:r></w:p>`).join('');
  return strToU8(
    `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  );
}

/** A small valid .docx. */
export function docx(paragraphs: string[]): Uint8Array {
  return zipSync({
    '[Content_Types].xml': CONTENT_TYPES,
    '_rels/.rels': ROOT_RELS,
    'word/document.xml': wordXml(paragraphs),
  });
}

/**
 * A .docx whose local headers hold a harmless document, while its central directory points
 * inside a stored "padding" entry at a deflated bomb (`megabytes` of XML). Readers that trust the
 * central directory (JSZip, so mammoth) inflate the bomb; a streaming reader sees the decoy.
 */
export function differentialZipBomb(megabytes = 400): Uint8Array {
  const paragraph = '<w:p><w:r><w:t>bomb bomb bomb bomb bomb bomb bomb bomb</w:t></w:r></w:p>';
  const chunk = paragraph.repeat(Math.ceil((1024 * 1024) / paragraph.length));
  const huge = strToU8(
    `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${chunk.repeat(megabytes)}</w:body></w:document>`,
  );
  const bombEntry: RawEntry = { name: 'word/document.xml', data: huge, method: 8 };
  const bombZip = rawZip([bombEntry], null);
  // The bomb's local header and data, hidden as the content of a stored entry.
  const bombLocal = bombZip.subarray(0, bombZip.byteLength - 22 - 46 - bombEntry.name.length);
  const types: RawEntry = { name: '[Content_Types].xml', data: CONTENT_TYPES, method: 0 };
  const rels: RawEntry = { name: '_rels/.rels', data: ROOT_RELS, method: 0 };
  const padding: RawEntry = { name: 'customXml/padding.bin', data: bombLocal, method: 0 };
  const decoy: RawEntry = { name: 'word/document.xml', data: wordXml(['A harmless decoy paragraph.']), method: 0 };
  const typesHeader = 30 + types.name.length + types.data.byteLength;
  const relsHeader = 30 + rels.name.length + rels.data.byteLength;
  const paddingStart = typesHeader + relsHeader;
  const bombOffset = paddingStart + 30 + padding.name.length;
  return rawZip([types, rels, padding, decoy], [
    { entry: types, offset: 0 },
    { entry: rels, offset: typesHeader },
    { entry: bombEntry, offset: bombOffset },
  ]);
}

/** A classic zip bomb: one entry of `megabytes` zeros. */
export function classicZipBomb(megabytes = 600): Uint8Array {
  return zipSync({
    '[Content_Types].xml': CONTENT_TYPES,
    '_rels/.rels': ROOT_RELS,
    'word/document.xml': new Uint8Array(megabytes * 1024 * 1024),
  });
}

function xlsxWith(sheet: string, shared = '<sst/>'): Uint8Array {
  return zipSync({
    'xl/workbook.xml': strToU8('<workbook><sheets><sheet name="Data" sheetId="1"/></sheets></workbook>'),
    'xl/sharedStrings.xml': strToU8(shared),
    'xl/worksheets/sheet1.xml': strToU8(sheet),
  });
}

/** An .xlsx of `rows` unclosed `<row>` elements (regular expressions backtrack over all of them). */
export function unclosedRowsXlsx(rows = 600): Uint8Array {
  return xlsxWith(`<worksheet><sheetData>${'<row r="1"><c r="A1"><v>1</v>'.repeat(rows)}</sheetData></worksheet>`);
}

/** An .xlsx whose cells hold broken character references beside a findable value. */
export function badReferencesXlsx(word: string): Uint8Array {
  return xlsxWith(
    `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>bad &#99999999; ref &#xZZ; &bogus;</t></is></c><c r="B1" t="s"><v>0</v></c></row></sheetData></worksheet>`,
    `<sst><si><t>${word}</t></si></sst>`,
  );
}

/** An .odt of unclosed paragraphs. */
export function unclosedParagraphsOdt(paragraphs = 400): Uint8Array {
  return zipSync({
    mimetype: strToU8('application/vnd.oasis.opendocument.text'),
    'content.xml': strToU8(`<office:document-content><office:body><office:text>${'<text:p>x<text:span>'.repeat(paragraphs)}</office:text></office:body></office:document-content>`),
  });
}

/** An EPUB whose manifest has a malformed `%` escape beside a chapter that reads fine. */
export function malformedEscapeEpub(word: string): Uint8Array {
  return zipSync({
    mimetype: strToU8('application/epub+zip'),
    'META-INF/container.xml': strToU8(
      '<container><rootfiles><rootfile full-path="OEBPS/content.opf"/></rootfiles></container>',
    ),
    'OEBPS/content.opf': strToU8(
      '<package><manifest><item id="bad" href="bad%zz.xhtml"/><item id="c1" href="ch1.xhtml"/></manifest><spine><itemref idref="bad"/><itemref idref="c1"/></spine></package>',
    ),
    'OEBPS/ch1.xhtml': strToU8(`<html><body><h1>Chapter</h1><p>The ${word} is in chapter one.</p></body></html>`),
  });
}

/**
 * A PDF of `pages` blank pages, written by hand (pdf-lib holds every page in memory): each page
 * is its own object, so readers that keep every page alive grow with the count.
 */
export function blankPagesPdf(pages = 40_000): Uint8Array {
  const objects: string[] = [];
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  const kids: string[] = [];
  for (let i = 0; i < pages; i++) {
    objects[3 + i] = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>';
    kids.push(`${3 + i} 0 R`);
  }
  objects[2] = `<< /Type /Pages /Count ${pages} /Kids [${kids.join(' ')}] >>`;
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let n = 1; n < objects.length; n++) {
    offsets[n] = body.length;
    body += `${n} 0 obj\n${objects[n]}\nendobj\n`;
  }
  const xref = body.length;
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let n = 1; n < objects.length; n++) body += `${String(offsets[n]).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return strToU8(body);
}

/** HTML nested `depth` levels deep with the text at the bottom. */
export function deepHtml(depth: number, word: string): string {
  return `<!doctype html><html><body>${'<div>'.repeat(depth)}The ${word} lies deep.${'</div>'.repeat(depth)}</body></html>`;
}

/** A minified-bundle-like JavaScript file on one line (few spaces, long runs). */
export function oneLineBundle(bytes = 2 * 1024 * 1024): string {
  const unit = 'function a0(b){return b.map(function(c){return c*2+1}).filter(Boolean)};var x1={k:"v",n:[1,2,3]};';
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}

/** Plain text on one line: words separated by spaces, no newline at all. */
export function oneLineText(bytes = 2 * 1024 * 1024): string {
  const unit = 'the quick brown fox jumps over the lazy dog while the library keeps reading ';
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}

/** UTF-16 little-endian text without a byte-order mark. */
export function bomlessUtf16(text: string): Uint8Array {
  return Buffer.from(text, 'utf16le');
}

/** An .xlsx whose sheet nests `depth` elements (an XML bomb of depth, not of size). */
export function deepXlsx(depth: number): Uint8Array {
  return xlsxWith(`<worksheet><sheetData>${'<x>'.repeat(depth)}${'</x>'.repeat(depth)}</sheetData></worksheet>`);
}
