import { describe, expect, it, vi } from 'vitest';
import { createChainPayments } from '../../../src/core/chain/chain-payments';
import { chainConfigFrom } from '../../../src/core/chain/chain-config';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';

const filled = {
  ...DEFAULT_SETTINGS.chain,
  rpcUrl: 'http://127.0.0.1:8545',
  chainId: 31337,
  escrowAddress: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  tokenAddress: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
};

describe('chain settings', () => {
  it('are empty by default, which means no chain', () => {
    expect(chainConfigFrom(DEFAULT_SETTINGS.chain)).toBeUndefined();
  });

  it('with no chain, no payments component exists and not even the wallet is loaded', async () => {
    const wallet = vi.fn();
    await expect(
      createChainPayments({ settings: DEFAULT_SETTINGS.chain, wallet, dataDir: '/nonexistent' }),
    ).resolves.toBeUndefined();
    expect(wallet).not.toHaveBeenCalled();
  });

  it('half filled is an error that says where to fix it', () => {
    expect(() => chainConfigFrom({ ...DEFAULT_SETTINGS.chain, rpcUrl: filled.rpcUrl })).toThrow(/incomplete.*chain id/);
  });

  it('filled gives checksummed addresses', () => {
    expect(chainConfigFrom(filled)).toEqual({
      rpcUrl: filled.rpcUrl,
      chainId: 31337,
      escrow: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      token: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
    });
  });
});
