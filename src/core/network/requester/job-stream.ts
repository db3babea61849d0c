import { randomBytes } from 'node:crypto';
import type { PeerId } from '@libp2p/interface';
import type { HearthLibp2p } from '../node/create-node';
import { INFER_PROTOCOL } from '../protocol/ids';
import { MessageStream } from '../protocol/message-stream';
import { ProviderMessageSchema, type JobRequest, type JobSummary } from '../protocol/messages';
import type { WalletBinding } from '../receipts';
import { AttemptFailed } from './attempt-failed';
import type { GenerateOptions, NetworkJob } from './network-job';
import type { ProviderCandidate } from './provider-ranker';

export type ProviderStream = MessageStream<typeof ProviderMessageSchema>;

/** What sending a job needs of the node: its own id (named in the request) and dialling. */
export type JobStreamComponents = Pick<HearthLibp2p, 'peerId' | 'dialProtocol'>;

export interface JobStreamInit {
  dialMs: number;
  /** Longest wait for accept or refuse. */
  answerMs: number;
  /** Longest silence while tokens stream. */
  idleMs: number;
  /** The provider accepted and then failed or vanished before `done` (reputation counts it). */
  onDropped: (provider: string) => void;
}

/** A job the provider answered in full: its stream stays open for the settlement. */
export interface StreamedJob {
  messages: ProviderStream;
  request: JobRequest;
  text: string;
  summary: JobSummary;
  /** The provider's wallet binding from `accept`, not verified yet. */
  binding: WalletBinding | undefined;
  /** The caller's signal had fired by `done`: the provider was told to stop. */
  cancelled: boolean;
}

/**
 * One job on one `/hearth/infer/1.0.0` stream, the requester's side of the wire: the request,
 * accept or refuse, tokens until `done`. A cancel from the caller is sent as `cancel`; anything
 * else the provider does wrong is an AttemptFailed and aborts the stream.
 */
export async function streamJob(
  components: JobStreamComponents,
  init: JobStreamInit,
  peerId: PeerId,
  candidate: ProviderCandidate,
  job: NetworkJob,
  options: Pick<GenerateOptions, 'signal' | 'onToken'>,
  /** The escrow payer address, when a cheque will pay this job. */
  payer: string | undefined,
): Promise<StreamedJob> {
  const stream = await components.dialProtocol(peerId, INFER_PROTOCOL, {
    signal: AbortSignal.timeout(init.dialMs),
  });
  const messages = new MessageStream(stream, ProviderMessageSchema);
  const request: JobRequest = {
    t: 'request',
    jobId: randomBytes(12).toString('base64url'),
    model: job.model,
    prompt: job.prompt,
    maxTokens: job.maxTokens,
    temperature: job.temperature ?? 0,
    topP: job.topP ?? 1,
    seed: job.seed ?? randomSeed(),
    // The provider's announced price, which the caller's maxPrice already accepted.
    price: candidate.price,
    requester: components.peerId.toString(),
    ...(payer ? { payer } : {}),
  };
  const onAbort = () => void messages.write({ t: 'cancel' }, 2_000).catch(() => messages.abort('cancelled'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let accepted = false;
  try {
    await messages.write(request, init.dialMs);
    const answer = await messages.read(init.answerMs);
    if (answer.t === 'refuse') throw new AttemptFailed(`refused (${answer.reason}): ${answer.message}`, answer.reason);
    if (answer.t === 'error') throw new AttemptFailed(answer.message);
    if (answer.t !== 'accept') throw new AttemptFailed('the provider broke the protocol');
    accepted = true;
    // The schema checked the shape; verifyWalletBinding checks the signatures before any use.
    const binding = answer.binding as WalletBinding | undefined;
    let text = '';
    for (;;) {
      const message = await messages.read(init.idleMs);
      if (message.t === 'token') {
        text += message.text;
        options.onToken?.(message.text);
      } else if (message.t === 'done') {
        const { t: _t, ...summary } = message;
        return { messages, request, text, summary, binding, cancelled: options.signal?.aborted ?? false };
      } else if (message.t === 'error') throw new AttemptFailed(message.message);
      else throw new AttemptFailed('the provider broke the protocol');
    }
  } catch (error) {
    messages.abort('attempt failed');
    if (accepted && !options.signal?.aborted) init.onDropped(candidate.peerId);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** A fresh sampling seed, so two jobs with the same prompt are not the same draw. */
export function randomSeed(): number {
  return randomBytes(4).readUInt32LE();
}
