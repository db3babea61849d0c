import { mkdir, writeFile } from 'node:fs/promises';
import { createTestClient, erc20Abi, http, keccak256, parseEther, toHex, type LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { hearthCreditAbi } from '../../src/core/chain/artifacts/hearthCredit';
import { signCheque, type SignedCheque } from '../../src/core/chain/cheque';
import { startAnvil, type Anvil } from '../helpers/anvil';
import {
  deployEscrow,
  providerA,
  requester as deployer,
  TOKEN,
  writeAs,
  type EscrowFixture,
} from '../integration/chain/escrow-fixture';

/**
 * `npm run bench:settle`: gas of settling network jobs on chain, measured on the pinned anvil.
 * (1) HearthEscrow: one redemption of a pair's cheque (first and later), and batches of 1, 10
 * and 100 pairs (100 requesters, one provider). (2) Baseline, same run: one ERC-20 transfer per
 * job. Then the cost per 1,000 generated tokens served, at the stated job size, redemption
 * cadence and gas prices.
 */

/** Generated tokens in one job (the stated job size). */
const TOKENS_PER_JOB = 256;
/** Jobs a provider serves one requester between two redemptions of that pair (stated cadence). */
const JOBS_PER_REDEMPTION = 100;
/** Gas prices in gwei: a busy L2, a quiet L1, a busy L1. */
const GAS_PRICES_GWEI = [0.01, 1, 30];

let anvil: Anvil;
const results: Record<string, unknown> = {};

beforeAll(async () => {
  anvil = await startAnvil();
});
afterAll(async () => {
  await anvil?.stop();
  await mkdir('bench-results', { recursive: true });
  await writeFile(
    'bench-results/settle.json',
    `${JSON.stringify(results, (_, v) => (typeof v === 'bigint' ? Number(v) : v), 2)}\n`,
  );
});

function account(index: number): LocalAccount {
  return privateKeyToAccount(keccak256(toHex(`hearth-bench-settle-${index}`)));
}

/** `count` requesters with ether for gas, a deposit each, and a cheque each to providerA. */
async function requestersWithCheques(f: EscrowFixture, count: number, offset: number): Promise<SignedCheque[]> {
  const test = createTestClient({ mode: 'anvil', chain: f.client.chain, transport: http(anvil.url) });
  const cheques: SignedCheque[] = [];
  for (let i = 0; i < count; i++) {
    const wallet = account(offset + i);
    await test.setBalance({ address: wallet.address, value: parseEther('10') });
    await writeAs(f, deployer, f.token, hearthCreditAbi, 'mint', [wallet.address, 10n * TOKEN]);
    await f.escrow.deposit(wallet, 10n * TOKEN);
    cheques.push(
      await signCheque(wallet, f.escrow.domain, {
        requester: wallet.address,
        provider: providerA.address,
        cumulative: TOKEN / 2n,
      }),
    );
  }
  return cheques;
}

describe('settle bench', () => {
  it('gas per redemption, batched and not, against one transfer per job', async () => {
    const f = await deployEscrow(anvil);
    const gas: Record<string, bigint> = {};

    const [single] = await requestersWithCheques(f, 1, 0);
    gas.redeemFirst = (await f.escrow.redeem(providerA, single!)).gasUsed;
    const later = await signCheque(account(0), f.escrow.domain, {
      requester: single!.requester,
      provider: providerA.address,
      cumulative: TOKEN,
    });
    gas.redeemLater = (await f.escrow.redeem(providerA, later)).gasUsed;

    let offset = 1;
    for (const pairs of [1, 10, 100]) {
      const cheques = await requestersWithCheques(f, pairs, offset);
      offset += pairs;
      gas[`batch${pairs}`] = (await f.escrow.redeemBatch(providerA, cheques)).gasUsed;
    }

    // Baseline: the requester pays each job with its own ERC-20 transfer to a provider that already holds tokens.
    const hash = await f.client
      .wallet(deployer)
      .writeContract({
        address: f.token,
        abi: erc20Abi,
        functionName: 'transfer',
        args: [providerA.address, TOKEN / 100n],
      });
    gas.transferPerJob = (await f.client.public.waitForTransactionReceipt({ hash })).gasUsed;

    const perPair = {
      'redeem (first, one pair)': gas.redeemFirst,
      'redeem (later, same pair)': gas.redeemLater,
      'batch of 1': gas.batch1!,
      'batch of 10': gas.batch10! / 10n,
      'batch of 100': gas.batch100! / 100n,
    };
    const tokensPerRedemption = TOKENS_PER_JOB * JOBS_PER_REDEMPTION;
    const rows = Object.entries(perPair).map(([name, gasPerPair]) => ({
      name,
      gasPerPair: Number(gasPerPair),
      gasPer1kTokens: (Number(gasPerPair) * 1000) / tokensPerRedemption,
    }));
    rows.push({
      name: 'one transfer per job (baseline)',
      gasPerPair: Number(gas.transferPerJob),
      gasPer1kTokens: (Number(gas.transferPerJob) * 1000) / TOKENS_PER_JOB,
    });

    const ethCost = (gasUsed: number, gwei: number) => (gasUsed * gwei) / 1e9;
    console.log(
      `\nbench:settle — job = ${TOKENS_PER_JOB} tokens; a pair is redeemed every ${JOBS_PER_REDEMPTION} jobs (${tokensPerRedemption} tokens)`,
    );
    console.log(
      `| settlement | gas per pair (or per job) | gas per 1,000 tokens served | ${GAS_PRICES_GWEI.map((g) => `ETH per 1,000 tokens @ ${g} gwei`).join(' | ')} |`,
    );
    console.log(`|---|---|---|${GAS_PRICES_GWEI.map(() => '---').join('|')}|`);
    for (const row of rows) {
      console.log(
        `| ${row.name} | ${row.gasPerPair} | ${row.gasPer1kTokens.toFixed(1)} | ${GAS_PRICES_GWEI.map((g) => ethCost(row.gasPer1kTokens, g).toExponential(2)).join(' | ')} |`,
      );
    }
    const baseline = rows.at(-1)!.gasPer1kTokens;
    const best = rows.find((r) => r.name === 'batch of 100')!.gasPer1kTokens;
    console.log(
      `batch of 100 costs ${((best / baseline) * 100).toFixed(2)}% of one transfer per job (${(baseline / best).toFixed(0)}× less gas)`,
    );
    Object.assign(results, {
      tokensPerJob: TOKENS_PER_JOB,
      jobsPerRedemption: JOBS_PER_REDEMPTION,
      gasPricesGwei: GAS_PRICES_GWEI,
      gas,
      rows,
    });
  });
});
