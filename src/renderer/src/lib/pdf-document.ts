import type * as PdfJsModule from 'unpdf/pdfjs';
import type { PDFDocumentProxy, PDFPageProxy } from 'unpdf/pdfjs';
import { passageItems, termSpans } from './pdf-highlight';

/** A box over the rendered page, in CSS pixels: part of the passage, or one of the query's words. */
export interface HighlightBox {
  left: number;
  top: number;
  width: number;
  height: number;
  kind: 'passage' | 'term';
}

type PdfJs = typeof PdfJsModule;
let pdfjs: Promise<PdfJs> | null = null;

/**
 * Opens a PDF from its bytes with pdf.js (unpdf's build, which runs its worker in the page, so
 * the strict CSP needs no worker URL). Loaded on first use: most sessions never open a PDF.
 */
export async function openPdf(base64: string): Promise<PDFDocumentProxy> {
  const lib = await (pdfjs ??= import('unpdf/pdfjs'));
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return lib.getDocument({ data: bytes, isEvalSupported: false, useSystemFonts: true }).promise;
}

/** Draws one page to fit `width` and returns the boxes to highlight on it. */
export async function renderPage(
  page: PDFPageProxy,
  canvas: HTMLCanvasElement,
  width: number,
  mark: { passage: string | null; terms: readonly string[] },
): Promise<HighlightBox[]> {
  const { Util } = await (pdfjs ??= import('unpdf/pdfjs'));
  const scale = Math.min(2.5, Math.max(0.3, width / page.getViewport({ scale: 1 }).width));
  const viewport = page.getViewport({ scale });
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.style.width = `${Math.floor(viewport.width)}px`;
  canvas.style.height = `${Math.floor(viewport.height)}px`;
  await page.render({
    canvas,
    canvasContext: canvas.getContext('2d')!,
    viewport,
    transform: ratio === 1 ? undefined : [ratio, 0, 0, ratio, 0, 0],
  }).promise;

  const content = await page.getTextContent();
  const items = content.items.filter((item) => 'str' in item);
  const measure = document.createElement('canvas').getContext('2d');
  const inPassage = mark.passage ? passageItems(items, mark.passage) : new Set<number>();
  const boxes: HighlightBox[] = [];
  items.forEach((item, i) => {
    const tx = Util.transform(viewport.transform, item.transform);
    const height = Math.hypot(tx[2]!, tx[3]!);
    const box = { left: tx[4]!, top: tx[5]! - height, width: item.width * scale, height };
    if (inPassage.has(i)) boxes.push({ ...box, kind: 'passage' });
    const spans = termSpans(item.str, mark.terms);
    if (spans.length === 0) return;
    // Where a word starts inside the item: measured in the item's font family, scaled to its drawn width.
    if (measure) measure.font = `100px ${content.styles[item.fontName]?.fontFamily ?? 'sans-serif'}`;
    const whole = measure?.measureText(item.str).width || item.str.length;
    const at = (index: number) =>
      ((measure ? measure.measureText(item.str.slice(0, index)).width : index) / whole) * box.width;
    for (const span of spans) {
      const left = box.left + at(span.start);
      boxes.push({ left, top: box.top, width: box.left + at(span.end) - left, height, kind: 'term' });
    }
  });
  return boxes;
}
