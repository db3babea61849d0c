/** Another live process has the ledger open; two writers would fork the hash chain. */
export class LedgerBusyError extends Error {
  override readonly name = 'LedgerBusyError';
  constructor(
    readonly file: string,
    readonly pid: number,
  ) {
    super(`The earnings ledger ${file} is in use by process ${pid}; close the other Hearth first.`);
  }
}
