/** A newer version the feed offers. */
export interface UpdateOffer {
  version: string;
  /** What changed, as plain text. */
  notes: string | null;
}

/**
 * Where updates come from: electron-updater against the GitHub release feed in the packaged
 * app (src/main/updater.ts). Each method makes a network request, so the engine calls them
 * only after mayCheckForUpdates said yes.
 */
export interface UpdateFeed {
  /** Asks the feed for a newer version; null when this one is current. */
  check(): Promise<UpdateOffer | null>;
  /** Downloads the offer found by the last check; `onProgress` gets 0..1. */
  download(onProgress: (fraction: number) => void): Promise<void>;
  /** Quits and starts the downloaded version. */
  install(): void;
}
