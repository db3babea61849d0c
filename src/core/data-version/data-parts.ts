import { SETTINGS_VERSION } from '../../shared/settings';
import type { DataPart } from './data-migration';

/**
 * Every part of the data folder that has an on-disk format. Bump a part's `version` together
 * with a migration in DATA_MIGRATIONS (or, for settings, in the settings store's own list).
 */
export const DATA_PARTS: readonly DataPart[] = [
  // The settings store checks, backs up and migrates settings.json itself; the marker only
  // lets an older Hearth refuse the whole folder before it opens anything.
  { name: 'settings', version: SETTINGS_VERSION, paths: ['settings.json'], migratesItself: true },
  { name: 'chats', version: 1, paths: ['chats'] },
  { name: 'library', version: 1, paths: ['library'] },
  // 2: every line signed by the node's wallet, with a signed head beside it. The ledger keeps an
  // unsigned v1 file aside itself when it opens (it needs the wallet to start the new one).
  {
    name: 'ledger',
    version: 2,
    paths: ['network/ledger.jsonl', 'network/ledger.jsonl.head.json'],
    migratesItself: true,
  },
];
