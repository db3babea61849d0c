import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { PrivateKeyAccount } from 'viem/accounts';
import {
  bindWallet,
  signReceipt,
  type Receipt,
  type SignedReceipt,
  type WalletBinding,
} from '../../../src/core/network/receipts';

/** A node's wallet, a requester that pays it (with a real wallet binding), and receipts between them. */
export interface LedgerParties {
  node: PrivateKeyAccount;
  /** The node wallet's private key, to put in a data folder's secret store. */
  nodeKey: `0x${string}`;
  requester: PrivateKeyAccount;
  binding: WalletBinding;
  /** A receipt the requester signed for work the node did. */
  earned(n: number, change?: Partial<Receipt>): Promise<SignedReceipt>;
  /** A receipt the node signed for work it bought from someone else. */
  spent(n: number, change?: Partial<Receipt>): Promise<SignedReceipt>;
}

export async function ledgerParties(): Promise<LedgerParties> {
  const nodeKey = generatePrivateKey();
  const node = privateKeyToAccount(nodeKey);
  const requester = privateKeyToAccount(generatePrivateKey());
  const seller = privateKeyToAccount(generatePrivateKey());
  const requesterKey = await generateKeyPair('Ed25519');
  const binding = await bindWallet(requester, requesterKey, peerIdFromPrivateKey(requesterKey).toString());
  const receipt = (n: number, change: Partial<Receipt>): Receipt => ({
    jobId: `job-${n}`,
    provider: node.address,
    requester: requester.address,
    modelHash: `0x${'27'.repeat(32)}`,
    promptTokens: 10,
    outputTokens: 50,
    price: 1000n * BigInt(n),
    audited: n % 2 === 0,
    nonce: BigInt(n),
    time: 1_790_000_000n + BigInt(n),
    ...change,
  });
  return {
    node,
    nodeKey,
    requester,
    binding,
    earned: (n, change = {}) => signReceipt(requester, receipt(n, change)),
    spent: (n, change = {}) =>
      signReceipt(node, receipt(n, { provider: seller.address, requester: node.address, ...change })),
  };
}
