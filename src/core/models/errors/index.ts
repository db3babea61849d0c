/** Errors of the models capability, one class per file; the UI matches them by `name`. */
export { InvalidModelFileError } from './invalid-model-file-error';
export { ModelNotInstalledError } from './model-not-installed-error';
export { NoModelChosenError } from './no-model-chosen-error';
export { ModelTooLargeError } from './model-too-large-error';
export { ChecksumMismatchError } from './checksum-mismatch-error';
export { DiskFullError } from './disk-full-error';
export { DownloadFailedError } from './download-failed-error';
export { OfflineError } from './offline-error';
export { UnknownCatalogModelError } from './unknown-catalog-model-error';
export { ModelRoleChangeError } from './model-role-change-error';
export { gib } from './gib';
