import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import type { Block } from './types';

const BLOCK_TAGS = new Set(['P', 'LI', 'PRE', 'BLOCKQUOTE', 'TR', 'DT', 'DD', 'FIGCAPTION', 'CAPTION', 'ADDRESS']);
/** Elements that hold blocks: an element with one of these inside is walked, not read whole. */
const CONTAINER =
  /^(H[1-6]|UL|OL|DL|MENU|TABLE|THEAD|TBODY|TFOOT|DIV|SECTION|ARTICLE|MAIN|ASIDE|HEADER|FOOTER|NAV|FIGURE|FORM|FIELDSET|DETAILS)$/;

interface DomNode {
  nodeType: number;
  tagName?: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
}

/** Blocks (headings, paragraphs, code) of an HTML body, in reading order. */
export function htmlBlocks(html: string, options: { readable?: boolean; page?: number | null } = {}): Block[] {
  const { document } = parseHTML(html.includes('<html') ? html : `<!doctype html><html><body>${html}</body></html>`);
  let root: DomNode = document.body as unknown as DomNode;
  if (options.readable) {
    try {
      // Readability drops navigation, ads and footers; fall back to the whole body when it finds no article.
      const article = new Readability(document.cloneNode(true) as unknown as Document).parse();
      if (article?.content && (article.textContent ?? '').trim().length > 200) {
        root = parseHTML(`<!doctype html><html><body>${article.content}</body></html>`).document
          .body as unknown as DomNode;
      }
    } catch {
      // keep the whole body
    }
  }
  const blocks: Block[] = [];
  const page = options.page ?? null;
  const push = (kind: Block['kind'], raw: string, level?: number) => {
    const text = kind === 'code' ? raw.replace(/^\n+|\s+$/g, '') : raw.replace(/\s+/g, ' ').trim();
    if (text) blocks.push(level ? { kind, level, text, page, line: null } : { kind, text, page, line: null });
  };
  // An explicit stack instead of recursion: hostile nesting (100k levels) must not overflow.
  const stack: { children: DomNode[]; next: number }[] = [{ children: Array.from(root.childNodes), next: 0 }];
  while (stack.length > 0) {
    const frame = stack.at(-1)!;
    const child = frame.children[frame.next++];
    if (!child) {
      stack.pop();
      continue;
    }
    if (child.nodeType !== 1) {
      // Loose text beside blocks (text straight inside a <div>) is content too.
      if (child.nodeType === 3) push('text', child.textContent ?? '');
      continue;
    }
    const tag = child.tagName ?? '';
    if (tag === 'SCRIPT' || tag === 'STYLE' || tag === 'NOSCRIPT' || tag === 'TEMPLATE') continue;
    const heading = /^H([1-6])$/.exec(tag);
    if (heading) push('heading', child.textContent ?? '', Number(heading[1]));
    else if (tag === 'PRE') push('code', child.textContent ?? '');
    else if (tag === 'TR') {
      const cells = Array.from(child.childNodes)
        .filter((c) => c.nodeType === 1)
        .map((c) => (c.textContent ?? '').trim());
      push('text', cells.join('\t'));
    } else if (!hasBlockChild(child)) push('text', child.textContent ?? '');
    else stack.push({ children: Array.from(child.childNodes), next: 0 });
  }
  return blocks;
}

function hasBlockChild(node: DomNode): boolean {
  return Array.from(node.childNodes).some(
    (c) => c.nodeType === 1 && (BLOCK_TAGS.has(c.tagName ?? '') || CONTAINER.test(c.tagName ?? '')),
  );
}
