import type { MessageStream } from '../protocol/message-stream';
import { ProtocolError, type RequesterMessageSchema } from '../protocol/messages';
import type { SettleMessage } from '../rewards/receipt-collector';

export interface RequesterListenerInit {
  /** The running job: a cancel, a requester that leaves or breaks the protocol stops it. */
  job: AbortController;
  peer: string;
  /** Stops listening (the job failed, or its settlement is in or too late). */
  signal: AbortSignal;
  /** Longest wait for the next message: the longest job plus the receipt's wait. */
  readMs: number;
  /** True once `done` is out: from then on a receipt is expected and nothing stops the job. */
  settling: () => boolean;
  /** The requester stopped the job, just before it is aborted. */
  onStopped: () => void;
  /** The message that settles the job, or null when none will come. Called once. */
  settle: (message: SettleMessage | null) => void;
  onStrike: (peer: string) => void;
}

/**
 * Reads what the requester sends after its request: `cancel` while the job runs, then one
 * receipt, `withheld`, `held` or `batch` once `done` is out. Closing the stream mid-job also
 * cancels; anything else is a strike.
 */
export async function listenToRequester(
  messages: MessageStream<typeof RequesterMessageSchema>,
  init: RequesterListenerInit,
): Promise<void> {
  const { job, peer, signal } = init;
  const stopJob = (reason: string) => {
    if (init.settling() || job.signal.aborted) return;
    init.onStopped();
    job.abort(new Error(reason));
  };
  for (;;) {
    let next;
    try {
      next = await messages.read(init.readMs, signal);
    } catch (error) {
      if (!signal.aborted) {
        if (error instanceof ProtocolError) init.onStrike(peer);
        stopJob('The requester went away.');
      }
      init.settle(null);
      return;
    }
    if (next.t === 'cancel') {
      stopJob('Cancelled by the requester.');
      continue;
    }
    if ((next.t === 'receipt' || next.t === 'withheld' || next.t === 'held' || next.t === 'batch') && init.settling()) {
      init.settle(next);
      return;
    }
    init.onStrike(peer);
    stopJob('The requester broke the protocol.');
    init.settle(null);
    return;
  }
}
