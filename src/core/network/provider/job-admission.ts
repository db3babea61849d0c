import type { Address } from 'viem';
import type { JobPayments } from '../../chain/job-payments';
import type { JobRequest, RefuseReason } from '../protocol/messages';
import { jobPrice } from '../rewards/price';
import type { ContributionVerdict } from './contribution-policy';
import type { OfferedModel } from './offered-model';

/** What deciding on a request needs: the offer, the owner's rules and who owes what. */
export interface JobAdmissionComponents {
  models: readonly OfferedModel[];
  /** May this machine contribute right now? */
  verdict: () => ContributionVerdict;
  /** Credits per 1000 tokens asked; absent: 0. */
  price?: () => number;
  /** Why this requester has too many unpaid jobs to be served, or null. */
  unpaidRefusal: (requester: string) => string | null;
  freeSlots: () => number;
  /** With a chain: checks the payer's deposit on chain. */
  payments?: Pick<JobPayments, 'credit'>;
}

/** Why a request is refused, sent to the requester as `refuse`. */
export interface Refusal {
  reason: RefuseReason;
  message: string;
}

export type Admission = { model: OfferedModel } | Refusal;

/**
 * Decides whether this provider runs a request, in a fixed order (cheap checks first, the chain
 * last), and says why not in words the requester can show its user.
 */
export async function admitJob(
  components: JobAdmissionComponents,
  request: JobRequest,
  peer: string,
): Promise<Admission> {
  if (request.requester !== peer)
    return { reason: 'invalid-request', message: 'The requester id does not match the connection.' };
  const verdict = components.verdict();
  if (verdict.state !== 'ready') return { reason: 'not-now', message: verdict.reason };
  const model = components.models.find((m) => m.sha256 === request.model);
  if (!model) return { reason: 'unknown-model', message: 'This provider does not serve that model.' };
  const asking = components.price?.() ?? 0;
  if (request.price < asking) {
    return {
      reason: 'price-too-low',
      message: `This provider asks ${asking} credits per 1000 tokens; the request offered ${request.price}.`,
    };
  }
  const unpaid = components.unpaidRefusal(peer);
  if (unpaid) return { reason: 'unpaid', message: unpaid };
  if (components.freeSlots() === 0) return { reason: 'at-capacity', message: 'This provider is busy with other jobs.' };
  const payments = components.payments;
  if (payments && request.price > 0) {
    if (!request.payer)
      return {
        reason: 'no-credit',
        message:
          'This provider is paid through an escrow on chain: the requester needs the chain section of its settings filled in and a deposit (`hearth wallet deposit`).',
      };
    const credit = await payments
      .credit(request.payer as Address, jobPrice(request.price, request.maxTokens))
      .catch((error: unknown) => ({
        ok: false as const,
        reason: `This provider could not check the requester's deposit on chain: ${(error as Error).message}`.slice(
          0,
          500,
        ),
      }));
    if (!credit.ok) return { reason: 'no-credit', message: credit.reason.slice(0, 500) };
  }
  return { model };
}
