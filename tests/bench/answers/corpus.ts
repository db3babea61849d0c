import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { makeDocx, makePdf } from '../../fixtures/library/generate';

/**
 * The question set of `npm run bench:answers` and the documents it asks about: licence texts and
 * READMEs that npm packages ship in node_modules, converted at bench time into md, txt, html, pdf
 * and docx. Only the questions are committed (questions.json); the texts stay with their packages.
 */

export const SET_PATH = resolve(import.meta.dirname, 'questions.json');

export interface SetDocument {
  id: string;
  /** The text the document is made from, relative to the repository root. */
  source: string;
  /** The file name the bench writes, in `format`. */
  file: string;
  format: 'md' | 'txt' | 'html' | 'pdf' | 'docx';
}

export interface AnswerableQuestion {
  doc: string;
  question: string;
  /** The gold answer: an answer is correct when it contains this (case and spaces ignored). */
  answer: string;
  /** The page (pdf) or section heading that holds the answer; checked by `checkSet`. */
  where?: string;
}

export interface QuestionSet {
  about: string;
  documents: SetDocument[];
  answerable: AnswerableQuestion[];
  unanswerable: string[];
  /** On the documents' topics, answered by none of them: only the relevance gate's calibration asks these. */
  nearMiss?: string[];
}

export function loadSet(): QuestionSet {
  return JSON.parse(readFileSync(SET_PATH, 'utf8')) as QuestionSet;
}

export const normalize = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * Whether `text` contains the gold answer. Short answers ("2", "=") must stand alone, so a
 * "2" inside "2014" does not count.
 */
export function containsAnswer(text: string, answer: string): boolean {
  const hay = normalize(text);
  const needle = normalize(answer);
  if (needle.length > 4) return hay.includes(needle);
  const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-z0-9])${escaped}($|[^a-z0-9])`).test(hay);
}

const PDF_LINE = 90;
const PDF_LINES_PER_PAGE = 48;

/** Helvetica in pdf-lib encodes WinAnsi only; other characters become "?". */
function winAnsi(text: string): string {
  return text.replace(/\t/g, '    ').replace(/[^\n\x20-\x7e\xa0-\xff]/g, '?');
}

function wrap(line: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current && `${current} ${word}`.length > PDF_LINE) {
      out.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  out.push(current);
  return out;
}

/** The pages of the PDF made from `text`: wrapped lines, a fixed number per page. */
export function pdfPages(text: string): string[] {
  const lines = winAnsi(text)
    .split('\n')
    .flatMap((line) => wrap(line));
  const pages: string[] = [];
  for (let i = 0; i < lines.length; i += PDF_LINES_PER_PAGE) {
    pages.push(lines.slice(i, i + PDF_LINES_PER_PAGE).join('\n'));
  }
  return pages;
}

interface Block {
  heading: string | null;
  paragraphs: string[];
}

/** Markdown-ish text as sections: a `#` line (or an underlined title) starts one. */
function sections(text: string): Block[] {
  const blocks: Block[] = [{ heading: null, paragraphs: [] }];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    const next = lines[i + 1] ?? '';
    if (/^#{1,6}\s/.test(line)) blocks.push({ heading: line.replace(/^#+\s*/, '').trim(), paragraphs: [] });
    else if (/^(=|-){3,}\s*$/.test(line)) continue;
    else if (/^(=|-){3,}\s*$/.test(next) && line.trim()) blocks.push({ heading: line.trim(), paragraphs: [] });
    else if (line.trim()) blocks.at(-1)!.paragraphs.push(line);
  }
  return blocks.filter((b) => b.heading || b.paragraphs.length > 0);
}

function htmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function toHtml(title: string, text: string): string {
  const body = sections(text)
    .map(
      (s) =>
        (s.heading ? `<h2>${htmlEscape(s.heading)}</h2>\n` : '') +
        s.paragraphs.map((p) => `<p>${htmlEscape(p)}</p>`).join('\n'),
    )
    .join('\n');
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${htmlEscape(title)}</title></head>\n<body>\n${body}\n</body></html>\n`;
}

export function sourceText(doc: SetDocument): string {
  return readFileSync(resolve(doc.source), 'utf8').replace(/\r\n/g, '\n');
}

/** Writes every document of the set into `folder` in its format. */
export async function writeDocuments(set: QuestionSet, folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (const doc of set.documents) {
    const text = sourceText(doc);
    const path = join(folder, doc.file);
    if (doc.format === 'md' || doc.format === 'txt') await writeFile(path, text);
    else if (doc.format === 'html') await writeFile(path, toHtml(doc.id, text));
    else if (doc.format === 'pdf') await writeFile(path, await makePdf(pdfPages(text)));
    else
      await writeFile(
        path,
        makeDocx(sections(text).map((s) => ({ heading: s.heading ?? undefined, paragraphs: s.paragraphs }))),
      );
  }
}

/** Where in `doc` the answer is: "page n" for a PDF, else the heading of its section. */
export function locate(doc: SetDocument, answer: string): string | null {
  const text = sourceText(doc);
  if (doc.format === 'pdf') {
    const page = pdfPages(text).findIndex((p) => containsAnswer(p, answer));
    return page >= 0 ? `page ${page + 1}` : null;
  }
  for (const block of sections(text)) {
    if (containsAnswer(block.paragraphs.join('\n'), answer) || (block.heading && containsAnswer(block.heading, answer)))
      return block.heading ? `section "${block.heading}"` : 'start of the file';
  }
  return null;
}

/** Problems with the set: an answer missing from its document, too few questions or formats. */
export function checkSet(set: QuestionSet): string[] {
  const problems: string[] = [];
  const docs = new Map(set.documents.map((d) => [d.id, d]));
  for (const q of set.answerable) {
    const doc = docs.get(q.doc);
    if (!doc) problems.push(`"${q.question}": no document "${q.doc}"`);
    else if (!locate(doc, q.answer)) problems.push(`"${q.question}": "${q.answer}" is not in ${doc.source}`);
  }
  if (set.answerable.length < 60) problems.push(`only ${set.answerable.length} answerable questions (want 60+)`);
  if (set.documents.length < 15) problems.push(`only ${set.documents.length} documents (want 15+)`);
  if (set.unanswerable.length < 20) problems.push(`only ${set.unanswerable.length} unanswerable questions (want 20+)`);
  if (new Set(set.documents.map((d) => d.format)).size < 5) problems.push('fewer than 5 formats');
  return problems;
}

// `npx tsx tests/bench/answers/corpus.ts`: check the set and fill in each answer's page or section.
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const set = loadSet();
  const problems = checkSet(set);
  for (const problem of problems) console.error(problem);
  const docs = new Map(set.documents.map((d) => [d.id, d]));
  for (const q of set.answerable) q.where = locate(docs.get(q.doc)!, q.answer) ?? undefined;
  writeFileSync(SET_PATH, `${JSON.stringify(set, null, 2)}\n`);
  console.log(
    `${set.answerable.length} answerable, ${set.unanswerable.length} unanswerable; problems: ${problems.length}`,
  );
  process.exitCode = problems.length > 0 ? 1 : 0;
}
