import { cp, mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import writeFileAtomic from 'write-file-atomic';
import { DataVersionError } from '../settings/errors';
import { readJsonState, type OnStateDamage } from '../state';
import { DataMigrationError } from './data-migration-error';
import type { DataMigration, DataPart, DataVersionMarker } from './data-migration';
import { DATA_PARTS } from './data-parts';

export const DATA_VERSION_FILE = 'data-version.json';

/**
 * Data folders made before the marker existed hold every part in format 1, the first released
 * one; they are treated as that.
 */
const UNMARKED_VERSION = 1;

const MarkerSchema = v.object({
  parts: v.record(v.string(), v.pipe(v.number(), v.integer(), v.minValue(0))),
  writtenBy: v.optional(v.string(), 'unknown'),
});

export interface OpenDataDirectoryOptions {
  dataDir: string;
  /** Written into the marker. */
  appVersion: string;
  /** Default: DATA_PARTS. */
  parts?: readonly DataPart[];
  /** Default: none (every part is at its first format). */
  migrations?: readonly DataMigration[];
  /** Called once per migrated part, after it succeeded; for the log. */
  onMigrated?: (part: string, from: number, to: number, backup: string) => void;
  /** Told when the marker was damaged (cut short, not JSON) and set aside. */
  onDamage?: OnStateDamage;
  signal?: AbortSignal;
}

export interface DataDirectoryReport {
  /** Parts that were migrated, with the backup made first. */
  migrated: { part: string; from: number; to: number; backup: string }[];
  /** True when the marker did not exist before (a new or pre-marker folder). */
  created: boolean;
}

/**
 * Checks the data folder's format before anything else opens it. A folder written by a newer
 * Hearth is refused with DataVersionError and left untouched; an older one is backed up part by
 * part, migrated, and re-marked. A failed migration restores the part from its backup.
 */
export async function openDataDirectory(options: OpenDataDirectoryOptions): Promise<DataDirectoryReport> {
  const { dataDir, appVersion } = options;
  const parts = options.parts ?? DATA_PARTS;
  const migrations = options.migrations ?? [];
  const markerFile = join(dataDir, DATA_VERSION_FILE);
  const existing = await readMarker(markerFile, options.onDamage);

  const found = (part: DataPart) => existing?.parts[part.name] ?? (existing ? 0 : UNMARKED_VERSION);
  // Every part is checked before any is touched, so a refusal changes nothing at all.
  for (const part of parts) {
    if (found(part) > part.version) throw new DataVersionError(markerFile, found(part), part.version);
  }

  const report: DataDirectoryReport = { migrated: [], created: existing === undefined };
  for (const part of parts) {
    const from = found(part);
    if (from >= part.version || part.migratesItself) continue;
    options.signal?.throwIfAborted();
    const backup = await backUp(dataDir, part, from);
    for (let step = from; step < part.version; step++) {
      const migration = migrations.find((m) => m.part === part.name && m.from === step);
      try {
        if (!migration) throw new Error(`no migration from format ${step} to ${step + 1}`);
        await migration.migrate(dataDir, { signal: options.signal });
      } catch (error) {
        await restore(dataDir, part, backup);
        throw new DataMigrationError(part.name, from, backup, error);
      }
    }
    report.migrated.push({ part: part.name, from, to: part.version, backup });
    options.onMigrated?.(part.name, from, part.version, backup);
  }

  const next: DataVersionMarker = {
    // Parts a newer Hearth added are kept, so going back and forth does not forget them.
    parts: { ...existing?.parts, ...Object.fromEntries(parts.map((p) => [p.name, p.version])) },
    writtenBy: appVersion,
  };
  if (!existing || JSON.stringify(existing.parts) !== JSON.stringify(next.parts) || existing.writtenBy !== appVersion) {
    await mkdir(dataDir, { recursive: true });
    await writeFileAtomic(markerFile, `${JSON.stringify(next, null, 2)}\n`, { fsync: true });
  }
  return report;
}

async function readMarker(file: string, onDamage?: OnStateDamage): Promise<DataVersionMarker | undefined> {
  // Damage (a torn or garbled file) is set aside and the folder treated as unmarked, the first
  // format, like folders from before the marker; every part still checks its own files.
  const state = await readJsonState(file, v.unknown(), {
    onDamage,
    consequence: 'Hearth treated the data folder as format 1 and wrote a new marker; your data is untouched.',
  });
  if (state.kind !== 'value') return undefined;
  const parsed = v.safeParse(MarkerSchema, state.value);
  if (!parsed.success) {
    // Readable JSON in a shape this version does not know might come from a newer Hearth;
    // guessing could damage the folder, so it is refused untouched.
    throw new DataVersionError(file, Number.NaN, Math.max(...DATA_PARTS.map((p) => p.version)));
  }
  return parsed.output;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function backUp(dataDir: string, part: DataPart, from: number): Promise<string> {
  const stamp = new Date().toISOString().replaceAll(':', '-');
  const backup = join(dataDir, 'backups', `${stamp}-${part.name}-v${from}`);
  await mkdir(backup, { recursive: true });
  for (const path of part.paths) {
    if (await exists(join(dataDir, path))) {
      await cp(join(dataDir, path), join(backup, path), { recursive: true, errorOnExist: true, force: false });
    }
  }
  return backup;
}

async function restore(dataDir: string, part: DataPart, backup: string): Promise<void> {
  for (const path of part.paths) {
    await rm(join(dataDir, path), { recursive: true, force: true });
    if (await exists(join(backup, path))) await cp(join(backup, path), join(dataDir, path), { recursive: true });
  }
}
