import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * The Cranfield collection in ../shared/datasets: 1,400 aeronautics abstracts, 225 queries.
 * HEARTH_CRANFIELD points elsewhere (a git worktree does not sit beside shared/).
 */
const CRANFIELD = process.env.HEARTH_CRANFIELD || resolve('../shared/datasets/cranfield');

export interface Cranfield {
  docs: { id: string; text: string }[];
  /** Query texts; query n (as cranqrel numbers them) is `queries[n - 1]`. */
  queries: string[];
  /** Query number → document id → graded gain (4 best, 0 not relevant). */
  qrels: Map<number, Map<string, number>>;
}

/** SMART format: `.I id` opens a record, `.T`, `.A`, `.B`, `.W` open its fields. */
function parseSmart(raw: string): { id: string; fields: Map<string, string> }[] {
  return raw
    .split(/^\.I\s+/m)
    .slice(1)
    .map((block) => {
      const [idLine, ...rest] = block.split('\n');
      const fields = new Map<string, string>();
      let field = '';
      for (const line of rest) {
        const marker = /^\.([TABW])\s*$/.exec(line);
        if (marker) field = marker[1]!;
        else if (field) fields.set(field, `${fields.get(field) ?? ''}${line}\n`);
      }
      return { id: idLine!.trim(), fields };
    });
}

/** Gains from Cleverdon's codes: 1 (complete answer) = 4 ... 4 (minimum interest) = 1; -1 = 0. */
const gain = (code: number) => (code >= 1 && code <= 4 ? 5 - code : 0);

export async function loadCranfield(): Promise<Cranfield> {
  const docs = parseSmart(await readFile(`${CRANFIELD}/cran.all.1400`, 'latin1')).map(({ id, fields }) => ({
    id,
    text: `${(fields.get('T') ?? '').trim()}\n\n${(fields.get('W') ?? '').trim()}`,
  }));
  const queries = parseSmart(await readFile(`${CRANFIELD}/cran.qry`, 'latin1')).map(({ fields }) =>
    (fields.get('W') ?? '').replace(/\s+/g, ' ').trim(),
  );
  const qrels = new Map<number, Map<string, number>>();
  for (const line of (await readFile(`${CRANFIELD}/cranqrel`, 'utf8')).split('\n')) {
    const [q, d, code] = line.trim().split(/\s+/).map(Number);
    if (!q || !d || code === undefined) continue;
    if (!qrels.has(q)) qrels.set(q, new Map());
    qrels.get(q)!.set(String(d), gain(code));
  }
  return { docs, queries, qrels };
}

/** One `<id>.txt` per document, the way a user's folder would hold them. */
export async function writeCorpus(folder: string, docs: Cranfield['docs']): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (const doc of docs) await writeFile(join(folder, `${doc.id}.txt`), doc.text);
}

export function averagePrecision(ranked: readonly string[], judged: ReadonlyMap<string, number>): number {
  const relevant = [...judged.values()].filter((g) => g > 0).length;
  if (relevant === 0) return 0;
  let hits = 0;
  let sum = 0;
  ranked.forEach((doc, i) => {
    if ((judged.get(doc) ?? 0) > 0) sum += ++hits / (i + 1);
  });
  return sum / relevant;
}

export function ndcgAt(ranked: readonly string[], judged: ReadonlyMap<string, number>, k: number): number {
  const dcg = ranked.slice(0, k).reduce((sum, doc, i) => sum + (judged.get(doc) ?? 0) / Math.log2(i + 2), 0);
  const ideal = [...judged.values()]
    .sort((a, b) => b - a)
    .slice(0, k)
    .reduce((sum, g, i) => sum + g / Math.log2(i + 2), 0);
  return ideal > 0 ? dcg / ideal : 0;
}

export function recallAt(ranked: readonly string[], judged: ReadonlyMap<string, number>, k: number): number {
  const relevant = [...judged.entries()].filter(([, g]) => g > 0).map(([d]) => d);
  if (relevant.length === 0) return 0;
  const top = new Set(ranked.slice(0, k));
  return relevant.filter((d) => top.has(d)).length / relevant.length;
}
