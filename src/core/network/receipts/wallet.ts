import { bytesToHex, hexToBytes } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { loadOrCreateKey, type SecretStore } from '../../secrets';

/** The secret-store name of the node's secp256k1 wallet key. */
export const WALLET_SECRET = 'wallet-key';

/**
 * Loads the wallet that signs receipts, creating it on first use. Like the network identity it
 * lives in the secret store (OS keychain in the app, a 0600 file headless), never in settings.
 * A damaged key is a DamagedSecretError: a new wallet would be a new address with no notice.
 */
export async function loadOrCreateWallet(secrets: SecretStore): Promise<PrivateKeyAccount> {
  return loadOrCreateKey(secrets, WALLET_SECRET, {
    what: 'wallet key',
    generate: () => hexToBytes(generatePrivateKey()),
    decode: (stored) => {
      if (stored.byteLength !== 32) throw new Error(`it is ${stored.byteLength} bytes, not the 32 of a wallet key`);
      return privateKeyToAccount(bytesToHex(stored));
    },
  });
}
