/** What the desktop app's preload adds for dropped files: Electron's `webUtils.getPathForFile`. */
interface HearthFiles {
  pathFor(file: File): string;
}

/**
 * The paths of files and folders dropped on the window. Only the desktop app can tell them (a
 * browser hides where a dropped file lives), so in the browser this is null.
 */
export function droppedPaths(transfer: DataTransfer | null): string[] | null {
  const files = (globalThis as { hearthFiles?: HearthFiles }).hearthFiles;
  if (!files) return null;
  return [...(transfer?.files ?? [])].map((file) => files.pathFor(file)).filter((path) => path.length > 0);
}

/** Whether a drag carries files or folders from the system (not text or a link from the page). */
export function carriesFiles(event: DragEvent): boolean {
  return event.dataTransfer?.types.includes('Files') ?? false;
}
