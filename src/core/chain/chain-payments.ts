import { join } from 'node:path';
import type { LocalAccount } from 'viem';
import type { Settings } from '../../shared/settings';
import type { Logger } from '../log';
import { ChainClient } from './chain-client';
import { chainConfigFrom } from './chain-config';
import { chainRequestRecorder } from './chain-request-log';
import { ChequeBook } from './cheque-book';
import { CreditCheck } from './credit-check';
import { Escrow } from './escrow';
import { HeldCheques } from './held-cheques';

/** Micro-credits (the receipts' unit) per credit; one credit is one whole token. */
const MICRO = 1_000_000n;

export interface ChainPaymentsInit {
  settings: Settings['chain'];
  /** The node's wallet (receipts/wallet.ts): owns the deposit, signs cheques, receives payment. */
  wallet: LocalAccount;
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
export class ChainPayments {
  readonly client: ChainClient;
  readonly escrow: Escrow;
  readonly book: ChequeBook;
  readonly held: HeldCheques;
  readonly credit: CreditCheck;

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
    this.credit = new CreditCheck({ escrow: this.escrow, held: this.held, decimals });
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
  const decimals = init.decimals ?? (await new Escrow(client).tokenDecimals());
  return new ChainPayments(init.wallet, client, init.dataDir, decimals);
}
