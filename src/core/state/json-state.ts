import { readFile, rename } from 'node:fs/promises';
import { basename } from 'node:path';
import * as v from 'valibot';
import { issuesAsClause } from '../../shared/issue-words/word-issues';

/** A state file that could not be used; it was renamed aside, never deleted. */
export interface StateDamage {
  /** The file Hearth tried to read. */
  file: string;
  /** Where the damaged file is now (`<file>.damaged-<time>`), or null when it could not be moved. */
  aside: string | null;
  /** What was wrong with it ("is not valid JSON", "has invalid values (...)"). */
  problem: string;
  /** What Hearth does instead, for the user ("the library keeps its index and ..."). */
  consequence: string;
}

/** Where damage is reported: the engine logs it and posts a notice. */
export type OnStateDamage = (damage: StateDamage) => void;

export type JsonState<T> = { kind: 'value'; value: T } | { kind: 'missing' } | { kind: 'damaged'; damage: StateDamage };

export interface ReadJsonStateOptions {
  /** Told about a damaged file after it was set aside. Default: nobody (tests). */
  onDamage?: OnStateDamage;
  /** What the caller does instead, for the notice. */
  consequence: string;
}

/**
 * Reads one JSON state file and validates it against its schema. A missing file is `missing`;
 * a file that is not JSON or does not match is renamed to `<file>.damaged-<time>`, reported,
 * and returned as `damaged`, so the caller can never mistake it for an empty state and write
 * an empty default over the user's data.
 */
export async function readJsonState<S extends v.GenericSchema>(
  file: string,
  schema: S,
  options: ReadJsonStateOptions,
): Promise<JsonState<v.InferOutput<S>>> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { kind: 'damaged', damage: await setAside(file, 'is not valid JSON (it may have been cut short)', options) };
  }
  const parsed = v.safeParse(schema, data);
  if (!parsed.success) {
    const problem = `does not hold what Hearth expects (${issuesAsClause(schema, parsed.issues)})`;
    return { kind: 'damaged', damage: await setAside(file, problem, options) };
  }
  return { kind: 'value', value: parsed.output };
}

/** `<file>.damaged-2026-12-01T18-40-00.000Z`: a name that sorts by time and is valid on Windows. */
export function damagedName(file: string, now = new Date()): string {
  return `${file}.damaged-${now.toISOString().replaceAll(':', '-')}`;
}

/** Renames a damaged state file aside and reports it; the file is never deleted. */
export async function setAside(
  file: string,
  problem: string,
  { onDamage, consequence }: ReadJsonStateOptions,
): Promise<StateDamage> {
  let aside: string | null = damagedName(file);
  try {
    await rename(file, aside);
  } catch {
    // Left where it is (a read-only folder, say); the notice says so, and nothing overwrites it here.
    aside = null;
  }
  const damage: StateDamage = { file, aside, problem, consequence };
  onDamage?.(damage);
  return damage;
}

/** The notice for a damaged state file: what happened, where the file is kept, what Hearth did. */
export function damageMessage(damage: StateDamage): string {
  const kept = damage.aside
    ? `Hearth kept it as ${basename(damage.aside)} in the same folder`
    : 'Hearth could not move it aside and left it in place';
  return `${damage.file} ${damage.problem}. ${kept}; ${damage.consequence}`;
}
