import { randomBytes } from 'node:crypto';
import type { LocalAccount } from 'viem';
import { signReceipt, type SignedReceipt } from '../receipts';
import { jobPrice } from './price';

/**
 * What a third-party audit is paid for, in tokens: a tenth of the job's prompt plus output
 * tokens, at least 1. A teacher-forced audit is one prefill of prompt and answer, which costs
 * far less per token than generating them; a tenth keeps it a small job. Both sides compute it
 * from the request alone (the prompt count is capped by the prompt's length, so a provider's
 * inflated claim cannot make the audit dear).
 */
export function auditTokens(request: {
  prompt: string;
  tokens: readonly number[];
  claim: { promptTokens: number };
}): number {
  const promptTokens = Math.min(request.claim.promptTokens, request.prompt.length + 1);
  return Math.max(1, Math.ceil((promptTokens + request.tokens.length) / 10));
}

/** The receipt a requester signs for one audit: the usual job receipt, named by the audit id. */
export async function signAuditReceipt(
  wallet: LocalAccount,
  audit: { auditId: string; auditorWallet: `0x${string}`; model: string; tokens: number; price: number },
): Promise<SignedReceipt> {
  return signReceipt(wallet, {
    jobId: audit.auditId,
    provider: audit.auditorWallet,
    requester: wallet.address,
    modelHash: `0x${audit.model}`,
    promptTokens: 0,
    outputTokens: audit.tokens,
    price: jobPrice(audit.price, audit.tokens),
    audited: false,
    nonce: BigInt(`0x${randomBytes(16).toString('hex')}`),
    time: BigInt(Math.floor(Date.now() / 1000)),
  });
}
