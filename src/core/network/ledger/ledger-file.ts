import { join } from 'node:path';

/** Where a data folder keeps its ledger; the network node appends, this service reads. */
export function ledgerFile(dataDir: string): string {
  return join(dataDir, 'network', 'ledger.jsonl');
}
