/** Where a page number points: PDF page, slide, sheet or EPUB chapter. */
export type PageKind = 'page' | 'slide' | 'sheet' | 'chapter';

/** One structural piece of a document, in reading order. */
export interface Block {
  kind: 'heading' | 'text' | 'code';
  /** Heading level 1..6 (headings only). */
  level?: number;
  text: string;
  /** 1-based page, slide, sheet or chapter; null for formats without pages. */
  page: number | null;
  /** 1-based first line in the file (or page for PDFs); null when the format has no lines. */
  line: number | null;
}

export interface ExtractedDocument {
  /** File type by what it is (pdf, docx, md, txt, code, ...). */
  type: string;
  pageKind: PageKind | null;
  blocks: Block[];
  /** Something the user should know although the file was read (only part of it was indexed). */
  note?: string;
}

/** Limits that keep one hostile file from taking the process down. */
export interface ExtractLimits {
  /** Bytes an archive (docx, pptx, epub...) may expand to in total. */
  maxUnpackedBytes: number;
  /** Expansion ratio beyond which a big archive is treated as a zip bomb. */
  maxRatio: number;
  /**
   * Bytes of the wanted parts (the document's XML) an archive may unpack into memory. Counted
   * apart from maxUnpackedBytes, which bounds the work, so what a reader holds stays small.
   */
  maxKeptBytes: number;
  /** Pages of a PDF that are read; the rest is left out with a note. */
  maxPdfPages: number;
}
