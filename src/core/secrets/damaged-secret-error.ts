/**
 * A key file exists but cannot be used (cut short, garbled, or not decryptable). Hearth never
 * makes a new key over it: a new key is a new identity (another peer id, another wallet address
 * whose earnings start from nothing), so the feature that needs it refuses to start instead.
 */
export class DamagedSecretError extends Error {
  override readonly name = 'DamagedSecretError';
  constructor(
    /** What the key is, for the user ("network identity key"). */
    readonly what: string,
    readonly file: string,
    /** A copy of the damaged file kept for recovery. */
    readonly copy: string | null,
    readonly problem: string,
  ) {
    super(
      `Your ${what} in ${file} is damaged (${problem}), so the network cannot start. ` +
        (copy ? `A copy is kept as ${copy}. ` : '') +
        `Restore ${file} from a backup to keep your identity; or delete it to start over with a new one ` +
        '(a new peer id and wallet address; earnings recorded for the old wallet stay in the ledger).',
    );
  }
}
