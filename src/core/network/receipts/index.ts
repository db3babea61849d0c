export {
  RECEIPT_DOMAIN,
  RECEIPT_TYPES,
  receiptFromJson,
  receiptToJson,
  type Receipt,
  type ReceiptJson,
  type SignedReceipt,
} from './receipt-types';
export { receiptDigest, signReceipt, verifyReceipt } from './sign-receipt';
export { loadOrCreateWallet, WALLET_SECRET } from './wallet';
export { bindWallet, verifyWalletBinding, type WalletBinding } from './wallet-binding';
