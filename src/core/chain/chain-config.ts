import { getAddress, isAddress, type Address } from 'viem';
import type { Settings } from '../../shared/settings';

/** Where the escrow lives. Present only when the user filled in all four chain settings. */
export interface ChainConfig {
  rpcUrl: string;
  chainId: number;
  escrow: Address;
  token: Address;
}

/** The chain section of settings is half-filled or malformed: the user fixes it where settings are edited. */
export class ChainSettingsError extends Error {
  override readonly name = 'ChainSettingsError';
}

/** The chain section of settings: all empty by default, which means no chain at all. */
export type ChainSettings = Settings['chain'];

/**
 * The chain to use, or undefined when none is configured (then Hearth makes no chain request).
 * A half-filled section is an error the user can fix, not a silent "off".
 */
export function chainConfigFrom(settings: ChainSettings): ChainConfig | undefined {
  const filled = [settings.rpcUrl, settings.chainId, settings.escrowAddress, settings.tokenAddress].filter(
    (value) => value !== '' && value !== null,
  ).length;
  if (filled === 0) return undefined;
  if (filled < 4 || settings.chainId === null) {
    throw new ChainSettingsError(
      'The chain settings are incomplete: fill in the RPC URL, chain id, escrow address and token address under Settings → Payments on chain, or clear all four to turn the chain off.',
    );
  }
  for (const [what, value] of [
    ['escrow', settings.escrowAddress],
    ['token', settings.tokenAddress],
  ] as const) {
    if (!isAddress(value))
      throw new ChainSettingsError(
        `The ${what} address in the chain settings (${value}) is not an address: fix it under Settings → Payments on chain.`,
      );
  }
  return {
    rpcUrl: settings.rpcUrl,
    chainId: settings.chainId,
    escrow: getAddress(settings.escrowAddress),
    token: getAddress(settings.tokenAddress),
  };
}
