/**
 * Linear scans over HTML and XML markup that need no parser: how deep the elements nest, and
 * the text with the tags taken out. Parsers keep their open elements in a list they shift and
 * unshift (htmlparser2) or build a tree (linkedom), so their cost grows with the square of the
 * nesting; these decide, in one pass, whether a document is safe to hand to them.
 */

/** HTML elements that never have an end tag. */
const VOID = new Set(
  'area base br col embed hr img input keygen link meta param source track wbr basefont bgsound frame'.split(' '),
);

/** Nesting past which a document is not given to a parser. Real documents nest a few hundred levels. */
export const MAX_NESTING = 10_000;

/** An upper bound of the element nesting: opens minus closes, void and self-closing tags aside. */
export function nestingDepth(markup: string, options: { html?: boolean } = {}): number {
  let depth = 0;
  let deepest = 0;
  for (const tag of tags(markup)) {
    if (tag.closing) depth = Math.max(0, depth - 1);
    else if (!tag.selfClosing && !(options.html && VOID.has(tag.name))) deepest = Math.max(deepest, ++depth);
  }
  return deepest;
}

/** The text of markup with every tag, comment and declaration removed (tags become spaces). */
export function stripTags(markup: string): string {
  const parts: string[] = [];
  let at = 0;
  for (const tag of tags(markup)) {
    parts.push(markup.slice(at, tag.start), ' ');
    at = tag.end;
  }
  parts.push(markup.slice(at));
  return parts.join('');
}

interface Tag {
  name: string;
  closing: boolean;
  selfClosing: boolean;
  start: number;
  end: number;
}

/** Every tag in order; comments, CDATA, declarations and processing instructions are skipped whole. */
function* tags(markup: string): Generator<Tag> {
  let at = markup.indexOf('<');
  while (at !== -1) {
    let end: number;
    if (markup.startsWith('<!--', at)) end = close(markup, '-->', at + 4);
    else if (markup.startsWith('<![CDATA[', at)) end = close(markup, ']]>', at + 9);
    else {
      end = close(markup, '>', at + 1);
      const closing = markup[at + 1] === '/';
      const nameStart = closing ? at + 2 : at + 1;
      let nameEnd = nameStart;
      while (nameEnd < end && /[\w:.-]/.test(markup[nameEnd]!)) nameEnd++;
      if (nameEnd > nameStart && /[a-zA-Z_]/.test(markup[nameStart]!)) {
        yield {
          name: markup.slice(nameStart, nameEnd).toLowerCase(),
          closing,
          selfClosing: markup[end - 2] === '/',
          start: at,
          end,
        };
      }
    }
    if (end >= markup.length) return;
    at = markup.indexOf('<', end);
  }
}

/** The index just past `terminator` (searched from `from`), or the end of the markup. */
function close(markup: string, terminator: string, from: number): number {
  const found = markup.indexOf(terminator, from);
  return found === -1 ? markup.length : found + terminator.length;
}
