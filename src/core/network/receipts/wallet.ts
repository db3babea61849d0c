import { bytesToHex, hexToBytes } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import type { SecretStore } from '../../secrets';

/** The secret-store name of the node's secp256k1 wallet key. */
export const WALLET_SECRET = 'wallet-key';

/**
 * Loads the wallet that signs receipts, creating it on first use. Like the network identity it
 * lives in the secret store (OS keychain in the app, a 0600 file headless), never in settings.
 */
export async function loadOrCreateWallet(secrets: SecretStore): Promise<PrivateKeyAccount> {
  const stored = await secrets.get(WALLET_SECRET);
  if (stored && stored.byteLength === 32) return privateKeyToAccount(bytesToHex(stored));
  const key = generatePrivateKey();
  await secrets.set(WALLET_SECRET, Buffer.from(hexToBytes(key)));
  return privateKeyToAccount(key);
}
