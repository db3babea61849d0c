import { copyFile, readFile } from 'node:fs/promises';
import * as v from 'valibot';
import writeFileAtomic from 'write-file-atomic';
import {
  DEFAULT_SETTINGS,
  SETTINGS_VERSION,
  SettingsSchema,
  type Settings,
  type SettingsPatch,
} from '../../shared/settings';
import { issuesAsClause } from '../../shared/issue-words/word-issues';
import { DisposedError } from '../disposable';
import { damageMessage, setAside as setStateAside } from '../state';
import { DataVersionError } from './errors';
import { SETTINGS_MIGRATIONS, type SettingsMigration } from './migrations';

export interface SettingsStoreOptions {
  /** The JSON file that holds the settings; created on first write. */
  file: string;
  /** Called after every change, with the new settings. */
  onChange?: (settings: Settings) => void;
  /** Called when the file could not be used and was set aside; the message is for the user. */
  onRecovered?: (message: string) => void;
  /** Default: the real migrations. */
  migrations?: readonly SettingsMigration[];
  /** Default: SETTINGS_VERSION. */
  version?: number;
}

/**
 * The user's settings in one versioned JSON file. Writes are atomic (write to a temporary
 * file, fsync, rename), so a crash leaves either the old file or the new one, never half.
 */
export class SettingsStore {
  private _settings: Settings;
  private _writes: Promise<void> = Promise.resolve();
  private _disposed = false;

  private constructor(
    private readonly _options: SettingsStoreOptions,
    settings: Settings,
  ) {
    this._settings = settings;
  }

  static async open(options: SettingsStoreOptions): Promise<SettingsStore> {
    const settings = await loadSettings(options);
    return new SettingsStore(options, settings);
  }

  get(): Settings {
    this._assertOpen();
    return structuredClone(this._settings);
  }

  async update(patch: SettingsPatch): Promise<Settings> {
    this._assertOpen();
    const next = v.parse(SettingsSchema, mergePatch(this._settings, patch));
    return this._commit(next);
  }

  async reset(): Promise<Settings> {
    this._assertOpen();
    return this._commit(structuredClone(DEFAULT_SETTINGS));
  }

  get disposed(): boolean {
    return this._disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    await this._writes;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private async _commit(next: Settings): Promise<Settings> {
    this._settings = next;
    // Writes are chained so two quick updates can never land out of order.
    const write = this._writes.then(() => writeSettings(this._options.file, next));
    // The chain only orders writes; this update's caller gets the failure from `write`.
    this._writes = write.catch(() => undefined);
    await write;
    this._options.onChange?.(structuredClone(next));
    return structuredClone(next);
  }

  private _assertOpen(): void {
    if (this._disposed) throw new DisposedError('The settings store');
  }
}

function mergePatch(settings: Settings, patch: SettingsPatch): unknown {
  const next: Record<string, unknown> = structuredClone(settings);
  for (const [section, values] of Object.entries(patch)) {
    if (values === undefined) continue;
    next[section] = { ...(next[section] as object), ...dropUndefined(values) };
  }
  return next;
}

function dropUndefined(values: object): object {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}

async function writeSettings(file: string, settings: Settings): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(settings, null, 2)}\n`, { fsync: true });
}

async function loadSettings(options: SettingsStoreOptions): Promise<Settings> {
  const { file } = options;
  const version = options.version ?? SETTINGS_VERSION;
  const migrations = options.migrations ?? SETTINGS_MIGRATIONS;

  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return structuredClone(DEFAULT_SETTINGS);
    throw error;
  }

  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return setAside(options, 'is not valid JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return setAside(options, 'does not hold a settings object');
  }

  let record = data as Record<string, unknown>;
  const found = typeof record.version === 'number' ? record.version : 0;
  if (found > version) throw new DataVersionError(file, found, version);
  if (found < version) {
    await copyFile(file, `${file}.v${found}.bak`);
    for (let from = found; from < version; from++) {
      const step = migrations.find((m) => m.from === from);
      if (!step) return setAside(options, `has format ${found}, which this version cannot upgrade`);
      record = { ...step.migrate(record), version: from + 1 };
    }
  }

  // Sections added in later versions get their defaults; unknown keys are dropped.
  const merged = { ...structuredClone(DEFAULT_SETTINGS), ...record };
  for (const [section, defaults] of Object.entries(DEFAULT_SETTINGS)) {
    if (typeof defaults === 'object' && typeof record[section] === 'object' && record[section] !== null) {
      (merged as Record<string, unknown>)[section] = { ...defaults, ...(record[section] as object) };
    }
  }
  const parsed = v.safeParse(SettingsSchema, merged);
  if (!parsed.success) {
    return setAside(options, `has invalid values (${issuesAsClause(SettingsSchema, parsed.issues)})`);
  }
  if (found < version) await writeSettings(file, parsed.output);
  return parsed.output;
}

/** Keeps the unusable file as `settings.json.damaged-<time>`, tells the user, and starts from defaults. */
async function setAside(options: SettingsStoreOptions, problem: string): Promise<Settings> {
  const damage = await setStateAside(options.file, problem, {
    // True because the library keeps the generation it has when no embedding model is set.
    consequence:
      'Hearth started with default settings (choose yours again in Settings). Your library keeps its index and vectors, and your chats and models are untouched.',
  });
  options.onRecovered?.(damageMessage(damage));
  return structuredClone(DEFAULT_SETTINGS);
}
