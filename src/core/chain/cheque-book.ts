import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Address, LocalAccount } from 'viem';
import writeFileAtomic from 'write-file-atomic';
import { chequeFromJson, chequeToJson, signCheque, type SignedCheque, type SignedChequeJson } from './cheque';
import { DepositExhaustedError } from './deposit-exhausted-error';
import type { Escrow } from './escrow';

export interface ChequeBookOptions {
  escrow: Escrow;
  /** The requester's wallet: it owns the deposit and signs the cheques. */
  wallet: LocalAccount;
  /** JSON file keeping the latest cheque signed for each provider. */
  file: string;
  /** Token decimals, for messages. Default 18. */
  decimals?: number;
}

/** What a job may cost at most, set aside until its cheque is signed or the job ends unpaid. */
export interface Reservation {
  readonly amount: bigint;
  /** Signs the next cumulative cheque for `provider`, adding `amount` (≤ the reserved amount). */
  pay(provider: Address, amount: bigint): Promise<SignedCheque>;
  /** Frees the reservation without paying (job failed, audit failed). */
  release(): void;
}

/**
 * The requester's side of the escrow: one cumulative cheque per provider, and never more
 * promised than the deposit holds. What may still be promised is
 *   deposit + Σ paid − pending withdrawal − Σ cumulative − reserved,
 * read at one block: a redemption moves tokens from `deposit` to `paid`, so the sum is exact
 * whenever providers redeem. Jobs reserve their most possible cost before they are sent.
 */
export class ChequeBook {
  private readonly _cheques = new Map<Address, SignedCheque>();
  private _reserved = 0n;
  private _loaded = false;
  private _queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly _options: ChequeBookOptions) {}

  /** Tokens that can still be promised: the deposit less what is signed, reserved or withdrawing. */
  async spendable(): Promise<bigint> {
    await this._load();
    const { escrow, wallet } = this._options;
    const block = await escrow.blockNumber();
    const providers = [...this._cheques.keys()];
    const [deposit, withdrawal, paid] = await Promise.all([
      escrow.depositOf(wallet.address, block),
      escrow.withdrawalOf(wallet.address, block),
      Promise.all(providers.map((provider) => escrow.paid(wallet.address, provider, block))),
    ]);
    const totalPaid = paid.reduce((sum, value) => sum + value, 0n);
    const promised = providers.reduce((sum, provider) => sum + this._cheques.get(provider)!.cumulative, 0n);
    const left = deposit + totalPaid - withdrawal.amount - promised - this._reserved;
    return left > 0n ? left : 0n;
  }

  /** Sets `amount` aside for a job, or throws DepositExhaustedError when the deposit cannot cover it. */
  reserve(amount: bigint): Promise<Reservation> {
    return this._serial(async () => {
      const available = await this.spendable();
      if (amount > available) throw new DepositExhaustedError(amount, available, this._options.decimals ?? 18);
      this._reserved += amount;
      let open = true;
      const close = () => {
        if (open) this._reserved -= amount;
        open = false;
      };
      return {
        amount,
        release: close,
        pay: (provider, cost) =>
          this._serial(async () => {
            if (!open) throw new Error('This reservation was already used or released.');
            if (cost > amount) throw new DepositExhaustedError(cost, amount, this._options.decimals ?? 18);
            close();
            return this._sign(provider, cost);
          }),
      };
    });
  }

  /** The latest cheque signed for each provider. */
  async cheques(): Promise<SignedCheque[]> {
    await this._load();
    return [...this._cheques.values()];
  }

  private async _sign(provider: Address, amount: bigint): Promise<SignedCheque> {
    await this._load();
    const previous = this._cheques.get(provider)?.cumulative ?? 0n;
    const { wallet, escrow } = this._options;
    const cheque = await signCheque(wallet, escrow.domain, {
      requester: wallet.address,
      provider,
      cumulative: previous + amount,
    });
    this._cheques.set(provider, cheque);
    // Written before the cheque leaves this machine: a crash must never let us sign less later.
    await mkdir(dirname(this._options.file), { recursive: true });
    await writeFileAtomic(
      this._options.file,
      `${JSON.stringify([...this._cheques.values()].map(chequeToJson), null, 2)}\n`,
      { fsync: true },
    );
    return cheque;
  }

  private async _load(): Promise<void> {
    if (this._loaded) return;
    try {
      const stored = JSON.parse(await readFile(this._options.file, 'utf8')) as SignedChequeJson[];
      for (const json of stored) this._cheques.set(json.provider, chequeFromJson(json));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new Error(
          `The cheque book ${this._options.file} cannot be read (${(error as Error).message}); restore it from a backup: signing fresh cheques would pay providers again.`,
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
