/** What the viewer needs of a pdf.js text item. */
export interface PdfTextItem {
  str: string;
}

const squeeze = (text: string) => text.toLowerCase().replace(/\s+/g, '');

/**
 * The text items of a page that hold the passage. Spacing differs between pdf.js's items and
 * the text the index was built from, so both are compared without whitespace; when the whole
 * passage is not found, its first and last 60 letters mark where it starts and ends.
 */
export function passageItems(items: readonly PdfTextItem[], passage: string): Set<number> {
  let page = '';
  const owner: number[] = [];
  items.forEach((item, i) => {
    const s = squeeze(item.str);
    page += s;
    for (let k = 0; k < s.length; k++) owner.push(i);
  });
  const wanted = squeeze(passage);
  if (!wanted) return new Set();
  let start = page.indexOf(wanted);
  let end = start + wanted.length;
  if (start < 0) {
    start = page.indexOf(wanted.slice(0, 60));
    const tail = wanted.slice(-60);
    const tailAt = page.indexOf(tail, Math.max(0, start));
    end = tailAt >= 0 ? tailAt + tail.length : start >= 0 ? start + Math.min(wanted.length, page.length - start) : -1;
  }
  if (start < 0 || end <= start) return new Set();
  return new Set(owner.slice(start, end));
}

/** Where words starting with one of the terms occur in one item's text. */
export function termSpans(text: string, terms: readonly string[]): { start: number; end: number }[] {
  const words = terms.map((t) => t.toLowerCase()).filter((t) => t.length >= 2);
  if (words.length === 0) return [];
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})[\\p{L}\\p{N}]*`, 'giu');
  return [...text.matchAll(pattern)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}
