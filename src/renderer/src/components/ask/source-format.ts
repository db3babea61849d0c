import type { AskSource } from '../../../../shared/contract/ask';

export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** "page 3 · lines 10-24" for a source; empty when it has no location. */
export function locationLabel(source: Pick<AskSource, 'page' | 'pageKind' | 'lineStart' | 'lineEnd'>): string {
  const parts: string[] = [];
  if (source.page !== null) parts.push(`${source.pageKind ?? 'page'} ${source.page}`);
  if (source.lineStart !== null) {
    parts.push(
      source.lineEnd !== null && source.lineEnd !== source.lineStart
        ? `lines ${source.lineStart}-${source.lineEnd}`
        : `line ${source.lineStart}`,
    );
  }
  return parts.join(' · ');
}

/** "40 s", "3 min": how long a whole-document answer has left, rounded as a person would say it. */
export function timeLeft(seconds: number): string {
  if (seconds < 60) return `${Math.max(5, Math.round(seconds / 5) * 5)} s`;
  return `${Math.round(seconds / 60)} min`;
}

/** Splits an answer into text and [n] citation markers. */
export function splitCitations(text: string): ({ kind: 'text'; text: string } | { kind: 'cite'; numbers: number[] })[] {
  const parts: ({ kind: 'text'; text: string } | { kind: 'cite'; numbers: number[] })[] = [];
  let last = 0;
  for (const match of text.matchAll(/\[(\d{1,4}(?:\s*,\s*\d{1,4})*)\]/g)) {
    if (match.index > last) parts.push({ kind: 'text', text: text.slice(last, match.index) });
    parts.push({ kind: 'cite', numbers: match[1]!.split(',').map((n) => Number(n.trim())) });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

/** Splits a snippet into plain and highlighted runs: words starting with a query term's stem. */
export function highlight(text: string, terms: readonly string[]): { text: string; mark: boolean }[] {
  const stems = terms.map((t) => t.toLowerCase().slice(0, Math.max(3, Math.min(t.length, 5)))).filter(Boolean);
  if (stems.length === 0) return [{ text, mark: false }];
  const escaped = stems.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`\\b(?:${escaped.join('|')})[\\p{L}\\p{N}]*`, 'giu');
  const runs: { text: string; mark: boolean }[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) runs.push({ text: text.slice(last, match.index), mark: false });
    runs.push({ text: match[0], mark: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) runs.push({ text: text.slice(last), mark: false });
  return runs;
}
