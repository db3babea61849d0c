/** An append that would pay or charge the same work twice (a duplicate or replayed receipt). */
export class DuplicateEntryError extends Error {
  override readonly name = 'DuplicateEntryError';
  constructor(
    readonly jobId: string,
    reason: string,
  ) {
    super(`Refused ledger entry for job ${jobId}: ${reason}`);
  }
}
