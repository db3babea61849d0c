import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateWallet, signReceipt, verifyReceipt, WALLET_SECRET } from '../../../src/core/network/receipts';
import { createSecretStore } from '../../../src/core/secrets';
import { tempDir } from '../../helpers/temp-dir';

describe('wallet key', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  it('is created once in the secret store (0600 headless) and signs verifiable receipts', async () => {
    const secrets = createSecretStore({ dir: join(dir.path, 'secrets') });
    const wallet = await loadOrCreateWallet(secrets);
    expect((await loadOrCreateWallet(secrets)).address).toBe(wallet.address);
    expect((await stat(join(dir.path, 'secrets', `${WALLET_SECRET}.key`))).mode & 0o777).toBe(0o600);
    const signed = await signReceipt(wallet, {
      jobId: 'j',
      provider: wallet.address,
      requester: wallet.address,
      modelHash: `0x${'00'.repeat(32)}`,
      promptTokens: 1,
      outputTokens: 1,
      price: 1n,
      audited: false,
      nonce: 1n,
      time: 1n,
    });
    expect(await verifyReceipt(signed)).toBe(true);
  });
});
