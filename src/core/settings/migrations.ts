/**
 * A migration turns a settings object of version `from` into version `from + 1`. Add one with
 * every bump of SETTINGS_VERSION; they run in order on load, after a backup of the old file.
 */
export interface SettingsMigration {
  readonly from: number;
  migrate(old: Record<string, unknown>): Record<string, unknown>;
}

/** Version 1 is the first released format, so nothing migrates yet. */
export const SETTINGS_MIGRATIONS: readonly SettingsMigration[] = [];
