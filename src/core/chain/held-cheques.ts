import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { getAddress, type Address, type LocalAccount } from 'viem';
import writeFileAtomic from 'write-file-atomic';
import { chequeFromJson, chequeToJson, verifyCheque, type SignedCheque, type SignedChequeJson } from './cheque';
import type { Escrow, SentTransaction } from './escrow';

export interface HeldChequesOptions {
  escrow: Escrow;
  /** The provider's wallet: cheques must name it, and it sends the redemptions. */
  wallet: LocalAccount;
  /** JSON file keeping the latest cheque received from each requester. */
  file: string;
}

/** A cheque that was refused, and why (shown in the log and to the caller). */
export class ChequeRefusedError extends Error {
  override readonly name = 'ChequeRefusedError';
}

/** One pair as the provider sees it: what the latest cheque promises and what the chain paid. */
export interface HeldPair {
  requester: Address;
  cumulative: bigint;
  paid: bigint;
  unredeemed: bigint;
}

export interface Redemption {
  redeemed: HeldPair[];
  total: bigint;
  transaction?: SentTransaction;
}

/**
 * The provider's side of the escrow: the latest cheque from each requester. Only the newest is
 * worth anything (the contract pays the difference), so one per requester is all it keeps.
 */
export class HeldCheques {
  private readonly _cheques = new Map<Address, SignedCheque>();
  private readonly _expected = new Map<Address, bigint>();
  private _loaded = false;
  private _queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly _options: HeldChequesOptions) {}

  /**
   * Takes a cheque that should add at least `owed` to the last one from its requester. Refuses a
   * cheque for another provider or escrow, one not signed by its requester, or one that pays less.
   */
  accept(cheque: SignedCheque, owed: bigint): Promise<void> {
    return this._serial(async () => {
      await this._load();
      const { escrow, wallet } = this._options;
      if (getAddress(cheque.provider) !== wallet.address) {
        throw new ChequeRefusedError(
          `The cheque pays ${cheque.provider}, not this provider's wallet ${wallet.address}.`,
        );
      }
      if (!(await verifyCheque(escrow.domain, cheque))) {
        throw new ChequeRefusedError(
          `The cheque is not signed by ${cheque.requester} for escrow ${escrow.address} on chain ${escrow.domain.chainId}.`,
        );
      }
      const requester = getAddress(cheque.requester);
      const previous = this._cheques.get(requester)?.cumulative ?? 0n;
      // What this requester's receipts add up to since the node started (from the newest cheque
      // before that). Receipts of concurrent jobs may arrive out of order, so a cheque counts
      // against the total, not against the one before it.
      const expected = (this._expected.get(requester) ?? previous) + owed;
      this._expected.set(requester, expected);
      const best = cheque.cumulative > previous ? cheque.cumulative : previous;
      if (cheque.cumulative > previous) await this._keep(requester, cheque);
      if (best < expected) {
        throw new ChequeRefusedError(
          `The cheques from ${requester} promise ${best} in total, but the jobs it receipted add up to ${expected}.`,
        );
      }
    });
  }

  /** Keeps the newest cheque from `requester` (on disk before anything relies on it). */
  private async _keep(requester: Address, cheque: SignedCheque): Promise<void> {
    this._cheques.set(requester, { ...cheque, requester, provider: this._options.wallet.address });
    await mkdir(dirname(this._options.file), { recursive: true });
    await writeFileAtomic(
      this._options.file,
      `${JSON.stringify([...this._cheques.values()].map(chequeToJson), null, 2)}\n`,
      { fsync: true },
    );
  }

  /** What the latest cheque from `requester` promises beyond what the chain has paid. */
  async unredeemedFrom(requester: Address): Promise<bigint> {
    await this._load();
    const cheque = this._cheques.get(getAddress(requester));
    if (!cheque) return 0n;
    const paid = await this._options.escrow.paid(cheque.requester, cheque.provider);
    return cheque.cumulative > paid ? cheque.cumulative - paid : 0n;
  }

  /** Every requester's pair with the chain's view of it. */
  async pairs(): Promise<HeldPair[]> {
    await this._load();
    const { escrow } = this._options;
    const block = await escrow.blockNumber();
    return Promise.all(
      [...this._cheques.values()].map(async (cheque) => {
        const paid = await escrow.paid(cheque.requester, cheque.provider, block);
        return {
          requester: cheque.requester,
          cumulative: cheque.cumulative,
          paid,
          unredeemed: cheque.cumulative > paid ? cheque.cumulative - paid : 0n,
        };
      }),
    );
  }

  /**
   * Redeems held cheques: `requester` alone, or every pair with something unredeemed (`all`) in
   * one batch transaction. A requester whose deposit is empty pays what it can (maybe nothing).
   */
  redeem(options: { requester?: Address; all?: boolean } = {}): Promise<Redemption> {
    return this._serial(async () => {
      const pairs = (await this.pairs()).filter(
        (pair) =>
          pair.unredeemed > 0n &&
          (options.all || (options.requester && getAddress(options.requester) === pair.requester)),
      );
      if (pairs.length === 0) return { redeemed: [], total: 0n };
      const { escrow, wallet } = this._options;
      const cheques = pairs.map((pair) => this._cheques.get(pair.requester)!);
      const transaction =
        cheques.length === 1 ? await escrow.redeem(wallet, cheques[0]!) : await escrow.redeemBatch(wallet, cheques);
      const after = await Promise.all(pairs.map((pair) => escrow.paid(pair.requester, wallet.address)));
      const redeemed = pairs.map((pair, i) => ({ ...pair, paid: after[i]!, unredeemed: pair.cumulative - after[i]! }));
      const total = redeemed.reduce((sum, pair, i) => sum + (after[i]! - pairs[i]!.paid), 0n);
      return { redeemed, total, transaction };
    });
  }

  private async _load(): Promise<void> {
    if (this._loaded) return;
    try {
      const stored = JSON.parse(await readFile(this._options.file, 'utf8')) as SignedChequeJson[];
      for (const json of stored) this._cheques.set(getAddress(json.requester), chequeFromJson(json));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new Error(
          `The held cheques file ${this._options.file} cannot be read (${(error as Error).message}); restore it from a backup to redeem what you earned.`,
        );
      }
    }
    this._loaded = true;
  }

  private _serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this._queue.then(task, task);
    // The queue only orders tasks; the caller gets the failure from `run`.
    this._queue = run.catch(() => undefined);
    return run;
  }
}
