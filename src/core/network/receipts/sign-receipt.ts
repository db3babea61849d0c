import { hashTypedData, verifyTypedData, type Hex, type LocalAccount } from 'viem';
import { RECEIPT_DOMAIN, RECEIPT_TYPES, type Receipt, type SignedReceipt } from './receipt-types';

/** Signs a receipt with the requester's wallet; the wallet must be the receipt's requester. */
export async function signReceipt(wallet: LocalAccount, receipt: Receipt): Promise<SignedReceipt> {
  if (wallet.address.toLowerCase() !== receipt.requester.toLowerCase()) {
    throw new Error(`Wallet ${wallet.address} cannot sign a receipt whose requester is ${receipt.requester}.`);
  }
  const signature = await wallet.signTypedData({
    domain: RECEIPT_DOMAIN,
    types: RECEIPT_TYPES,
    primaryType: 'Receipt',
    message: receipt,
  });
  return { receipt, signature };
}

/** True when the signature is the requester's over exactly this receipt. */
export function verifyReceipt({ receipt, signature }: SignedReceipt): Promise<boolean> {
  return verifyTypedData({
    address: receipt.requester,
    domain: RECEIPT_DOMAIN,
    types: RECEIPT_TYPES,
    primaryType: 'Receipt',
    message: receipt,
    signature,
  }).catch(() => false);
}

/** The EIP-712 digest: what a contract would check, and the receipt's identity in the ledger. */
export function receiptDigest(receipt: Receipt): Hex {
  return hashTypedData({ domain: RECEIPT_DOMAIN, types: RECEIPT_TYPES, primaryType: 'Receipt', message: receipt });
}
