import { Readability } from '@mozilla/readability';
import { Parser } from 'htmlparser2';
import { parseHTML } from 'linkedom';
import { MAX_NESTING, nestingDepth, stripTags } from './markup';
import { textBlocks } from './text';
import type { Block } from './types';

/** Elements whose start and end separate blocks; anything else (a, b, span, td) runs inline. */
const BLOCK =
  /^(p|li|pre|blockquote|tr|dt|dd|figcaption|caption|address|h[1-6]|ul|ol|dl|menu|table|thead|tbody|tfoot|div|section|article|main|aside|header|footer|nav|figure|form|fieldset|details|summary|body|html|hr)$/;
const SKIP = /^(script|style|noscript|template|head|title)$/;

/**
 * Readability's cost grows with the cube of nesting (depth 1,000 takes 11 s, 2,000 takes 2 min),
 * and building a DOM at all grows with its square (100,000 levels: 13 s), so documents nested
 * deeper than this are read straight from the stream. Real articles nest a few dozen levels.
 */
const READABLE_DEPTH = 128;
/** Readability walks every element; past this many it gives up and the whole body is read. */
const READABLE_ELEMENTS = 50_000;

/**
 * Blocks (headings, paragraphs, code, table rows) of an HTML document, in reading order, from
 * one linear streaming pass (no tree, no recursion: hostile nesting costs only its length).
 * With `readable`, pages that look like articles are first reduced to the article by Readability
 * (navigation, ads and footers dropped), when they are shallow enough for it.
 */
export function htmlBlocks(html: string, options: { readable?: boolean; page?: number | null } = {}): Block[] {
  const page = options.page ?? null;
  // Nested past what any real page needs (a generator gone wrong, or an attack): keep the text.
  if (nestingDepth(html, { html: true }) > MAX_NESTING) return textBlocks(stripTags(html), { page });
  const { blocks, depth } = streamBlocks(html, page);
  if (!options.readable || depth > READABLE_DEPTH) return blocks;
  const article = readableArticle(html);
  return article === null ? blocks : streamBlocks(article, page).blocks;
}

/** The article Readability finds in a page, as HTML; null when it finds none worth keeping. */
function readableArticle(html: string): string | null {
  try {
    const { document } = parseHTML(html.includes('<html') ? html : `<!doctype html><html><body>${html}</body></html>`);
    const article = new Readability(document as unknown as Document, { maxElemsToParse: READABLE_ELEMENTS }).parse();
    return article?.content && (article.textContent ?? '').trim().length > 200 ? article.content : null;
  } catch {
    return null; // too many elements, or a page Readability cannot handle: keep the whole body
  }
}

function streamBlocks(html: string, page: number | null): { blocks: Block[]; depth: number } {
  const blocks: Block[] = [];
  let text = '';
  let depth = 0;
  let deepest = 0;
  let skipping = 0;
  let code = 0;
  const headings: number[] = [];
  const flush = () => {
    const level = headings.at(-1);
    const kind: Block['kind'] = level ? 'heading' : code > 0 ? 'code' : 'text';
    const clean = kind === 'code' ? text.replace(/^\n+|\s+$/g, '') : text.replace(/\s+/g, ' ').trim();
    text = '';
    if (!clean) return;
    blocks.push(level ? { kind, level, text: clean, page, line: null } : { kind, text: clean, page, line: null });
  };
  const parser = new Parser(
    {
      onopentag(name) {
        deepest = Math.max(deepest, ++depth);
        if (SKIP.test(name)) skipping++;
        else if (BLOCK.test(name)) {
          flush();
          if (name === 'pre') code++;
          const heading = /^h([1-6])$/.exec(name);
          if (heading) headings.push(Number(heading[1]));
        } else if (name === 'br' && code === 0) text += ' ';
      },
      onclosetag(name) {
        depth = Math.max(0, depth - 1);
        if (SKIP.test(name)) skipping = Math.max(0, skipping - 1);
        else if (name === 'td' || name === 'th') text += ' ';
        else if (BLOCK.test(name)) {
          flush();
          if (name === 'pre') code = Math.max(0, code - 1);
          if (/^h[1-6]$/.test(name)) headings.pop();
        }
      },
      ontext(chunk) {
        if (skipping === 0) text += chunk;
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  flush();
  return { blocks, depth: deepest };
}
