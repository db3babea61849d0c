import { parseHTML } from 'linkedom';

/** One entry of electron-updater's `releaseNotes` when it lists several versions. */
export interface ReleaseNoteEntry {
  version: string;
  note: string | null;
}

/**
 * Release notes as plain text. GitHub's feed gives HTML; the UI shows text, so nothing from
 * the network is ever rendered as markup.
 */
export function releaseNotesText(notes: string | readonly ReleaseNoteEntry[] | null | undefined): string | null {
  if (notes == null) return null;
  if (typeof notes !== 'string') {
    const parts = notes.map((entry) => `${entry.version}\n${releaseNotesText(entry.note) ?? ''}`.trim());
    return parts.length > 0 ? parts.join('\n\n') : null;
  }
  const { document } = parseHTML(`<!doctype html><html><body>${notes}</body></html>`);
  for (const item of document.querySelectorAll('li')) item.prepend('• ');
  for (const block of document.querySelectorAll('p, li, h1, h2, h3, h4, br, div')) block.append('\n');
  const text = (document.body.textContent ?? '').replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
  return text.length > 0 ? text : null;
}
