import { verifyLedger, type LedgerReport } from './ledger-verify';
import type { LedgerHead } from './ledger-head';

export const EXPORT_FORMAT = 'hearth-ledger-export/2';

/** How anyone re-checks an export without Hearth's code; repeated inside every export. */
export const HOW_TO_VERIFY =
  "Rebuild the file as `header` followed by each line's `text` and a newline. For each line `<hash> <signature> <json>`: " +
  'hash must be sha256(json) in hex; signature must be the EIP-191 signature by `signer` of the 32 hash bytes ' +
  '(viem: verifyMessage({ address: signer, message: { raw: "0x" + hash }, signature })); json.prev must be the previous ' +
  "line's hash (for the first line, sha256 of the header line including its newline); json.seq counts up from 1. " +
  "Each receipt's own EIP-712 signature (domain { name: 'Hearth', version: '1' }) must verify against its requester, " +
  "and no receipt digest, requester nonce or job may appear twice. `head` is the node's signed last entry. " +
  'Or run: hearth ledger verify <this file>. A file signed by its own owner proves only that the owner wrote it; see docs/NETWORK.md.';

export interface LedgerExport {
  format: typeof EXPORT_FORMAT;
  exportedAt: string;
  signer: string | null;
  header: string;
  head: LedgerHead | null;
  verified: boolean;
  balances: LedgerReport['balances'];
  balanceSource: LedgerReport['balanceSource'];
  entryBalances: LedgerReport['entryBalances'];
  problems: LedgerReport['problems'];
  lines: {
    line: number;
    seq: number | null;
    hash: string | null;
    signature: string | null;
    valid: boolean;
    text: string;
  }[];
  howToVerify: string;
}

export function exportLedger(report: LedgerReport, header: string): LedgerExport {
  return {
    format: EXPORT_FORMAT,
    exportedAt: new Date().toISOString(),
    signer: report.signer,
    header,
    head: report.head,
    verified: report.problems.length === 0,
    balances: report.balances,
    balanceSource: report.balanceSource,
    entryBalances: report.entryBalances,
    problems: report.problems,
    lines: report.lines.map(({ line, seq, hash, signature, valid, text }) => ({
      line,
      seq,
      hash,
      signature,
      valid,
      text,
    })),
    howToVerify: HOW_TO_VERIFY,
  };
}

/** Re-checks an export from its own lines and head (nothing it says about itself is trusted). */
export function verifyExport(
  exported: { header: string; lines: readonly { text: string }[]; head: LedgerHead | null },
  signer?: `0x${string}`,
): Promise<LedgerReport> {
  const bytes = Buffer.from(exported.header + exported.lines.map((l) => `${l.text}\n`).join(''));
  return verifyLedger(bytes, {
    signer,
    head: exported.head ? { kind: 'head', head: exported.head } : { kind: 'missing' },
  });
}
