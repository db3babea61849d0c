import type { Address, Hex } from 'viem';

/**
 * EIP-712 domain of every Hearth receipt. No chainId or verifying contract yet: receipts are
 * settled off-chain today; the settlement issue adds both (and so a new version) when a
 * contract exists, so a receipt for one chain can never be replayed on another.
 */
export const RECEIPT_DOMAIN = { name: 'Hearth', version: '1' } as const;

/** Field order is part of the signature; never reorder, only add under a new domain version. */
export const RECEIPT_TYPES = {
  Receipt: [
    { name: 'jobId', type: 'string' },
    { name: 'provider', type: 'address' },
    { name: 'requester', type: 'address' },
    { name: 'modelHash', type: 'bytes32' },
    { name: 'promptTokens', type: 'uint32' },
    { name: 'outputTokens', type: 'uint32' },
    { name: 'price', type: 'uint256' },
    { name: 'audited', type: 'bool' },
    { name: 'nonce', type: 'uint256' },
    { name: 'time', type: 'uint64' },
  ],
} as const;

/**
 * What a requester signs for one job it accepts: the provider's claim to payment. `price` is the
 * job's total in micro-credits (1e-6 credit) so sums stay exact; `nonce` is unique per requester
 * wallet so a receipt cannot be replayed; `time` is unix seconds.
 */
export interface Receipt {
  jobId: string;
  provider: Address;
  requester: Address;
  /** sha256 of the GGUF file, 0x-prefixed. */
  modelHash: Hex;
  promptTokens: number;
  outputTokens: number;
  price: bigint;
  /** True when the requester re-scored this job and it passed; false when it was not sampled. */
  audited: boolean;
  nonce: bigint;
  time: bigint;
}

/** A receipt as JSON and the ledger store it (bigints as decimal strings). */
export interface ReceiptJson {
  jobId: string;
  provider: Address;
  requester: Address;
  modelHash: Hex;
  promptTokens: number;
  outputTokens: number;
  price: string;
  audited: boolean;
  nonce: string;
  time: number;
}

export interface SignedReceipt {
  receipt: Receipt;
  /** 65-byte secp256k1 signature by the requester's wallet over the EIP-712 digest. */
  signature: Hex;
}

export function receiptToJson(receipt: Receipt): ReceiptJson {
  return { ...receipt, price: receipt.price.toString(), nonce: receipt.nonce.toString(), time: Number(receipt.time) };
}

export function receiptFromJson(json: ReceiptJson): Receipt {
  return { ...json, price: BigInt(json.price), nonce: BigInt(json.nonce), time: BigInt(json.time) };
}
