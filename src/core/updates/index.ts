export { mayCheckForUpdates } from './update-policy';
export type { UpdateFeed, UpdateOffer } from './update-feed';
export { UpdateService, type UpdateServiceOptions } from './update-service';
export { releaseNotesText, type ReleaseNoteEntry } from './release-notes';
export { UpdatesOffError } from './updates-off-error';
export { UpdatesUnavailableError } from './updates-unavailable-error';
export { NoUpdateReadyError } from './no-update-ready-error';
