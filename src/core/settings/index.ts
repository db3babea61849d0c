export { SettingsStore, type SettingsStoreOptions } from './settings-store';
export { DataVersionError } from './errors';
export { SETTINGS_MIGRATIONS, type SettingsMigration } from './migrations';
export { createSettingsService } from './settings-service';
