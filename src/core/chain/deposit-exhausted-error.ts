import { formatUnits } from 'viem';

/** The requester's deposit cannot cover a job: Hearth refuses to promise tokens it has not put up. */
export class DepositExhaustedError extends Error {
  override readonly name = 'DepositExhaustedError';

  constructor(
    readonly needed: bigint,
    readonly available: bigint,
    decimals: number,
  ) {
    super(
      `Your escrow deposit cannot pay for this job: it needs up to ${formatUnits(needed, decimals)} tokens and ${formatUnits(available, decimals)} are left after the cheques you have already signed and any withdrawal you requested. Deposit more with \`hearth wallet deposit <amount>\` and try again.`,
    );
  }
}
