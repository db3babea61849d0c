import type { RefuseReason } from '../protocol/messages';

/**
 * One provider refused or failed the job (`refusal` when it said why); the requester tries the
 * next. Internal to the requester: callers only ever see NoProviderError.
 */
export class AttemptFailed extends Error {
  override readonly name = 'AttemptFailed';
  constructor(
    message: string,
    readonly refusal?: RefuseReason,
  ) {
    super(message);
  }
}
