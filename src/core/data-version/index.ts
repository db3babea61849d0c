export { openDataDirectory, DATA_VERSION_FILE, type OpenDataDirectoryOptions, type DataDirectoryReport } from './open-data-directory';
export { DATA_PARTS } from './data-parts';
export { DataMigrationError } from './data-migration-error';
export type { DataMigration, DataPart, DataVersionMarker } from './data-migration';
