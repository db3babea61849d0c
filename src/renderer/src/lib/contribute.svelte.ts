/** "22-7" -> [22, 23, 0, ..., 6]; "" -> [] (any hour); null when it cannot be read. */
export function parseHours(text: string): number[] | null {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const match = /^(\d{1,2})\s*-\s*(\d{1,2})$/.exec(trimmed);
  if (!match) return null;
  const from = Number(match[1]);
  const to = Number(match[2]);
  if (from > 23 || to > 24 || from === to) return null;
  const hours: number[] = [];
  for (let h = from; h !== to % 24; h = (h + 1) % 24) hours.push(h);
  return hours;
}

/** [22, 23, 0, ..., 6] -> "22-7"; [] -> "". */
export function formatHours(hours: readonly number[]): string {
  if (hours.length === 0) return '';
  const start = hours.find((h) => !hours.includes((h + 23) % 24)) ?? hours[0]!;
  return `${start}-${(start + hours.length) % 24}`;
}
