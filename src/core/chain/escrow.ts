import { erc20Abi, type Address, type Hash, type LocalAccount, type TransactionReceipt } from 'viem';
import { hearthEscrowAbi } from './artifacts/hearthEscrow';
import type { ChainClient } from './chain-client';
import type { EscrowDomain, SignedCheque } from './cheque';

/** A requester's pending withdrawal; `amount` 0 means none. `readyAt` is unix seconds. */
export interface PendingWithdrawal {
  amount: bigint;
  readyAt: bigint;
}

/** A mined transaction: its hash and the gas it used. */
export interface SentTransaction {
  hash: Hash;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
}

/**
 * HearthEscrow and its token, as seen through the one ChainClient. Reads are plain calls;
 * writes are signed by the local wallet and wait for their receipt, failing with the
 * contract's reason if the transaction reverted.
 */
export class Escrow {
  constructor(private readonly _client: ChainClient) {}

  get domain(): EscrowDomain {
    return { chainId: this._client.config.chainId, escrow: this._client.config.escrow };
  }

  get address(): Address {
    return this._client.config.escrow;
  }

  /** The latest block number: pass it to several reads to see one consistent state. */
  blockNumber(): Promise<bigint> {
    return this._client.public.getBlockNumber({ cacheTime: 0 });
  }

  depositOf(requester: Address, blockNumber?: bigint): Promise<bigint> {
    return this._read('deposits', [requester], blockNumber);
  }

  paid(requester: Address, provider: Address, blockNumber?: bigint): Promise<bigint> {
    return this._read('paid', [requester, provider], blockNumber);
  }

  async withdrawalOf(requester: Address, blockNumber?: bigint): Promise<PendingWithdrawal> {
    const [amount, readyAt] = await this._read<readonly [bigint, bigint]>('withdrawals', [requester], blockNumber);
    return { amount, readyAt };
  }

  withdrawalDelay(): Promise<bigint> {
    return this._read('withdrawalDelay', []);
  }

  tokenBalance(owner: Address): Promise<bigint> {
    return this._client.public.readContract({
      address: this._client.config.token,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [owner],
    });
  }

  tokenDecimals(): Promise<number> {
    return this._client.public.readContract({
      address: this._client.config.token,
      abi: erc20Abi,
      functionName: 'decimals',
    });
  }

  /** Approves the escrow for `amount` if needed, then deposits it. */
  async deposit(wallet: LocalAccount, amount: bigint): Promise<SentTransaction[]> {
    const sent: SentTransaction[] = [];
    const allowance = await this._client.public.readContract({
      address: this._client.config.token,
      abi: erc20Abi,
      functionName: 'allowance',
      args: [wallet.address, this.address],
    });
    if (allowance < amount) {
      sent.push(
        await this._send(wallet, {
          address: this._client.config.token,
          abi: erc20Abi,
          functionName: 'approve',
          args: [this.address, amount],
        }),
      );
    }
    sent.push(
      await this._send(wallet, {
        address: this.address,
        abi: hearthEscrowAbi,
        functionName: 'deposit',
        args: [amount],
      }),
    );
    return sent;
  }

  requestWithdrawal(wallet: LocalAccount, amount: bigint): Promise<SentTransaction> {
    return this._send(wallet, {
      address: this.address,
      abi: hearthEscrowAbi,
      functionName: 'requestWithdrawal',
      args: [amount],
    });
  }

  withdraw(wallet: LocalAccount): Promise<SentTransaction> {
    return this._send(wallet, { address: this.address, abi: hearthEscrowAbi, functionName: 'withdraw', args: [] });
  }

  redeem(wallet: LocalAccount, cheque: SignedCheque): Promise<SentTransaction> {
    return this._send(wallet, {
      address: this.address,
      abi: hearthEscrowAbi,
      functionName: 'redeem',
      args: [cheque.requester, cheque.provider, cheque.cumulative, cheque.signature],
    });
  }

  redeemBatch(wallet: LocalAccount, cheques: SignedCheque[]): Promise<SentTransaction> {
    return this._send(wallet, {
      address: this.address,
      abi: hearthEscrowAbi,
      functionName: 'redeemBatch',
      args: [
        cheques.map(({ requester, provider, cumulative, signature }) => ({
          requester,
          provider,
          cumulative,
          signature,
        })),
      ],
    });
  }

  private _read<T>(functionName: string, args: readonly unknown[], blockNumber?: bigint): Promise<T> {
    return this._client.public.readContract({
      address: this.address,
      abi: hearthEscrowAbi,
      functionName,
      args,
      blockNumber,
    } as never) as Promise<T>;
  }

  /**
   * Gas to deposit `amount` (an approval first when the allowance is short: that one is estimated,
   * the deposit after it is taken as 80k, since it cannot be simulated before the approval).
   */
  async estimateDeposit(wallet: LocalAccount, amount: bigint): Promise<bigint> {
    const token = this._client.config.token;
    const allowance = await this._client.public.readContract({
      address: token,
      abi: erc20Abi,
      functionName: 'allowance',
      args: [wallet.address, this.address],
    });
    if (allowance >= amount) return this._estimate(wallet, 'deposit', [amount]);
    const approve = await this._client.public.estimateContractGas({
      address: token,
      abi: erc20Abi,
      functionName: 'approve',
      args: [this.address, amount],
      account: wallet,
    });
    return approve + 80_000n;
  }

  estimateRequestWithdrawal(wallet: LocalAccount, amount: bigint): Promise<bigint> {
    return this._estimate(wallet, 'requestWithdrawal', [amount]);
  }

  /** Fails with the contract's reason (WithdrawalNotReady, NoWithdrawalRequested) when it would revert. */
  estimateWithdraw(wallet: LocalAccount): Promise<bigint> {
    return this._estimate(wallet, 'withdraw', []);
  }

  private _estimate(wallet: LocalAccount, functionName: string, args: readonly unknown[]): Promise<bigint> {
    return this._client.public.estimateContractGas({
      address: this.address,
      abi: hearthEscrowAbi,
      functionName,
      args,
      account: wallet,
    } as never);
  }

  /** Simulates first so a revert fails here with the contract's reason, then sends and waits. */
  private async _send(
    wallet: LocalAccount,
    call: { address: Address; abi: readonly unknown[]; functionName: string; args: readonly unknown[] },
  ): Promise<SentTransaction> {
    const { request } = await this._client.public.simulateContract({ ...call, account: wallet } as never);
    const hash = await this._client.wallet(wallet).writeContract(request as never);
    const receipt: TransactionReceipt = await this._client.public.waitForTransactionReceipt({
      hash,
      pollingInterval: 50,
    });
    if (receipt.status !== 'success')
      throw new Error(`Transaction ${hash} (${call.functionName}) reverted on chain ${this._client.config.chainId}.`);
    return { hash, gasUsed: receipt.gasUsed, effectiveGasPrice: receipt.effectiveGasPrice };
  }
}
