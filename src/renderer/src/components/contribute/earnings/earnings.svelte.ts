import { errorMessage } from '../../../lib/error-message';
import type { HearthApi } from '../../../../../shared/contract';
import type { Earnings, ReceiptRow } from '../../../../../shared/contract/rewards';

/** The earnings view's copy of the ledger figures; reloads when the ledger changes. */
export class EarningsState {
  #api: HearthApi;
  #earnings = $state.raw<Earnings | null>(null);
  #receipts = $state.raw<ReceiptRow[]>([]);
  #total = $state(0);
  #error = $state<string | null>(null);

  constructor(api: HearthApi) {
    this.#api = api;
  }

  get earnings(): Earnings | null {
    return this.#earnings;
  }
  get receipts(): ReceiptRow[] {
    return this.#receipts;
  }
  get total(): number {
    return this.#total;
  }
  get error(): string | null {
    return this.#error;
  }

  async load(): Promise<void> {
    try {
      const [earnings, receipts] = await Promise.all([
        this.#api.rewards.earnings(),
        this.#api.rewards.receipts({ limit: 50 }),
      ]);
      this.#earnings = earnings;
      this.#receipts = receipts.receipts;
      this.#total = receipts.total;
      this.#error = null;
    } catch (error) {
      this.#error = errorMessage(error);
    }
  }

  /** Subscribes to ledger changes; returns the cleanup for `$effect`. */
  subscribe(): () => void {
    void this.load();
    return this.#api.rewards.onChanged(() => void this.load());
  }

  /** The user's decision on a damaged ledger; returns where the damaged file is kept. */
  async startNewLedger(): Promise<string> {
    const { setAside } = await this.#api.rewards.startNewLedger();
    await this.load();
    return setAside;
  }

  async exportJson(): Promise<string> {
    return (await this.#api.rewards.exportLedger()).json;
  }
}

/** Micro-credits (a decimal string) as credits with up to six decimals, exactly. */
export function formatCredits(micro: string, decimals = 6): string {
  const negative = micro.startsWith('-');
  const digits = (negative ? micro.slice(1) : micro).padStart(7, '0');
  const fraction = digits.slice(-6).slice(0, decimals);
  return `${negative ? '-' : ''}${Number(digits.slice(0, -6)).toLocaleString()}${decimals ? `.${fraction}` : ''}`;
}
