import { Parser } from 'htmlparser2';
import { MAX_NESTING, nestingDepth } from './markup';

/** An XML part nested deeper than any real document; the extractor turns it into a file problem. */
export class NestingError extends Error {
  override readonly name = 'NestingError';
}

/** What a document reader hears while a streaming parser walks an XML part. */
export interface XmlHandlers {
  open?(name: string, attributes: Record<string, string>): void;
  close?(name: string): void;
  text?(text: string): void;
}

/**
 * Walks XML as a stream of open, text and close events. htmlparser2 is one linear pass with no
 * backtracking and no tree, so hostile input (unclosed rows, deep nesting, stray entities) costs
 * time in proportion to its size (nesting aside, which is bounded first); an unknown or malformed
 * entity is kept as written instead of failing the whole part.
 */
export function walkXml(xml: string, handlers: XmlHandlers): void {
  if (nestingDepth(xml) > MAX_NESTING) {
    throw new NestingError(`its XML is nested more than ${MAX_NESTING.toLocaleString('en-US')} levels deep`);
  }
  const parser = new Parser(
    {
      onopentag: (name, attributes) => handlers.open?.(name, attributes),
      onclosetag: (name) => handlers.close?.(name),
      ontext: (text) => handlers.text?.(text),
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(xml);
  parser.end();
}

/**
 * Collects the text of every `element` (with the `inner` elements' text only, when given), in
 * document order. Nested elements of the same name each yield their own piece.
 */
export function elementTexts(
  xml: string,
  element: string,
  options: { inner?: ReadonlySet<string>; breaks?: ReadonlySet<string> } = {},
): string[] {
  const out: string[] = [];
  const open: string[][] = [];
  let innerDepth = 0;
  walkXml(xml, {
    open(name) {
      if (name === element) open.push([]);
      else if (options.inner?.has(name)) innerDepth++;
      else if (options.breaks?.has(name)) open.at(-1)?.push(' ');
    },
    close(name) {
      if (name === element) {
        const parts = open.pop();
        if (parts) out.push(parts.join(''));
      } else if (options.inner?.has(name)) innerDepth = Math.max(0, innerDepth - 1);
    },
    text(text) {
      if (!options.inner || innerDepth > 0) open.at(-1)?.push(text);
    },
  });
  return out;
}
