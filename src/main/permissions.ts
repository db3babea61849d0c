/**
 * The only web permission the UI uses: copying the local API key (`navigator.clipboard.writeText`
 * in LocalApiCard). Notifications come from the main process and need none; camera, microphone,
 * geolocation, MIDI, HID, serial, USB, fullscreen, pointer lock, external protocols and every
 * permission Electron adds later are refused.
 */
export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/**
 * Both the permission request and the permission check handler ask this: grant a permission only
 * if it is in the list and the asking page is the app's own UI.
 */
export function isPermissionGranted(
  permission: string,
  requestingUrl: string | undefined,
  isOwnUi: (url: string) => boolean,
): boolean {
  return GRANTED_PERMISSIONS.has(permission) && requestingUrl !== undefined && isOwnUi(requestingUrl);
}
