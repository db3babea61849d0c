import { errorMessage } from '../../../lib/error-message';
import type { HearthApi } from '../../../../../shared/contract';
import type { GasEstimate, RedeemEstimate, WalletStatusView } from '../../../../../shared/contract/wallet';

/** A deposit or withdrawal waiting for the user to confirm its gas. */
export interface PendingAction {
  action: 'deposit' | 'requestWithdrawal' | 'withdraw';
  amount: string;
  estimate: GasEstimate;
}

const DONE: Record<PendingAction['action'], string> = {
  deposit: 'Deposited',
  requestWithdrawal: 'Withdrawal requested for',
  withdraw: 'Withdrawal taken',
};

/** The on-chain part of Earnings: null status means no chain is configured (and nothing was asked of one). */
export class WalletState {
  #api: HearthApi;
  #status = $state.raw<WalletStatusView | null>(null);
  #estimate = $state.raw<RedeemEstimate | null>(null);
  #pending = $state.raw<PendingAction | null>(null);
  #busy = $state(false);
  #message = $state<string | null>(null);
  #error = $state<string | null>(null);

  constructor(api: HearthApi) {
    this.#api = api;
  }

  get status(): WalletStatusView | null {
    return this.#status;
  }
  get estimate(): RedeemEstimate | null {
    return this.#estimate;
  }
  get pending(): PendingAction | null {
    return this.#pending;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get message(): string | null {
    return this.#message;
  }
  get error(): string | null {
    return this.#error;
  }

  async load(): Promise<void> {
    try {
      this.#status = await this.#api.wallet.status();
      this.#error = null;
    } catch (error) {
      this.#error = errorMessage(error);
    }
  }

  /** First step of redeeming: shows what it pays and what gas it costs, for the user to confirm. */
  async prepareRedeem(): Promise<void> {
    await this.#run(async () => {
      this.#estimate = await this.#api.wallet.estimateRedeem();
    });
  }

  cancelRedeem(): void {
    this.#estimate = null;
  }

  async confirmRedeem(): Promise<void> {
    await this.#run(async () => {
      const done = await this.#api.wallet.redeem();
      this.#estimate = null;
      this.#message = done.transaction
        ? `Redeemed ${done.totalTokens} tokens (gas used ${done.transaction.gasUsed}).`
        : 'Nothing to redeem: every cheque held is already paid.';
      await this.load();
    });
  }

  /** First step of a deposit or withdrawal: its gas, for the user to confirm (or the chain's reason it would fail). */
  async prepare(action: PendingAction['action'], amount = ''): Promise<void> {
    await this.#run(async () => {
      const estimate = await this.#api.wallet.estimate(
        action === 'withdraw' ? { action } : { action, amount: amount.trim() },
      );
      this.#pending = { action, amount: amount.trim(), estimate };
    });
  }

  cancel(): void {
    this.#pending = null;
  }

  async confirm(): Promise<void> {
    const pending = this.#pending;
    if (!pending) return;
    await this.#run(async () => {
      const { action, amount } = pending;
      const sent =
        action === 'deposit'
          ? await this.#api.wallet.deposit({ amount })
          : action === 'requestWithdrawal'
            ? await this.#api.wallet.requestWithdrawal({ amount })
            : await this.#api.wallet.withdraw({});
      this.#pending = null;
      const gas = sent.transactions.reduce((sum, tx) => sum + Number(tx.gasUsed), 0);
      this.#message = `${DONE[action]}${action === 'withdraw' ? '' : ` ${amount} tokens`} (gas used ${gas}).`;
      await this.load();
    });
  }

  async #run(task: () => Promise<void>): Promise<void> {
    this.#busy = true;
    this.#message = null;
    try {
      await task();
      this.#error = null;
    } catch (error) {
      this.#error = errorMessage(error);
    } finally {
      this.#busy = false;
    }
  }
}
