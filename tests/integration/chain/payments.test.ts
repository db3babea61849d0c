import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainPayments } from '../../../src/core/chain/chain-payments';
import { DepositExhaustedError } from '../../../src/core/chain/deposit-exhausted-error';
import { startAnvil, type Anvil } from '../../helpers/anvil';
import { tempDir } from '../../helpers/temp-dir';
import { deployEscrow, providerA, providerB, requester, stranger, TOKEN, type EscrowFixture } from './escrow-fixture';

/**
 * The node-side payment components against a real anvil: a requester's cheque book, two honest
 * providers and a cheater whose jobs fail their audits, redemption, and the deposit running out.
 */
let anvil: Anvil;
let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  anvil = await startAnvil();
  dir = await tempDir();
});
afterAll(async () => {
  await anvil?.stop();
  await dir?.cleanup();
});

function node(f: EscrowFixture, wallet: typeof requester, name: string): ChainPayments {
  return new ChainPayments(wallet, f.client, join(dir.path, name), 18);
}

describe('chain payments', () => {
  it('honest providers are paid exactly what they earned; the cheater nothing; the deposit falls by exactly that', async () => {
    const f = await deployEscrow(anvil);
    const asker = node(f, requester, 'requester');
    const providers = { a: node(f, providerA, 'a'), b: node(f, providerB, 'b'), cheater: node(f, stranger, 'cheater') };
    await asker.escrow.deposit(requester, 50n * TOKEN);
    const before = {
      deposit: await f.escrow.depositOf(requester.address),
      a: await f.tokenBalance(providerA.address),
      b: await f.tokenBalance(providerB.address),
      cheater: await f.tokenBalance(stranger.address),
    };
    const earned = { a: 0n, b: 0n, cheater: 0n };
    for (let job = 0; job < 50; job++) {
      const who = (['a', 'b', 'cheater'] as const)[job % 3]!;
      const provider = providers[who];
      const maxCost = asker.tokenUnits(40_000n); // 0.04 credits: the most this job may cost
      expect((await provider.creditCheck.check(requester.address, maxCost)).ok).toBe(true);
      const reservation = await asker.book.reserve(maxCost);
      if (who === 'cheater') {
        reservation.release(); // its audit failed: no cheque
        continue;
      }
      const cost = asker.tokenUnits(BigInt(1_000 + job * 311)); // what the receipt says it cost
      const cheque = await reservation.pay(provider.wallet.address, cost);
      await provider.held.accept(cheque, cost);
      earned[who] += cost;
    }
    const redeemedA = await providers.a.held.redeem({ all: true });
    const redeemedB = await providers.b.held.redeem({ requester: requester.address });
    expect(await providers.cheater.held.redeem({ all: true })).toEqual({ redeemed: [], total: 0n });
    const after = {
      deposit: await f.escrow.depositOf(requester.address),
      a: await f.tokenBalance(providerA.address),
      b: await f.tokenBalance(providerB.address),
      cheater: await f.tokenBalance(stranger.address),
    };
    console.log('chain payments e2e balances', {
      before,
      after,
      earned,
      gasA: redeemedA.transaction?.gasUsed,
      gasB: redeemedB.transaction?.gasUsed,
    });
    expect(earned.a).toBeGreaterThan(0n);
    expect(after.a - before.a).toBe(earned.a);
    expect(after.b - before.b).toBe(earned.b);
    expect(redeemedA.total).toBe(earned.a);
    expect(after.cheater).toBe(before.cheater);
    expect(before.deposit - after.deposit).toBe(earned.a + earned.b);
    // Redeeming again pays nothing more.
    expect((await providers.a.held.redeem({ all: true })).total).toBe(0n);
  });

  it('a deposit that runs out refuses the next job on both sides', async () => {
    const f = await deployEscrow(anvil);
    const asker = node(f, requester, 'requester-2');
    const provider = node(f, providerA, 'a-2');
    await asker.escrow.deposit(requester, 3n * TOKEN);
    for (let job = 0; job < 3; job++) {
      const reservation = await asker.book.reserve(TOKEN);
      await provider.held.accept(await reservation.pay(providerA.address, TOKEN), TOKEN);
    }
    const refused = await asker.book.reserve(1n).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DepositExhaustedError);
    expect((refused as Error).message).toMatch(/hearth wallet deposit/);
    console.log('deposit refuses a job:', (refused as Error).message);
    const verdict = await provider.creditCheck.check(requester.address, 1n);
    expect(verdict).toMatchObject({ ok: false, available: 0n });
    // Redemption moves deposit to paid: the book still sees nothing left to promise.
    await provider.held.redeem({ all: true });
    expect(await asker.book.spendable()).toBe(0n);
    await asker.escrow.deposit(requester, 2n * TOKEN);
    expect(await asker.book.spendable()).toBe(2n * TOKEN);
  });

  it('a cheque that pays less than the job earned, or names another provider, is refused', async () => {
    const f = await deployEscrow(anvil);
    const asker = node(f, requester, 'requester-3');
    const provider = node(f, providerA, 'a-3');
    await asker.escrow.deposit(requester, 10n * TOKEN);
    const short = await (await asker.book.reserve(2n * TOKEN)).pay(providerA.address, TOKEN);
    await expect(provider.held.accept(short, 2n * TOKEN)).rejects.toThrow(
      /promise .* in total, but the jobs it receipted add up to/,
    );
    const elsewhere = await (await asker.book.reserve(TOKEN)).pay(providerB.address, TOKEN);
    await expect(provider.held.accept(elsewhere, TOKEN)).rejects.toThrow(/not this provider's wallet/);
  });

  it('cheques of concurrent jobs may arrive out of order without a false alarm', async () => {
    const f = await deployEscrow(anvil);
    const asker = node(f, requester, 'requester-6');
    const provider = node(f, providerA, 'a-6');
    await asker.escrow.deposit(requester, 10n * TOKEN);
    const first = await asker.book.reserve(TOKEN);
    const second = await asker.book.reserve(2n * TOKEN);
    const a = await first.pay(providerA.address, TOKEN);
    const b = await second.pay(providerA.address, 2n * TOKEN);
    await provider.held.accept(b, 2n * TOKEN);
    await provider.held.accept(a, TOKEN);
    expect(await provider.held.unredeemedFrom(requester.address)).toBe(3n * TOKEN);
    // A later cheque that skips a job's pay is caught even though it is the newest.
    const third = await (await asker.book.reserve(TOKEN)).pay(providerA.address, TOKEN);
    await expect(provider.held.accept(third, 2n * TOKEN)).rejects.toThrow(
      /promise 4000000000000000000 in total, but .* add up to 5000000000000000000/,
    );
    expect(await provider.held.unredeemedFrom(requester.address)).toBe(4n * TOKEN);
  });

  it('the provider counts what it holds unredeemed against the deposit, and a reservation blocks a second spend', async () => {
    const f = await deployEscrow(anvil);
    const asker = node(f, requester, 'requester-4');
    const provider = node(f, providerA, 'a-4');
    await asker.escrow.deposit(requester, 5n * TOKEN);
    await provider.held.accept(
      await (await asker.book.reserve(4n * TOKEN)).pay(providerA.address, 4n * TOKEN),
      4n * TOKEN,
    );
    expect(await provider.creditCheck.check(requester.address, 2n * TOKEN)).toMatchObject({
      ok: false,
      available: TOKEN,
    });
    const first = await asker.book.reserve(TOKEN);
    await expect(asker.book.reserve(1n)).rejects.toThrow(DepositExhaustedError);
    first.release();
    await expect(asker.book.reserve(TOKEN)).resolves.toMatchObject({ amount: TOKEN });
  });

  it('automatic redemption redeems by its policy, and not at all while off', async () => {
    const f = await deployEscrow(anvil);
    const asker = node(f, requester, 'requester-5');
    const provider = node(f, providerA, 'a-5');
    await asker.escrow.deposit(requester, 5n * TOKEN);
    await provider.held.accept(await (await asker.book.reserve(TOKEN)).pay(providerA.address, TOKEN), TOKEN);
    const { AutoRedeemer } = await import('../../../src/core/chain/auto-redeem');
    const off = new AutoRedeemer(
      provider.held,
      f.client,
      () => ({ enabled: false, gasMultiple: 10, tokensPerNativeCoin: 1000, everyHours: null }),
      18,
    );
    expect(await off.tick()).toBeNull();
    // An exchange rate that makes the gas of redeeming one pair (~85k) worth about 0.1 tokens now.
    const gasPrice = Number(await f.client.public.getGasPrice());
    const rate = 0.1 / ((85_000 * gasPrice) / 1e18);
    const policy = (gasMultiple: number) => () => ({
      enabled: true,
      gasMultiple,
      tokensPerNativeCoin: rate,
      everyHours: null,
    });
    expect(await new AutoRedeemer(provider.held, f.client, policy(100), 18).tick()).toBeNull(); // 1 token < 100 × 0.1
    expect(await f.tokenBalance(providerA.address)).toBe(0n);
    expect(await new AutoRedeemer(provider.held, f.client, policy(1), 18).tick()).toMatch(/≥ 1 × gas/); // 1 token ≥ 0.1
    expect(await f.tokenBalance(providerA.address)).toBe(TOKEN);
  });

  it('every chain request is appended to the connection log', async () => {
    const log = join(dir.path, 'sent.bin');
    const previous = process.env.HEARTH_NETWORK_RECORD_SENT;
    process.env.HEARTH_NETWORK_RECORD_SENT = log;
    try {
      const { chainRequestRecorder } = await import('../../../src/core/chain/chain-request-log');
      const f = await deployEscrow(anvil, { record: (body) => chainRequestRecorder()({ url: anvil.url, body }) });
      await f.escrow.depositOf(requester.address);
      const text = await readFile(log, 'utf8');
      expect(text).toContain('"method":"eth_call"');
      expect(text).toContain(f.escrow.address.slice(2).toLowerCase());
    } finally {
      if (previous === undefined) delete process.env.HEARTH_NETWORK_RECORD_SENT;
      else process.env.HEARTH_NETWORK_RECORD_SENT = previous;
    }
  });
});
