import { DoorErrorName } from '../../../shared/errors';
import type { DataFolderOwner } from './data-folder-owner';

/** Another Hearth process owns the data folder, and this one may not open it beside it. */
export class DataFolderInUseError extends Error {
  override readonly name = DoorErrorName.DataFolderInUse;
  constructor(
    readonly dataDir: string,
    readonly owner: DataFolderOwner,
    /** What the user should do instead, when the caller knows better than the default. */
    advice?: string,
  ) {
    super(`${describeOwner(owner)} is using the data folder ${dataDir}. ${advice ?? defaultAdvice(owner)}`);
  }
}

/** "`hearth serve` (process 1234, at http://127.0.0.1:5000)" and the like. */
export function describeOwner(owner: DataFolderOwner): string {
  const at = owner.port === null ? '' : `, at http://127.0.0.1:${owner.port}`;
  const who = owner.kind === 'desktop' ? 'The Hearth app' : `\`${owner.command}\``;
  return `${who} (process ${owner.pid}${at})`;
}

function defaultAdvice(owner: DataFolderOwner): string {
  switch (owner.kind) {
    case 'desktop':
      return 'Quit the app first, or give this command a folder of its own with HEARTH_HOME=<folder>.';
    case 'cli':
      return 'Wait for it to finish (or stop it with Ctrl+C), then run this again.';
    default:
      return 'Stop it first (Ctrl+C in its terminal), or give this one a folder of its own with HEARTH_HOME=<folder>.';
  }
}
