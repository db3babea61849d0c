import { live, type Live } from '../../../lib/live.svelte';
import type { HearthApi } from '../../../../../shared/contract';
import type { Earnings, ReceiptRow } from '../../../../../shared/contract/rewards';

interface LedgerView {
  earnings: Earnings;
  receipts: ReceiptRow[];
  total: number;
}

/** The earnings view's copy of the ledger figures; reloads when the ledger changes. */
export class EarningsState {
  #api: HearthApi;
  readonly #ledger: Live<LedgerView>;

  constructor(api: HearthApi) {
    this.#api = api;
    this.#ledger = live(
      async () => {
        const [earnings, receipts] = await Promise.all([api.rewards.earnings(), api.rewards.receipts({ limit: 50 })]);
        return { earnings, receipts: receipts.receipts, total: receipts.total };
      },
      (update) => api.rewards.onChanged(() => update()),
    );
  }

  get earnings(): Earnings | null {
    return this.#ledger.value?.earnings ?? null;
  }
  get receipts(): ReceiptRow[] {
    return this.#ledger.value?.receipts ?? [];
  }
  get total(): number {
    return this.#ledger.value?.total ?? 0;
  }
  get error(): string | null {
    return this.#ledger.error;
  }

  /** Loads and follows ledger changes; returns the cleanup for `$effect`. */
  follow(): () => void {
    return this.#ledger.follow();
  }

  /** The user's decision on a damaged ledger; returns where the damaged file is kept. */
  async startNewLedger(): Promise<string> {
    const { setAside } = await this.#api.rewards.startNewLedger();
    await this.#ledger.reload();
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
