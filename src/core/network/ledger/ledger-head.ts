import { open, readFile, rename } from 'node:fs/promises';
import * as v from 'valibot';
import { recoverMessageAddress, type Address, type Hex, type LocalAccount } from 'viem';
import { sha256Hex } from './ledger-format';

const Amount = v.pipe(v.string(), v.regex(/^-?\d{1,80}$/));

export const LedgerHeadSchema = v.strictObject({
  format: v.literal('hearth-ledger-head/1'),
  signer: v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{40}$/)),
  /** The last entry the node wrote (0: none yet) and its line hash. */
  seq: v.pipe(v.number(), v.integer(), v.minValue(0)),
  hash: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  balances: v.strictObject({ earned: Amount, spent: Amount, pending: Amount, balance: Amount }),
  at: v.number(),
  signature: v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{130}$/)),
});
export type LedgerHead = v.InferOutput<typeof LedgerHeadSchema>;

/**
 * The ledger's signed head, kept beside it (`ledger.jsonl.head.json`) and rewritten after every
 * append: the last seq, its hash and the balances, signed by the node's wallet. A file cut back
 * to an earlier state (a rollback, or entries deleted from its end) no longer reaches the head,
 * and the head's balances are the last ones the node itself signed. Replacing both files with an
 * older pair is not detectable locally (docs/NETWORK.md says what will be).
 */
export function headFile(ledgerFile: string): string {
  return `${ledgerFile}.head.json`;
}

function headDigest(head: Omit<LedgerHead, 'signature'>): Hex {
  const { format, signer, seq, hash, balances, at } = head;
  const canonical = JSON.stringify([
    format,
    signer,
    seq,
    hash,
    balances.earned,
    balances.spent,
    balances.pending,
    balances.balance,
    at,
  ]);
  return `0x${sha256Hex(canonical)}`;
}

export async function signHead(
  signer: LocalAccount,
  head: Omit<LedgerHead, 'signature' | 'format' | 'signer'>,
): Promise<LedgerHead> {
  const unsigned = { format: 'hearth-ledger-head/1' as const, signer: signer.address, ...head };
  return { ...unsigned, signature: await signer.signMessage({ message: { raw: headDigest(unsigned) } }) };
}

/** Heads already checked (each status view re-reads the same head); keyed by its whole content. */
const verified = new Map<string, boolean>();

export async function verifyHead(head: LedgerHead, signer: Address): Promise<boolean> {
  if (head.signer.toLowerCase() !== signer.toLowerCase()) return false;
  const key = JSON.stringify(head);
  const cached = verified.get(key);
  if (cached !== undefined) return cached;
  const { signature, ...unsigned } = head;
  const ok = await recoverMessageAddress({ message: { raw: headDigest(unsigned) }, signature: signature as Hex }).then(
    (address) => address.toLowerCase() === signer.toLowerCase(),
    () => false,
  );
  if (verified.size > 1000) verified.clear();
  verified.set(key, ok);
  return ok;
}

/** The head beside a ledger: `missing`, `unreadable` (not a head at all) or the parsed record. */
export async function readHead(
  ledgerFile: string,
): Promise<{ kind: 'missing' } | { kind: 'unreadable' } | { kind: 'head'; head: LedgerHead }> {
  let text: string;
  try {
    text = await readFile(headFile(ledgerFile), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  try {
    const parsed = v.safeParse(LedgerHeadSchema, JSON.parse(text));
    return parsed.success ? { kind: 'head', head: parsed.output } : { kind: 'unreadable' };
  } catch {
    return { kind: 'unreadable' };
  }
}

/** Replaces the head atomically (write, fsync, rename): a crash leaves the old or the new one. */
export async function writeHead(ledgerFile: string, head: LedgerHead): Promise<void> {
  const target = headFile(ledgerFile);
  const handle = await open(`${target}.new`, 'w', 0o600);
  try {
    await handle.writeFile(JSON.stringify(head));
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(`${target}.new`, target);
}
