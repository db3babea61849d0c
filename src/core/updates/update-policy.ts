import type { Settings } from '../../shared/settings';

/**
 * Whether Hearth may ask the release feed for updates. Only an explicit yes counts: `null`
 * means the user has not been asked yet, and then Hearth makes no request at all.
 */
export function mayCheckForUpdates(privacy: Settings['privacy']): boolean {
  return privacy.allowUpdateChecks === true;
}
