export { ChainPayments, createChainPayments, type ChainPaymentsInit } from './chain-payments';
export { ChainClient, type ChainRequestRecord } from './chain-client';
export { ChainSettingsError, chainConfigFrom, type ChainConfig, type ChainSettings } from './chain-config';
export { ChequeBook, type Reservation } from './cheque-book';
export { CreditCheck, type CreditVerdict } from './credit-check';
export { DepositExhaustedError } from './deposit-exhausted-error';
export { Escrow, type PendingWithdrawal, type SentTransaction } from './escrow';
export { HeldCheques, ChequeRefusedError, type HeldPair, type Redemption } from './held-cheques';
export {
  signCheque,
  verifyCheque,
  chequeToJson,
  chequeFromJson,
  type SignedCheque,
  type SignedChequeJson,
} from './cheque';
export { deployHearthCredit, deployHearthEscrow, DEFAULT_WITHDRAWAL_DELAY_SECONDS } from './deploy';
export type { JobPayments, JobPaymentReservation } from './job-payments';
export { redemptionToJson } from './redemption-json';
export { openChainWallet, walletStatus, type WalletStatus } from './wallet-report';
export { explainChainError } from './chain-error';
