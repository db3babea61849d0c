import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { LedgerEntrySchema, type LedgerEntry } from './ledger-entry';

/** The first line of every ledger file; its hash is the chain's genesis. */
export const LEDGER_HEADER = 'HEARTH-LEDGER 1\n';
export const GENESIS = sha256(LEDGER_HEADER);

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * One line: `<hash> <json>\n` with hash = sha256(previous hash + json). The hash covers the exact
 * bytes on disk, not a re-serialisation, so any flipped bit in any line changes either the JSON,
 * the hash or the framing, and the chain makes a changed line break every line after it.
 */
export function encodeLine(previousHash: string, entry: LedgerEntry): { line: string; hash: string } {
  const json = JSON.stringify(entry);
  const hash = sha256(previousHash + json);
  return { line: `${hash} ${json}\n`, hash };
}

export interface LedgerProblem {
  /** `corrupt`: a committed line does not verify. `torn-tail`: the last line was cut short by a crash. */
  kind: 'corrupt' | 'torn-tail' | 'bad-header';
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  /** Byte offset where the problem starts; everything before it verified. */
  offset: number;
  reason: string;
}

export interface LedgerScan {
  entries: LedgerEntry[];
  /** Hash of the last verified line (GENESIS for an empty ledger). */
  headHash: string;
  /** Bytes that verified, header included. */
  verifiedBytes: number;
  problem: LedgerProblem | null;
}

/** Verifies a whole ledger file's bytes; stops at the first line that fails and says why. */
export function scanLedger(bytes: Buffer): LedgerScan {
  const result = (problem: LedgerProblem | null): LedgerScan => ({ entries, headHash, verifiedBytes: offset, problem });
  const entries: LedgerEntry[] = [];
  let headHash = GENESIS;
  let offset = 0;
  if (bytes.length === 0) return result(null);
  if (!bytes.subarray(0, LEDGER_HEADER.length).equals(Buffer.from(LEDGER_HEADER))) {
    return result({
      kind: 'bad-header',
      line: 1,
      offset: 0,
      reason: 'The file does not start with a Hearth ledger header.',
    });
  }
  offset = LEDGER_HEADER.length;
  let lineNumber = 1;
  while (offset < bytes.length) {
    lineNumber++;
    const end = bytes.indexOf(0x0a, offset);
    if (end === -1) {
      return result({
        kind: 'torn-tail',
        line: lineNumber,
        offset,
        reason: `The last ${bytes.length - offset} bytes are an unfinished line (a write was interrupted).`,
      });
    }
    const text = bytes.toString('utf8', offset, end);
    const corrupt = (reason: string) => result({ kind: 'corrupt', line: lineNumber, offset, reason });
    const space = text.indexOf(' ');
    if (space !== 64) return corrupt('The line has no valid hash prefix.');
    const hash = text.slice(0, 64);
    const json = text.slice(65);
    // Re-encode to bytes so a flipped bit that makes invalid UTF-8 is not hidden by decoding.
    if (Buffer.byteLength(text) !== end - offset) return corrupt('The line is not valid UTF-8.');
    if (sha256(headHash + json) !== hash)
      return corrupt('The line does not match its hash: it was changed after it was written.');
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return corrupt('The line is not valid JSON.');
    }
    const entry = v.safeParse(LedgerEntrySchema, parsed);
    if (!entry.success) return corrupt(`The entry is malformed: ${entry.issues[0].message}`);
    if (entry.output.seq !== entries.length + 1)
      return corrupt(`Entry ${entries.length + 1} is missing or out of order.`);
    entries.push(entry.output);
    headHash = hash;
    offset = end + 1;
  }
  return result(null);
}
