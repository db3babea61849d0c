/** One part of the data folder with its own format version (chats, the library index, ...). */
export interface DataPart {
  readonly name: string;
  /** The format this version of Hearth writes. */
  readonly version: number;
  /** Files and folders under the data folder that hold the part; backed up before a migration. */
  readonly paths: readonly string[];
  /** The part's owner migrates it on open (after its own backup); no step here is needed. */
  readonly migratesItself?: boolean;
}

/** Turns part `part` from format `from` into `from + 1`, in place under `dataDir`. */
export interface DataMigration {
  readonly part: string;
  readonly from: number;
  migrate(dataDir: string, options: { signal?: AbortSignal }): Promise<void>;
}

/** The marker at the root of the data folder. */
export interface DataVersionMarker {
  /** Format of each part, by name. Parts this Hearth does not know are kept as they are. */
  parts: Record<string, number>;
  /** The Hearth version that last wrote the marker; for people reading the file. */
  writtenBy: string;
}
