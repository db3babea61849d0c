import { readFile } from 'node:fs/promises';
import * as v from 'valibot';
import type { Address } from 'viem';
import { verifyExport } from './ledger-export';
import { LedgerHeadSchema, readHead } from './ledger-head';
import { verifyLedger, type LedgerReport } from './ledger-verify';

const ExportSchema = v.object({
  format: v.literal('hearth-ledger-export/2'),
  header: v.string(),
  head: v.nullable(LedgerHeadSchema),
  lines: v.array(v.object({ text: v.string() })),
});

/**
 * Checks a ledger file (with the `.head.json` beside it, if any) or a `hearth-ledger-export/2`
 * file, trusting nothing either says about itself. `signer`: the wallet it must be signed by;
 * default the one its header names (which proves only that whoever holds that wallet wrote it).
 */
export async function verifyLedgerFile(file: string, signer?: Address): Promise<LedgerReport> {
  const head = await readHead(file);
  const bytes = await readFile(file);
  if (bytes[0] === 0x7b /* { */) {
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new Error(`${file} is neither a Hearth ledger nor valid JSON.`);
    }
    const parsed = v.safeParse(ExportSchema, json);
    if (!parsed.success)
      throw new Error(`${file} is JSON but not a Hearth ledger export (format hearth-ledger-export/2).`);
    return verifyExport(parsed.output, signer);
  }
  return verifyLedger(bytes, { signer, head });
}
