import * as v from 'valibot';
import { getAddress, isAddress, recoverMessageAddress, type Address, type Hex } from 'viem';
import {
  receiptDigest,
  receiptFromJson,
  verifyReceipt,
  verifyWalletBinding,
  type ReceiptJson,
  type WalletBinding,
} from '../receipts';
import { balancesOf, type LedgerBalances } from './balances';
import { LedgerEntrySchema, type LedgerEntry, type ReceiptEntry } from './ledger-entry';
import { genesisOf, LEDGER_MAGIC, sha256Hex, splitLedger } from './ledger-format';
import { verifyHead, type LedgerHead } from './ledger-head';
import { LedgerIndex } from './ledger-index';
import type { LedgerProblem } from './ledger-problem';
import { LEGACY_HEADER, scanLegacyLedger } from './legacy-ledger';

/** One line as checked, for exports and for anyone re-checking the file. */
export interface CheckedLine {
  line: number;
  seq: number | null;
  jobId: string | null;
  hash: string | null;
  signature: string | null;
  /** The line as it is in the file, without its newline. */
  text: string;
  /** Counted in the balances. */
  valid: boolean;
}

export interface LedgerReport {
  /** `signed`: the current format. `legacy`: the first, unsigned format (never counted). */
  format: 'empty' | 'signed' | 'legacy' | 'unknown';
  /** The wallet every line was checked against. */
  signer: Address | null;
  header: string | null;
  /** Valid, unique entries in file order: the only ones balances count. */
  entries: LedgerEntry[];
  lines: CheckedLine[];
  /** Every problem, in file order (the head's last). A torn tail is in `tornTail`, not here. */
  problems: LedgerProblem[];
  tornTail: (LedgerProblem & { offset: number; bytes: Buffer }) | null;
  /** Hash of the last line, which the next append chains to. */
  lastHash: string;
  lastSeq: number;
  /** Bytes of the complete lines (everything before a torn tail). */
  completeBytes: number;
  head: LedgerHead | null;
  /** Balances to show: the entries' when the file is whole, the signed head's when it is damaged. */
  balances: LedgerBalances;
  balanceSource: 'entries' | 'signed-head';
  /** Balances of the valid entries alone. */
  entryBalances: LedgerBalances;
  /** For a legacy file: how many entries it holds and what they would add up to (not counted). */
  legacy: { entries: number; balances: LedgerBalances; problem: string | null } | null;
}

export interface VerifyOptions {
  /** The node's wallet; default: the address in the file's header. */
  signer?: Address;
  /** The head record beside the file, as readHead found it; absent: not checked (a bare export). */
  head?: { kind: 'missing' } | { kind: 'unreadable' } | { kind: 'head'; head: LedgerHead };
}

const SIGNATURE_CHARS = 132;
const lineCache = new Map<string, boolean>();
const receiptCache = new Map<string, string | null>();
const CACHE_LIMIT = 200_000;

/**
 * Checks a whole ledger file: every line's hash and the node's signature on it, its place in
 * the chain, every receipt's own signature, the requester binding, and that no receipt, nonce
 * or job counts twice; then the file against the signed head beside it. Never throws on bad
 * bytes: each problem is reported with its line, and only valid, unique entries count.
 */
export async function verifyLedger(bytes: Buffer, options: VerifyOptions = {}): Promise<LedgerReport> {
  const split = splitLedger(bytes);
  const empty = balancesOf([]);
  const report: LedgerReport = {
    format: 'empty',
    signer: options.signer ?? null,
    header: split.header,
    entries: [],
    lines: [],
    problems: [],
    tornTail: null,
    lastHash: '',
    lastSeq: 0,
    completeBytes: split.completeBytes,
    head: null,
    balances: empty,
    balanceSource: 'entries',
    entryBalances: empty,
    legacy: null,
  };
  if (bytes.length === 0) {
    // No file, or an empty one, where this node had signed entries: the whole ledger was removed.
    const head = options.head?.kind === 'head' ? options.head.head : null;
    if (head && head.seq > 0 && (await verifyHead(head, head.signer as Address))) {
      report.head = head;
      report.balances = head.balances;
      report.balanceSource = 'signed-head';
      report.problems.push(
        problem(
          'rolled-back',
          null,
          null,
          null,
          `This node last signed entry ${head.seq}, but the ledger file is empty or gone.`,
        ),
      );
    }
    return report;
  }
  if (bytes.subarray(0, LEGACY_HEADER.length).equals(Buffer.from(LEGACY_HEADER))) {
    const scan = scanLegacyLedger(bytes);
    report.format = 'legacy';
    report.legacy = {
      entries: scan.entries.length,
      balances: balancesOf(scan.entries),
      problem: scan.problem ? `Line ${scan.problem.line}: ${scan.problem.reason}` : null,
    };
    return report;
  }
  const headerAddress = /^HEARTH-LEDGER 2 (0x[0-9a-fA-F]{40})\n$/.exec(split.header ?? '')?.[1] as Address | undefined;
  // A checksummed address: a changed letter case is a changed file, not the same wallet.
  if (
    !split.header ||
    !split.header.startsWith(LEDGER_MAGIC) ||
    !headerAddress ||
    !isAddress(headerAddress, { strict: true }) ||
    headerAddress !== getAddress(headerAddress)
  ) {
    report.format = 'unknown';
    report.problems.push(
      problem('bad-header', 1, null, null, 'The file does not start with a signed Hearth ledger header.'),
    );
    return report;
  }
  report.format = 'signed';
  const signer = options.signer ?? headerAddress;
  report.signer = signer;
  if (headerAddress.toLowerCase() !== signer.toLowerCase()) {
    report.problems.push(
      problem(
        'bad-header',
        1,
        null,
        null,
        `The ledger names wallet ${headerAddress}, not this node's wallet ${signer}.`,
      ),
    );
  }
  const hashOfSeq = await checkLines(report, split.lines, genesisOf(split.header), signer);
  if (split.tail) {
    report.tornTail = {
      ...problem(
        'torn-tail',
        split.tail.line,
        null,
        null,
        `The last ${split.tail.bytes.length} bytes are an unfinished line (a write was interrupted).`,
      ),
      offset: split.tail.offset,
      bytes: split.tail.bytes,
    };
  }
  if (options.head) await checkHead(report, options.head, signer, hashOfSeq);
  report.entryBalances = balancesOf(report.entries);
  report.balances = report.entryBalances;
  if (report.problems.length > 0 && report.head) {
    report.balances = report.head.balances;
    report.balanceSource = 'signed-head';
  }
  return report;
}

/** Checks every line into the report; returns the hash stored for each signed seq. */
async function checkLines(
  report: LedgerReport,
  lines: ReturnType<typeof splitLedger>['lines'],
  genesis: string,
  signer: Address,
): Promise<Map<number, string>> {
  const index = new LedgerIndex();
  const lineOfSeq = new Map<number, number>();
  const hashOfSeq = new Map<number, string>();
  /** Seqs named by lines, valid or not: a damaged line is not also a deleted one. */
  const claimed = new Set<number>();
  let previousHash = genesis;
  let lastSeq = 0;
  for (const raw of lines) {
    const checked: CheckedLine = {
      line: raw.line,
      seq: null,
      jobId: null,
      hash: null,
      signature: null,
      text: raw.text,
      valid: false,
    };
    report.lines.push(checked);
    const fail = (kind: LedgerProblem['kind'], reason: string) =>
      report.problems.push(problem(kind, raw.line, checked.seq, checked.jobId, reason));
    const text = raw.text;
    const hash = text.slice(0, 64);
    const signature = text.slice(65, 65 + SIGNATURE_CHARS);
    const json = text.slice(66 + SIGNATURE_CHARS);
    if (!raw.utf8) {
      fail('malformed', 'The line is not valid UTF-8.');
      continue;
    }
    if (
      !/^[0-9a-f]{64}$/.test(hash) ||
      text[64] !== ' ' ||
      !/^0x[0-9a-f]{130}$/.test(signature) ||
      text[65 + SIGNATURE_CHARS] !== ' '
    ) {
      fail('malformed', 'The line has no valid hash and signature prefix.');
      continue;
    }
    checked.hash = hash;
    checked.signature = signature;
    const expectedPrev = previousHash;
    previousHash = hash;
    const parsed = parseEntry(json);
    if (typeof parsed !== 'string') {
      checked.seq = parsed.entry.seq;
      checked.jobId = parsed.entry.jobId;
    }
    if (typeof parsed !== 'string') claimed.add(parsed.entry.seq);
    if (sha256Hex(json) !== hash) {
      fail('changed', 'The entry does not match its hash: it was changed after it was written.');
      continue;
    }
    if (typeof parsed === 'string') {
      fail('malformed', parsed);
      continue;
    }
    if (!(await lineSignedBy(hash, signature as Hex, signer))) {
      fail(
        'not-signed',
        `The line is not signed by this node's wallet ${signer}: someone else wrote or re-chained it.`,
      );
      continue;
    }
    const { entry, prev } = parsed;
    if (entry.seq <= lastSeq) {
      const first = lineOfSeq.get(entry.seq);
      fail(
        first === undefined ? 'out-of-place' : 'duplicate',
        first === undefined
          ? `Entry ${entry.seq} is out of order.`
          : `A copy of entry ${entry.seq} (line ${first}); it counts once.`,
      );
      continue;
    }
    // Seqs skipped since the last signed line, except those a damaged line still claims.
    const gone = [];
    for (let seq = lastSeq + 1; seq < entry.seq; seq++) if (!claimed.has(seq)) gone.push(seq);
    if (gone.length > 0) {
      const range = gone.length === 1 ? `Entry ${gone[0]} is` : `Entries ${gone[0]}–${gone.at(-1)} are`;
      fail(
        'missing',
        `${range} missing before this line: deleted from the file${gone.length < entry.seq - lastSeq - 1 ? ' (the others are damaged lines above)' : ''}.`,
      );
    } else if (entry.seq === lastSeq + 1 && prev !== expectedPrev) {
      fail('out-of-place', 'The line does not follow the line before it: a line was inserted or replaced.');
    }
    lastSeq = entry.seq;
    lineOfSeq.set(entry.seq, raw.line);
    hashOfSeq.set(entry.seq, hash);
    report.lastSeq = entry.seq;
    if (entry.kind === 'earned' || entry.kind === 'spent') {
      const receiptProblem = await checkReceipt(entry, hash, signer);
      if (receiptProblem) {
        fail('bad-receipt', `The receipt is invalid: ${receiptProblem}`);
        continue;
      }
    }
    const refusal = index.refusal(entry);
    if (refusal) {
      fail(entry.kind === 'voided' ? 'inconsistent' : 'duplicate', `Not counted: ${refusal}`);
      continue;
    }
    index.add(entry);
    checked.valid = true;
    report.entries.push(entry);
  }
  report.lastHash = previousHash;
  return hashOfSeq;
}

async function checkHead(
  report: LedgerReport,
  found: NonNullable<VerifyOptions['head']>,
  signer: Address,
  hashOfSeq: Map<number, string>,
) {
  const fail = (kind: LedgerProblem['kind'], reason: string) =>
    report.problems.push(problem(kind, null, null, null, reason));
  if (found.kind === 'missing') {
    fail(
      'head',
      'The signed head record (ledger.jsonl.head.json) is missing: Hearth cannot tell whether entries were removed from the end.',
    );
    return;
  }
  if (found.kind === 'unreadable') {
    fail('head', 'The signed head record (ledger.jsonl.head.json) is unreadable.');
    return;
  }
  const head = found.head;
  if (!(await verifyHead(head, signer))) {
    fail('head', `The head record is not signed by this node's wallet ${signer}.`);
    return;
  }
  report.head = head;
  if (head.seq > report.lastSeq) {
    const range =
      head.seq === report.lastSeq + 1 ? `entry ${head.seq} was` : `entries ${report.lastSeq + 1}–${head.seq} were`;
    // A cut committed line looks like a crash's torn tail; the head says it had been finished.
    const how = report.tornTail
      ? `${range} cut off (the file ends in an unfinished line, but this node had finished writing it).`
      : `${range} removed (a rollback).`;
    fail(
      'rolled-back',
      `This node last signed entry ${head.seq}, but the file ends at entry ${report.lastSeq}: ${how}`,
    );
    return;
  }
  if (head.seq > 0 && hashOfSeq.get(head.seq) !== head.hash) {
    fail('rolled-back', `Entry ${head.seq} is not the one this node last signed: the history was rewritten.`);
  }
}

function parseEntry(json: string): { entry: LedgerEntry; prev: string } | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return 'The line is not valid JSON.';
  }
  if (typeof parsed !== 'object' || parsed === null || !('prev' in parsed) || typeof parsed.prev !== 'string') {
    return 'The entry has no link to the line before it.';
  }
  const { prev, ...rest } = parsed as { prev: string };
  const entry = v.safeParse(LedgerEntrySchema, rest);
  if (!entry.success) return `The entry is malformed: ${entry.issues[0].message}`;
  return { entry: entry.output, prev };
}

async function lineSignedBy(hash: string, signature: Hex, signer: Address): Promise<boolean> {
  const key = `${signer.toLowerCase()}|${hash}|${signature}`;
  const cached = lineCache.get(key);
  if (cached !== undefined) return cached;
  const ok = await recoverMessageAddress({ message: { raw: `0x${hash}` }, signature }).then(
    (address) => address.toLowerCase() === signer.toLowerCase(),
    () => false,
  );
  remember(lineCache, key, ok);
  return ok;
}

/** The receipt's own checks; cached by line hash (which covers every field) and signer. */
async function checkReceipt(entry: ReceiptEntry, hash: string, signer: Address): Promise<string | null> {
  const key = `${signer.toLowerCase()}|${hash}`;
  if (receiptCache.has(key)) return receiptCache.get(key) ?? null;
  const result = await receiptProblem(entry, signer);
  remember(receiptCache, key, result);
  return result;
}

export async function receiptProblem(entry: ReceiptEntry, signer: Address): Promise<string | null> {
  const receipt = receiptFromJson(entry.receipt as ReceiptJson);
  const self = signer.toLowerCase();
  if (receiptDigest(receipt).toLowerCase() !== entry.digest.toLowerCase())
    return 'its stored digest is not the receipt’s.';
  if (!(await verifyReceipt({ receipt, signature: entry.signature as Hex }))) {
    return `it is not signed by its requester ${receipt.requester}.`;
  }
  if (entry.kind === 'spent') {
    return receipt.requester.toLowerCase() === self
      ? null
      : `it was signed by ${receipt.requester}, not this node’s wallet.`;
  }
  if (receipt.provider.toLowerCase() !== self) return `it pays ${receipt.provider}, not this node’s wallet.`;
  const binding = entry.binding as WalletBinding | undefined;
  if (!binding) return 'it has no requester binding (the proof that the paying wallet belongs to the peer that asked).';
  if (binding.wallet.toLowerCase() !== receipt.requester.toLowerCase())
    return 'its requester binding names another wallet.';
  if (!(await verifyWalletBinding(binding))) return 'its requester binding does not verify.';
  return null;
}

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
}

function problem(
  kind: LedgerProblem['kind'],
  line: number | null,
  seq: number | null,
  jobId: string | null,
  reason: string,
): LedgerProblem {
  return { kind, line, seq, jobId, reason };
}
