/**
 * Child process for the crash test: appends signed receipts in a loop and prints each seq only
 * after its append resolved (was fsynced). The parent kills it with SIGKILL at a random moment.
 * The node's wallet key comes from argv so every round signs with the same wallet.
 */
import { privateKeyToAccount } from 'viem/accounts';
import type { Hex } from 'viem';
import { Ledger } from '../../../src/core/network/ledger';
import { signReceipt } from '../../../src/core/network/receipts';
import { ledgerParties } from './ledger-fixtures';

const file = process.argv[2] ?? 'ledger.jsonl';
const node = privateKeyToAccount(process.argv[3] as Hex);
const { requester, binding } = await ledgerParties();
const { ledger } = await Ledger.open(file, { signer: node });
for (let n = ledger.entries.length + 1; ; n++) {
  const signed = await signReceipt(requester, {
    jobId: `job-${process.pid}-${n}`,
    provider: node.address,
    requester: requester.address,
    modelHash: `0x${'ab'.repeat(32)}`,
    promptTokens: 10,
    outputTokens: 64,
    price: 1000n,
    audited: false,
    nonce: BigInt(n),
    time: 1_790_000_000n,
  });
  const entry = await ledger.appendReceipt('earned', signed, binding);
  process.stdout.write(`${entry.jobId}\n`);
}
