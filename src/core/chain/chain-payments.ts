import { join } from 'node:path';
import type { Address, LocalAccount } from 'viem';
import type { Settings } from '../../shared/settings';
import type { Logger } from '../log';
import { AutoRedeemer, type AutoRedeemPolicy } from './auto-redeem';
import { ChainClient } from './chain-client';
import { chainConfigFrom } from './chain-config';
import { chainRequestRecorder } from './chain-request-log';
import { chequeFromJson, chequeToJson, type SignedChequeJson } from './cheque';
import { ChequeBook } from './cheque-book';
import { CreditCheck, type CreditVerdict } from './credit-check';
import { Escrow } from './escrow';
import { HeldCheques } from './held-cheques';
import type { JobPaymentReservation, JobPayments } from './job-payments';

/** Micro-credits (the receipts' unit) per credit; one credit is one whole token. */
const MICRO = 1_000_000n;

export interface ChainPaymentsInit {
  settings: Settings['chain'];
  /** The node's wallet (receipts/wallet.ts): owns the deposit, signs cheques, receives payment.
   * Loaded only when a chain is configured. */
  wallet: () => Promise<LocalAccount>;
  dataDir: string;
  log?: Pick<Logger, 'info'>;
  /** Decimals of the token; read from the chain on first use when absent. */
  decimals?: number;
}

/**
 * Everything the node does on chain, in one component that exists only when a chain is
 * configured: the requester's cheque book, the provider's held cheques and credit check, and
 * the escrow itself. Without a chain nothing creates it, so no chain request is ever made.
 */
export class ChainPayments implements JobPayments {
  readonly client: ChainClient;
  readonly escrow: Escrow;
  readonly book: ChequeBook;
  readonly held: HeldCheques;
  readonly creditCheck: CreditCheck;
  private _autoRedeemer: AutoRedeemer | undefined;

  constructor(
    readonly wallet: LocalAccount,
    client: ChainClient,
    dataDir: string,
    readonly decimals: number,
  ) {
    this.client = client;
    this.escrow = new Escrow(client);
    const dir = join(dataDir, 'network', `chain-${client.config.chainId}-${client.config.escrow.toLowerCase()}`);
    this.book = new ChequeBook({ escrow: this.escrow, wallet, file: join(dir, 'cheques-signed.json'), decimals });
    this.held = new HeldCheques({ escrow: this.escrow, wallet, file: join(dir, 'cheques-held.json') });
    this.creditCheck = new CreditCheck({ escrow: this.escrow, held: this.held, decimals });
  }

  /** Starts redeeming by the policy in settings (nothing runs while it is off). */
  startAutoRedeem(policy: () => AutoRedeemPolicy, log?: Pick<Logger, 'info' | 'warn'>): void {
    this._autoRedeemer ??= new AutoRedeemer(this.held, this.client, policy, this.decimals, log);
    this._autoRedeemer.start();
  }

  dispose(): void {
    this._autoRedeemer?.stop();
  }

  get payer(): Address {
    return this.wallet.address;
  }

  async reserve(maxMicroCredits: bigint): Promise<JobPaymentReservation> {
    const reservation = await this.book.reserve(this.tokenUnits(maxMicroCredits));
    return {
      cheque: async (provider, microCredits) =>
        chequeToJson(await reservation.pay(provider, this.tokenUnits(microCredits))),
      release: () => reservation.release(),
    };
  }

  credit(payer: Address, maxMicroCredits: bigint): Promise<CreditVerdict> {
    return this.creditCheck.check(payer, this.tokenUnits(maxMicroCredits));
  }

  acceptCheque(cheque: SignedChequeJson, microCredits: bigint): Promise<void> {
    return this.held.accept(chequeFromJson(cheque), this.tokenUnits(microCredits));
  }

  /** Token base units for a price in micro-credits (one credit is one whole token). */
  tokenUnits(microCredits: bigint): bigint {
    const scale = 10n ** BigInt(this.decimals);
    return (microCredits * scale) / MICRO;
  }
}

/** The payments component for these settings, or undefined when no chain is configured. */
export async function createChainPayments(init: ChainPaymentsInit): Promise<ChainPayments | undefined> {
  const config = chainConfigFrom(init.settings);
  if (!config) return undefined;
  const client = new ChainClient(config, { record: chainRequestRecorder(init.log) });
  let decimals = init.decimals;
  if (decimals === undefined) {
    try {
      decimals = await new Escrow(client).tokenDecimals();
    } catch (error) {
      throw new Error(
        `The chain at ${config.rpcUrl} did not answer for token ${config.token} (${(error as Error).message.split('\n')[0]}). Check the chain section of your settings, or clear it to use the network without on-chain payment.`,
        { cause: error },
      );
    }
  }
  return new ChainPayments(await init.wallet(), client, init.dataDir, decimals);
}
