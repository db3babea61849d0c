import { hashTypedData, verifyTypedData, type Address, type Hex, type LocalAccount } from 'viem';

/**
 * A cheque: the requester's signed promise that it owes `provider` `cumulative` token base units
 * in total, ever. Each new one replaces the last; HearthEscrow pays the difference to what the
 * pair was already paid, so an older or repeated cheque pays nothing.
 */
export interface Cheque {
  requester: Address;
  provider: Address;
  /** Token base units owed in total (not per job). */
  cumulative: bigint;
}

export interface SignedCheque extends Cheque {
  /** 65-byte secp256k1 signature by the requester over the EIP-712 digest. */
  signature: Hex;
}

/** A signed cheque as JSON (the bigint as a decimal string). */
export interface SignedChequeJson {
  requester: Address;
  provider: Address;
  cumulative: string;
  signature: Hex;
}

/** Which escrow a cheque is for: chain id and contract are in the EIP-712 domain, so a cheque for
 * one chain or contract is worthless on another. */
export interface EscrowDomain {
  chainId: number;
  escrow: Address;
}

/** Must match CHEQUE_TYPEHASH in contracts/HearthEscrow.sol; never reorder. */
export const CHEQUE_TYPES = {
  Cheque: [
    { name: 'requester', type: 'address' },
    { name: 'provider', type: 'address' },
    { name: 'cumulative', type: 'uint256' },
  ],
} as const;

export function chequeDomain({ chainId, escrow }: EscrowDomain) {
  return { name: 'HearthEscrow', version: '1', chainId, verifyingContract: escrow } as const;
}

export async function signCheque(wallet: LocalAccount, domain: EscrowDomain, cheque: Cheque): Promise<SignedCheque> {
  if (wallet.address.toLowerCase() !== cheque.requester.toLowerCase()) {
    throw new Error(`Wallet ${wallet.address} cannot sign a cheque whose requester is ${cheque.requester}.`);
  }
  const signature = await wallet.signTypedData({
    domain: chequeDomain(domain),
    types: CHEQUE_TYPES,
    primaryType: 'Cheque',
    message: cheque,
  });
  return { ...cheque, signature };
}

/** True when the signature is the requester's over exactly this cheque for this escrow. */
export function verifyCheque(domain: EscrowDomain, cheque: SignedCheque): Promise<boolean> {
  return verifyTypedData({
    address: cheque.requester,
    domain: chequeDomain(domain),
    types: CHEQUE_TYPES,
    primaryType: 'Cheque',
    message: { requester: cheque.requester, provider: cheque.provider, cumulative: cheque.cumulative },
    signature: cheque.signature,
    // A signature that cannot even be parsed is not a valid one: verification answers false.
  }).catch(() => false);
}

export function chequeDigest(domain: EscrowDomain, cheque: Cheque): Hex {
  return hashTypedData({ domain: chequeDomain(domain), types: CHEQUE_TYPES, primaryType: 'Cheque', message: cheque });
}

export function chequeToJson(cheque: SignedCheque): SignedChequeJson {
  return { ...cheque, cumulative: cheque.cumulative.toString() };
}

export function chequeFromJson(json: SignedChequeJson): SignedCheque {
  return { ...json, cumulative: BigInt(json.cumulative) };
}
