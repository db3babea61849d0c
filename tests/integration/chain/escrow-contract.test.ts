import { encodeFunctionData, erc20Abi } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hearthEscrowAbi } from '../../../src/core/chain/artifacts/hearthEscrow';
import { signCheque, type SignedCheque } from '../../../src/core/chain/cheque';
import { startAnvil, type Anvil } from '../../helpers/anvil';
import {
  artifact,
  deployEscrow,
  deployMock,
  providerA,
  providerB,
  requester,
  stranger,
  TOKEN,
  writeAs,
  type EscrowFixture,
} from './escrow-fixture';

/**
 * HearthEscrow against a real chain (the pinned anvil from npm), every case on a fresh
 * deployment: what a cheque pays, what it must never pay, the withdrawal delay, and tokens
 * that misbehave.
 */
let anvil: Anvil;
beforeAll(async () => {
  anvil = await startAnvil();
});
afterAll(async () => {
  await anvil?.stop();
});

async function funded(deposit = 100n * TOKEN, delay = 86_400n): Promise<EscrowFixture> {
  const fixture = await deployEscrow(anvil, { delay });
  await fixture.escrow.deposit(requester, deposit);
  return fixture;
}

function cheque(f: EscrowFixture, provider = providerA.address, cumulative = 10n * TOKEN): Promise<SignedCheque> {
  return signCheque(requester, f.escrow.domain, { requester: requester.address, provider, cumulative });
}

describe('HearthEscrow', () => {
  it('deposit moves the tokens in and credits the requester', async () => {
    const f = await deployEscrow(anvil);
    const before = await f.tokenBalance(requester.address);
    await f.escrow.deposit(requester, 40n * TOKEN);
    expect(await f.escrow.depositOf(requester.address)).toBe(40n * TOKEN);
    expect(await f.tokenBalance(f.escrow.address)).toBe(40n * TOKEN);
    expect(await f.tokenBalance(requester.address)).toBe(before - 40n * TOKEN);
  });

  it('redeem pays the cheque, and a later cheque pays only the difference', async () => {
    const f = await funded();
    await f.escrow.redeem(providerA, await cheque(f, providerA.address, 10n * TOKEN));
    expect(await f.tokenBalance(providerA.address)).toBe(10n * TOKEN);
    await f.escrow.redeem(providerA, await cheque(f, providerA.address, 25n * TOKEN));
    expect(await f.tokenBalance(providerA.address)).toBe(25n * TOKEN);
    expect(await f.escrow.paid(requester.address, providerA.address)).toBe(25n * TOKEN);
    expect(await f.escrow.depositOf(requester.address)).toBe(75n * TOKEN);
  });

  it('anyone may submit a cheque, but the payment goes to the provider it names', async () => {
    const f = await funded();
    await f.escrow.redeem(stranger, await cheque(f, providerA.address, 7n * TOKEN));
    expect(await f.tokenBalance(providerA.address)).toBe(7n * TOKEN);
    expect(await f.tokenBalance(stranger.address)).toBe(0n);
  });

  it('the same cheque twice pays once', async () => {
    const f = await funded();
    const c = await cheque(f);
    await f.escrow.redeem(providerA, c);
    await expect(f.escrow.redeem(providerA, c)).rejects.toThrow(/NothingToRedeem/);
    expect(await f.tokenBalance(providerA.address)).toBe(10n * TOKEN);
  });

  it('an older cheque after a newer one pays nothing', async () => {
    const f = await funded();
    const older = await cheque(f, providerA.address, 5n * TOKEN);
    const newer = await cheque(f, providerA.address, 9n * TOKEN);
    await f.escrow.redeem(providerA, newer);
    await expect(f.escrow.redeem(providerA, older)).rejects.toThrow(/NothingToRedeem/);
    expect(await f.tokenBalance(providerA.address)).toBe(9n * TOKEN);
  });

  it('a cheque signed by someone other than the requester is refused', async () => {
    const f = await funded();
    const forged = await signCheque(stranger, f.escrow.domain, {
      requester: stranger.address,
      provider: providerA.address,
      cumulative: 10n * TOKEN,
    });
    await expect(f.escrow.redeem(providerA, { ...forged, requester: requester.address })).rejects.toThrow(
      /InvalidSignature/,
    );
    expect(await f.tokenBalance(providerA.address)).toBe(0n);
  });

  it('a cheque for one provider cannot be redeemed for another', async () => {
    const f = await funded();
    const forA = await cheque(f, providerA.address);
    await expect(f.escrow.redeem(providerB, { ...forA, provider: providerB.address })).rejects.toThrow(
      /InvalidSignature/,
    );
    expect(await f.tokenBalance(providerB.address)).toBe(0n);
  });

  it('a cheque for another chain or another escrow contract is refused', async () => {
    const f = await funded();
    const message = { requester: requester.address, provider: providerA.address, cumulative: 10n * TOKEN };
    const otherChain = await signCheque(requester, { ...f.escrow.domain, chainId: 1 }, message);
    await expect(f.escrow.redeem(providerA, otherChain)).rejects.toThrow(/InvalidSignature/);
    const other = await deployEscrow(anvil, { token: f.token });
    const otherContract = await signCheque(requester, other.escrow.domain, message);
    await expect(f.escrow.redeem(providerA, otherContract)).rejects.toThrow(/InvalidSignature/);
    expect(await f.tokenBalance(providerA.address)).toBe(0n);
  });

  it('a cheque beyond the deposit pays what is there, and the rest after a new deposit', async () => {
    const f = await funded(10n * TOKEN);
    const big = await cheque(f, providerA.address, 15n * TOKEN);
    await f.escrow.redeem(providerA, big);
    expect(await f.tokenBalance(providerA.address)).toBe(10n * TOKEN);
    await expect(f.escrow.redeem(providerA, big)).rejects.toThrow(/NothingToRedeem/);
    await f.escrow.deposit(requester, 20n * TOKEN);
    await f.escrow.redeem(providerA, big);
    expect(await f.tokenBalance(providerA.address)).toBe(15n * TOKEN);
    expect(await f.escrow.depositOf(requester.address)).toBe(15n * TOKEN);
  });

  it('a withdrawal cannot be taken before its delay, and can after', async () => {
    const f = await funded(50n * TOKEN, 3600n);
    await f.escrow.requestWithdrawal(requester, 30n * TOKEN);
    await expect(f.escrow.withdraw(requester)).rejects.toThrow(/WithdrawalNotReady/);
    await f.advance(3000);
    await expect(f.escrow.withdraw(requester)).rejects.toThrow(/WithdrawalNotReady/);
    const before = await f.tokenBalance(requester.address);
    await f.advance(601);
    await f.escrow.withdraw(requester);
    expect(await f.tokenBalance(requester.address)).toBe(before + 30n * TOKEN);
    expect(await f.escrow.depositOf(requester.address)).toBe(20n * TOKEN);
    await expect(f.escrow.withdraw(requester)).rejects.toThrow(/NoWithdrawalRequested/);
  });

  it('a withdrawal of more than the deposit is refused', async () => {
    const f = await funded(5n * TOKEN);
    await expect(f.escrow.requestWithdrawal(requester, 6n * TOKEN)).rejects.toThrow(/InsufficientDeposit/);
  });

  it('a provider that redeems during the withdrawal delay is paid in full; the withdrawal gets the rest', async () => {
    const f = await funded(50n * TOKEN, 3600n);
    await f.escrow.requestWithdrawal(requester, 50n * TOKEN);
    await f.escrow.redeem(providerA, await cheque(f, providerA.address, 20n * TOKEN));
    expect(await f.tokenBalance(providerA.address)).toBe(20n * TOKEN);
    const before = await f.tokenBalance(requester.address);
    await f.advance(3601);
    await f.escrow.withdraw(requester);
    expect(await f.tokenBalance(requester.address)).toBe(before + 30n * TOKEN);
    expect(await f.escrow.depositOf(requester.address)).toBe(0n);
  });

  it('a provider that waits past the delay loses the race to the withdrawal', async () => {
    const f = await funded(50n * TOKEN, 3600n);
    const held = await cheque(f, providerA.address, 20n * TOKEN);
    await f.escrow.requestWithdrawal(requester, 50n * TOKEN);
    await f.advance(3601);
    await f.escrow.withdraw(requester);
    await expect(f.escrow.redeem(providerA, held)).rejects.toThrow(/NothingToRedeem/);
    expect(await f.tokenBalance(providerA.address)).toBe(0n);
  });

  it('batch redemption pays every pair once and skips cheques already redeemed', async () => {
    const f = await funded(100n * TOKEN);
    const a = await cheque(f, providerA.address, 3n * TOKEN);
    const b = await cheque(f, providerB.address, 4n * TOKEN);
    const s = await cheque(f, stranger.address, 5n * TOKEN);
    await f.escrow.redeem(stranger, s);
    await f.escrow.redeemBatch(providerA, [a, b, s]);
    expect(await f.tokenBalance(providerA.address)).toBe(3n * TOKEN);
    expect(await f.tokenBalance(providerB.address)).toBe(4n * TOKEN);
    expect(await f.tokenBalance(stranger.address)).toBe(5n * TOKEN);
    expect(await f.escrow.depositOf(requester.address)).toBe(88n * TOKEN);
  });

  it('a batch with one bad signature pays nothing', async () => {
    const f = await funded(100n * TOKEN);
    const a = await cheque(f, providerA.address, 3n * TOKEN);
    const b = await cheque(f, providerB.address, 4n * TOKEN);
    await expect(f.escrow.redeemBatch(providerA, [a, { ...b, cumulative: 40n * TOKEN }])).rejects.toThrow(
      /InvalidSignature/,
    );
    expect(await f.tokenBalance(providerA.address)).toBe(0n);
    expect(await f.escrow.depositOf(requester.address)).toBe(100n * TOKEN);
  });

  it('a token that returns false on transfer cannot fake a deposit or a payment', async () => {
    const token = await deployMock(anvil, 'FalseReturningToken', 1000n * TOKEN);
    const f = await deployEscrow(anvil, { token });
    const { abi } = artifact('FalseReturningToken');
    await writeAs(f, requester, token, abi, 'approve', [f.escrow.address, 1000n * TOKEN]);
    await writeAs(f, requester, token, abi, 'setFailing', [true]);
    await expect(f.escrow.deposit(requester, 10n * TOKEN)).rejects.toThrow(/SafeERC20FailedOperation/);
    expect(await f.escrow.depositOf(requester.address)).toBe(0n);
    await writeAs(f, requester, token, abi, 'setFailing', [false]);
    await f.escrow.deposit(requester, 10n * TOKEN);
    await writeAs(f, requester, token, abi, 'setFailing', [true]);
    await expect(f.escrow.redeem(providerA, await cheque(f, providerA.address, 4n * TOKEN))).rejects.toThrow(
      /SafeERC20FailedOperation/,
    );
    expect(await f.escrow.paid(requester.address, providerA.address)).toBe(0n);
    expect(await f.escrow.depositOf(requester.address)).toBe(10n * TOKEN);
  });

  it('a token that calls back into the escrow during a payment cannot redeem twice', async () => {
    const token = await deployMock(anvil, 'ReentrantToken', 1000n * TOKEN);
    const f = await deployEscrow(anvil, { token });
    const { abi } = artifact('ReentrantToken');
    await writeAs(f, requester, token, erc20Abi, 'approve', [f.escrow.address, 1000n * TOKEN]);
    await f.escrow.deposit(requester, 50n * TOKEN);
    const c = await cheque(f, providerA.address, 10n * TOKEN);
    const again = encodeFunctionData({
      abi: hearthEscrowAbi,
      functionName: 'redeem',
      args: [c.requester, c.provider, c.cumulative, c.signature],
    });
    await writeAs(f, requester, token, abi, 'arm', [f.escrow.address, again]);
    await f.escrow.redeem(providerA, c);
    const read = (functionName: string) =>
      f.client.public.readContract({ address: token, abi, functionName } as never) as Promise<unknown>;
    expect(await read('attempted')).toBe(true);
    expect(await read('callbackSucceeded')).toBe(false);
    // The callback was refused by the guard itself (ReentrancyGuardReentrantCall's selector), not by a later check.
    expect(await read('callbackResult')).toBe('0x3ee5aeb5');
    expect(await f.tokenBalance(providerA.address)).toBe(10n * TOKEN);
    expect(await f.escrow.depositOf(requester.address)).toBe(40n * TOKEN);
  });

  it('the typed cheque signer refuses to sign for a requester it is not', async () => {
    const f = await deployEscrow(anvil);
    await expect(
      signCheque(privateKeyToAccount(`0x${'11'.repeat(32)}`), f.escrow.domain, {
        requester: requester.address,
        provider: providerA.address,
        cumulative: 1n,
      }),
    ).rejects.toThrow(/cannot sign/);
  });
});
