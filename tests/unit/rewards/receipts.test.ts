import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { verifyTypedData } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import {
  bindWallet,
  RECEIPT_DOMAIN,
  RECEIPT_TYPES,
  signReceipt,
  verifyReceipt,
  verifyWalletBinding,
  type Receipt,
} from '../../../src/core/network/receipts';

const requester = privateKeyToAccount(generatePrivateKey());
const provider = privateKeyToAccount(generatePrivateKey());

function receipt(overrides: Partial<Receipt> = {}): Receipt {
  return {
    jobId: 'job-1',
    provider: provider.address,
    requester: requester.address,
    modelHash: `0x${'27'.repeat(32)}`,
    promptTokens: 17,
    outputTokens: 64,
    price: 1_500n,
    audited: true,
    nonce: 1n,
    time: 1_790_000_000n,
    ...overrides,
  };
}

describe('EIP-712 receipts', () => {
  it('verify with viem verifyTypedData against the requester address', async () => {
    const signed = await signReceipt(requester, receipt());
    const valid = await verifyTypedData({
      address: requester.address,
      domain: RECEIPT_DOMAIN,
      types: RECEIPT_TYPES,
      primaryType: 'Receipt',
      message: signed.receipt,
      signature: signed.signature,
    });
    expect(valid).toBe(true);
    expect(await verifyReceipt(signed)).toBe(true);
  });

  it('fail to verify when any field is changed after signing', async () => {
    const signed = await signReceipt(requester, receipt());
    for (const change of [{ outputTokens: 65 }, { price: 1_501n }, { provider: requester.address }, { nonce: 2n }]) {
      expect(await verifyReceipt({ ...signed, receipt: { ...signed.receipt, ...change } })).toBe(false);
    }
  });

  it('cannot be signed by a wallet other than the requester', async () => {
    await expect(signReceipt(provider, receipt())).rejects.toThrow(/cannot sign/);
  });
});

describe('wallet binding', () => {
  it('binds a wallet to a real libp2p Ed25519 peer id, and a swapped part breaks it', async () => {
    const identity = await generateKeyPair('Ed25519');
    const peerId = peerIdFromPrivateKey(identity).toString();
    const binding = await bindWallet(provider, identity, peerId);
    expect(await verifyWalletBinding(binding)).toBe(true);

    const otherPeer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
    expect(await verifyWalletBinding({ ...binding, peerId: otherPeer })).toBe(false);
    expect(await verifyWalletBinding({ ...binding, wallet: requester.address })).toBe(false);
    expect(await verifyWalletBinding({ ...binding, time: binding.time + 1 })).toBe(false);
  });
});
