import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ledger } from '../../../src/core/network/ledger';
import { exportLedger } from '../../../src/core/network/ledger/ledger-export';
import { Command } from 'commander';
import { registerLedger } from '../../../src/host/commands/ledger-command';
import { tempDir } from '../../helpers/temp-dir';
import { ledgerParties } from './ledger-fixtures';

async function main(argv: string[]): Promise<number> {
  const program = new Command('hearth').exitOverride();
  registerLedger(program);
  await program.parseAsync(argv, { from: 'user' });
  return 0;
}

/** `hearth ledger verify` on a real ledger file and on an export, as anyone holding them would. */
describe('hearth ledger verify', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let out: string[];
  beforeEach(async () => {
    dir = await tempDir();
    out = [];
    vi.spyOn(console, 'log').mockImplementation((text: string) => void out.push(text));
    process.exitCode = undefined;
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
    await dir.cleanup();
  });

  it('passes a whole ledger and its export, and names the line of an edited export', async () => {
    const p = await ledgerParties();
    const file = join(dir.path, 'ledger.jsonl');
    const { ledger } = await Ledger.open(file, { signer: p.node });
    await ledger.appendReceipt('earned', await p.earned(1), p.binding);
    await ledger.appendReceipt('spent', await p.spent(2));
    await ledger.dispose();

    expect(await main(['ledger', 'verify', file, '--signer', p.node.address])).toBe(0);
    expect(process.exitCode).toBeUndefined();
    expect(out.join('\n')).toMatch(/OK: every line checks out, up to the signed head \(entry 2\)/);

    const exported = exportLedger(
      await Ledger.inspect(file, { signer: p.node.address }),
      `HEARTH-LEDGER 2 ${p.node.address}\n`,
    );
    const exportFile = join(dir.path, 'export.json');
    await writeFile(exportFile, JSON.stringify(exported));
    out = [];
    await main(['ledger', 'verify', exportFile, '--json']);
    expect(JSON.parse(out.join('\n'))).toMatchObject({ ok: true, validEntries: 2, balances: { balance: '-1000' } });

    exported.lines[0]!.text = exported.lines[0]!.text.replace('"price":"1000"', '"price":"1000000000000"');
    await writeFile(exportFile, JSON.stringify(exported));
    out = [];
    await main(['ledger', 'verify', exportFile]);
    expect(process.exitCode).toBe(2);
    expect(out.join('\n')).toMatch(/line 2 \(entry 1, job-1\): changed/);
    expect(out.join('\n')).toMatch(/Balance: {2}-0\.001000 credits \(the last balance this node signed/);
  });
});
