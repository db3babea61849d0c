export { DuplicateEntryError } from './duplicate-entry-error';
export { Ledger, balancesOf, verifyReceiptEntry, type LedgerBalances, type LedgerOpenResult } from './ledger';
export { LedgerBusyError } from './ledger-busy-error';
export { LedgerCorruptError } from './ledger-corrupt-error';
export type { LedgerEntry, NewLedgerEntry, ReceiptEntry } from './ledger-entry';
export { scanLedger, type LedgerProblem, type LedgerScan } from './ledger-format';
export { createRewardsService, ledgerFile, summarise, type RewardsServiceOptions } from './rewards-service';
