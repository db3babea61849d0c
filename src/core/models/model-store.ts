import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { ModelRoleSchema, type InstalledModel, type ModelRole } from '../../shared/contract/models';
import { checkGgufFile, type GgufFacts } from './gguf-check';
import * as v from 'valibot';
import { readJsonState, type OnStateDamage } from '../state';
import { InvalidModelFileError, ModelNotInstalledError } from './errors';

const MeasuredSpeedSchema = v.object({
  tokensPerSecond: v.number(),
  /** The evaluation threads it ran with. */
  threads: v.number(),
  /** When, in milliseconds since the epoch. */
  at: v.number(),
});
export type MeasuredSpeed = v.InferOutput<typeof MeasuredSpeedSchema>;

const ModelRecordSchema = v.object({
  role: ModelRoleSchema,
  sha256: v.nullable(v.string()),
  catalogId: v.nullable(v.string()),
  /** The speed of its first real generation here; absent until it has written an answer. */
  measured: v.optional(MeasuredSpeedSchema),
});
const ModelIndexSchema = v.record(v.string(), ModelRecordSchema);

/** What Hearth remembers about an installed file beyond the file itself. */
type ModelRecord = v.InferOutput<typeof ModelRecordSchema>;

const INDEX_FILE = 'models.json';

/**
 * The models folder: GGUF files by name plus a small index of their roles and checksums.
 * Only complete, checked files ever get a `.gguf` name here; work in progress is `.part`.
 */
export class ModelStore {
  private readonly _facts = new Map<string, { mtimeMs: number; facts: GgufFacts }>();

  constructor(
    readonly dir: string,
    private readonly _onDamage?: OnStateDamage,
  ) {}

  pathOf(file: string): string {
    if (basename(file) !== file || file.startsWith('.')) throw new ModelNotInstalledError(file);
    return join(this.dir, file);
  }

  /** The absolute path of an installed model, or ModelNotInstalledError. */
  async require(file: string): Promise<string> {
    const path = this.pathOf(file);
    try {
      await stat(path);
    } catch {
      throw new ModelNotInstalledError(file);
    }
    return path;
  }

  async list(): Promise<Omit<InstalledModel, 'fit'>[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.toLowerCase().endsWith('.gguf')).sort();
    } catch {
      return [];
    }
    const index = await this._readIndex();
    const out: Omit<InstalledModel, 'fit'>[] = [];
    for (const file of names) {
      // Not a readable GGUF (cut short, replaced by hand): not a model to list; use makes the error visible.
      const facts = await this.facts(file).catch(() => null);
      if (!facts) continue;
      const record = index[file];
      out.push({
        file,
        path: this.pathOf(file),
        bytes: facts.bytes,
        role: record?.role ?? facts.suggestedRole,
        sha256: record?.sha256 ?? null,
        catalogId: record?.catalogId ?? null,
        architecture: facts.architecture,
        contextLength: facts.contextLength,
        hasChatTemplate: facts.hasChatTemplate,
        ...(record?.measured
          ? { speed: { tokensPerSecond: round1(record.measured.tokensPerSecond), measured: true } }
          : {}),
      });
    }
    return out;
  }

  /** GGUF facts of an installed file, cached until the file changes. */
  async facts(file: string): Promise<GgufFacts> {
    const path = this.pathOf(file);
    const { mtimeMs } = await stat(path);
    const cached = this._facts.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached.facts;
    const facts = await checkGgufFile(path);
    this._facts.set(file, { mtimeMs, facts });
    return facts;
  }

  /**
   * Copies a local GGUF file in after checking it is complete: to a `.part` name first, then
   * renamed, so a half-copied file is never listed or loaded.
   */
  async import(source: string, role?: ModelRole): Promise<string> {
    const from = resolve(source);
    const facts = await checkGgufFile(from);
    const file = this.fileNameFor(source);
    await mkdir(this.dir, { recursive: true });
    const target = this.pathOf(file);
    if (resolve(target) !== from) {
      const part = `${target}.part`;
      await copyFile(from, part);
      try {
        const copied = (await stat(part)).size;
        if (copied !== facts.bytes) throw new InvalidModelFileError(from, 'the copy came out a different size');
        await rename(part, target);
      } catch (error) {
        await rm(part, { force: true });
        throw error;
      }
    }
    await this.record(file, { role: role ?? facts.suggestedRole, sha256: await sha256File(target), catalogId: null });
    return file;
  }

  /** The name a file imported from `source` gets in the models folder. */
  fileNameFor(source: string): string {
    const file = basename(resolve(source));
    return file.toLowerCase().endsWith('.gguf') ? file : `${file}.gguf`;
  }

  async record(file: string, record: ModelRecord): Promise<void> {
    const index = await this._readIndex();
    // The same file keeps its measured speed through a change of role.
    const kept = index[file]?.sha256 === record.sha256 ? index[file]?.measured : undefined;
    index[file] = kept && !record.measured ? { ...record, measured: kept } : record;
    await this._writeIndex(index);
  }

  /**
   * Keeps the speed of a model's first generation long enough to measure; later ones do not
   * replace it, so the figure stays the one first shown. A file no longer installed is skipped.
   */
  async recordSpeed(file: string, speed: Omit<MeasuredSpeed, 'at'>): Promise<void> {
    const index = await this._readIndex();
    const record = index[file];
    if (record?.measured) return;
    // A file that cannot be read has nothing to record a speed against.
    const facts = record ? null : await this.facts(file).catch(() => null);
    if (!record && !facts) return;
    index[file] = {
      ...(record ?? { role: facts!.suggestedRole, sha256: null, catalogId: null }),
      measured: { ...speed, at: Date.now() },
    };
    await this._writeIndex(index);
  }

  async remove(file: string): Promise<void> {
    const path = await this.require(file);
    await rm(path, { force: true });
    this._facts.delete(file);
    const index = await this._readIndex();
    delete index[file];
    await this._writeIndex(index);
  }

  private async _readIndex(): Promise<Record<string, ModelRecord>> {
    const state = await readJsonState(join(this.dir, INDEX_FILE), ModelIndexSchema, {
      onDamage: this._onDamage,
      consequence:
        'installed models keep working; their roles are guessed from the files until you import them again with a role on the Models page (checksums are re-read on the next download).',
    });
    return state.kind === 'value' ? state.value : {};
  }

  private async _writeIndex(index: Record<string, ModelRecord>): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(join(this.dir, INDEX_FILE), JSON.stringify(index, null, 2));
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
