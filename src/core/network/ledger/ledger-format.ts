import { createHash } from 'node:crypto';
import type { Address, Hex, LocalAccount } from 'viem';
import type { LedgerEntry } from './ledger-entry';

/**
 * Signed ledger format, one entry per line after a header naming the signing wallet:
 *
 *     HEARTH-LEDGER 2 <wallet address>
 *     <hash> <signature> <json>
 *
 * `json` is the entry with `prev` (the previous line's hash; the header's hash for the first),
 * `hash` is sha256(json) in hex, and `signature` is the wallet's EIP-191 signature of the 32 hash
 * bytes (viem `signMessage({ message: { raw: '0x' + hash } })`). Each line proves itself (its
 * hash and the node's signature) and its place (`seq` and `prev`), so a check can say exactly
 * which line fails and why instead of "everything after line 7".
 */
export const LEDGER_MAGIC = 'HEARTH-LEDGER 2 ';

export function ledgerHeader(signer: Address): string {
  return `${LEDGER_MAGIC}${signer}\n`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The `prev` of the first entry: the hash of the header line. */
export function genesisOf(header: string): string {
  return sha256Hex(header);
}

export async function encodeLine(
  signer: LocalAccount,
  prev: string,
  entry: LedgerEntry,
): Promise<{ line: string; hash: string; signature: Hex }> {
  const json = JSON.stringify({ prev, ...entry });
  const hash = sha256Hex(json);
  const signature = await signer.signMessage({ message: { raw: `0x${hash}` } });
  return { line: `${hash} ${signature} ${json}\n`, hash, signature };
}

/** One line of the file as it is on disk, before any check. */
export interface RawLine {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  offset: number;
  text: string;
  /** False when the bytes are not valid UTF-8 (decoding would hide a flipped bit). */
  utf8: boolean;
}

export interface SplitLedger {
  header: string | null;
  lines: RawLine[];
  /** The bytes after the last newline: an append cut short by a crash. */
  tail: { line: number; offset: number; bytes: Buffer } | null;
  /** Bytes up to and including the last newline. */
  completeBytes: number;
}

export function splitLedger(bytes: Buffer): SplitLedger {
  const lines: RawLine[] = [];
  let offset = 0;
  let header: string | null = null;
  let number = 0;
  while (offset < bytes.length) {
    number++;
    const end = bytes.indexOf(0x0a, offset);
    if (end === -1)
      return { header, lines, tail: { line: number, offset, bytes: bytes.subarray(offset) }, completeBytes: offset };
    const text = bytes.toString('utf8', offset, end);
    const utf8 = Buffer.byteLength(text) === end - offset;
    if (number === 1) header = `${text}\n`;
    else lines.push({ line: number, offset, text, utf8 });
    offset = end + 1;
  }
  return { header, lines, tail: null, completeBytes: offset };
}
