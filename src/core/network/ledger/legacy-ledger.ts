import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { LegacyEntrySchema, type LedgerEntry } from './ledger-entry';

/** The header of the first, unsigned ledger format (hash chain without a key). */
export const LEGACY_HEADER = 'HEARTH-LEDGER 1\n';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface LegacyScan {
  entries: LedgerEntry[];
  /** First line that failed its chain check, or null. */
  problem: { line: number; reason: string } | null;
}

/**
 * Reads a ledger in the first format: `<hash> <json>` lines chained by sha256 with no key. Such
 * a file proves nothing (anyone can re-chain it), so its entries are only ever shown as
 * "unsigned, not counted"; this reader exists so migrated files stay readable.
 */
export function scanLegacyLedger(bytes: Buffer): LegacyScan {
  const entries: LedgerEntry[] = [];
  if (!bytes.subarray(0, LEGACY_HEADER.length).equals(Buffer.from(LEGACY_HEADER))) {
    return { entries, problem: { line: 1, reason: 'The file does not start with a Hearth ledger header.' } };
  }
  let headHash = sha256(LEGACY_HEADER);
  const lines = bytes.toString('utf8').slice(LEGACY_HEADER.length).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? '';
    if (text === '' && i === lines.length - 1) break;
    const problem = (reason: string): LegacyScan => ({ entries, problem: { line: i + 2, reason } });
    const hash = text.slice(0, 64);
    const json = text.slice(65);
    if (text[64] !== ' ' || sha256(headHash + json) !== hash) return problem('The line does not match its hash.');
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return problem('The line is not valid JSON.');
    }
    const entry = v.safeParse(LegacyEntrySchema, parsed);
    if (!entry.success) return problem(`The entry is malformed: ${entry.issues[0].message}`);
    entries.push(entry.output);
    headHash = hash;
  }
  return { entries, problem: null };
}
