import { peerIdFromString } from '@libp2p/peer-id';
import type { PrivateKey } from '@libp2p/interface';
import {
  bytesToHex,
  hashTypedData,
  hexToBytes,
  verifyTypedData,
  type Address,
  type Hex,
  type LocalAccount,
} from 'viem';
import { RECEIPT_DOMAIN } from './receipt-types';

const BINDING_TYPES = {
  WalletBinding: [
    { name: 'peerId', type: 'string' },
    { name: 'wallet', type: 'address' },
    { name: 'time', type: 'uint64' },
  ],
} as const;

/**
 * "Peer `peerId` is paid at `wallet`", signed by both keys: the wallet signs the EIP-712
 * statement and the libp2p identity signs the same digest. Either signature alone proves
 * nothing: a wallet could claim any peer, and a peer could name someone else's wallet.
 */
export interface WalletBinding {
  peerId: string;
  wallet: Address;
  /** Unix seconds; the newest valid binding for a peer wins. */
  time: number;
  walletSignature: Hex;
  peerSignature: Hex;
}

function bindingDigest(peerId: string, wallet: Address, time: number): Hex {
  return hashTypedData({
    domain: RECEIPT_DOMAIN,
    types: BINDING_TYPES,
    primaryType: 'WalletBinding',
    message: { peerId, wallet, time: BigInt(time) },
  });
}

export async function bindWallet(
  wallet: LocalAccount,
  identity: PrivateKey,
  peerId: string,
  time = Math.floor(Date.now() / 1000),
): Promise<WalletBinding> {
  const message = { peerId, wallet: wallet.address, time: BigInt(time) };
  const walletSignature = await wallet.signTypedData({
    domain: RECEIPT_DOMAIN,
    types: BINDING_TYPES,
    primaryType: 'WalletBinding',
    message,
  });
  const peerSignature = bytesToHex(await identity.sign(hexToBytes(bindingDigest(peerId, wallet.address, time))));
  return { peerId, wallet: wallet.address, time, walletSignature, peerSignature };
}

/** True when both the wallet and the peer identity signed this binding. */
export async function verifyWalletBinding(binding: WalletBinding): Promise<boolean> {
  try {
    const walletOk = await verifyTypedData({
      address: binding.wallet,
      domain: RECEIPT_DOMAIN,
      types: BINDING_TYPES,
      primaryType: 'WalletBinding',
      message: { peerId: binding.peerId, wallet: binding.wallet, time: BigInt(binding.time) },
      signature: binding.walletSignature,
    });
    if (!walletOk) return false;
    // Ed25519 and secp256k1 peer ids carry their public key inline; RSA ids do not and are refused.
    const publicKey = peerIdFromString(binding.peerId).publicKey;
    if (!publicKey) return false;
    const digest = hexToBytes(bindingDigest(binding.peerId, binding.wallet, binding.time));
    return await publicKey.verify(digest, hexToBytes(binding.peerSignature));
  } catch {
    return false;
  }
}
