import { randomUUID } from 'node:crypto';
import type { Contract } from '../../shared/contract';
import type { CallContext, ServiceOf } from '../../shared/contract/define';
import type { EventBus } from '../events';
import type { NetworkGenerateResult, NetworkGenerator } from './network-generator';
import { NetworkNotRunningError } from './network-not-running-error';

export interface ContractNetworkGeneratorInit {
  /** The `network` namespace's service (the engine's NetworkService.api()). */
  network: Pick<ServiceOf<Contract['network']>, 'status' | 'generate' | 'cancel'>;
  /** Where `network.token` events arrive. */
  events: EventBus;
}

/** These calls are made inside the engine on the chat's behalf; none of them checks its door. */
const WITHIN_ENGINE: CallContext = { door: 'cli' };

const STOP_REASONS = { 'max-tokens': 'maxTokens', eos: 'end', cancelled: 'abort' } as const;

/**
 * A NetworkGenerator over the `network` contract: refuses at once while the node is off (it
 * does not start the node behind the user's back), streams the job's `network.token` events
 * and, when the signal aborts, cancels the job and returns the text so far without waiting
 * for the network to confirm.
 */
export function createNetworkGenerator(init: ContractNetworkGeneratorInit): NetworkGenerator {
  const { network, events } = init;
  return async (request) => {
    if (!(await network.status({}, WITHIN_ENGINE)).running) throw new NetworkNotRunningError();
    const stopped = (text: string): NetworkGenerateResult => ({ text, stopReason: 'abort', peerId: null });
    if (request.signal.aborted) return stopped('');
    const jobId = `chat-${randomUUID()}`;
    let attempt = -1;
    let text = '';
    const off = events.on('network.token', (t) => {
      if (t.jobId !== jobId) return;
      if (t.attempt !== attempt) text = '';
      attempt = t.attempt;
      text += t.text;
      request.onToken(t.text, t.attempt);
    });
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<null>((resolve) => {
      onAbort = () => {
        // A cancel that fails found the job already over; the answer stops here either way.
        void network.cancel({ jobId }, WITHIN_ENGINE).catch(() => undefined);
        resolve(null);
      };
      request.signal.addEventListener('abort', onAbort, { once: true });
    });
    const job = network.generate(
      {
        jobId,
        model: request.model,
        prompt: request.prompt,
        maxTokens: request.maxTokens,
        ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      },
      WITHIN_ENGINE,
    );
    try {
      const result = await Promise.race([job, aborted]);
      if (!result) {
        // The job ends on its own once the provider hears the cancel; its outcome no longer matters.
        job.catch(() => undefined);
        return stopped(text);
      }
      return {
        text: result.text,
        stopReason: STOP_REASONS[result.stopReason],
        peerId: result.peerId,
        audit: result.audit,
      };
    } finally {
      off();
      request.signal.removeEventListener('abort', onAbort);
    }
  };
}
