import type { ChatMessage } from '../../shared/contract/chat';

/**
 * A conversation whose last message is the user's, with no answer running, was cut off: Hearth
 * was closed or killed mid-answer, or the answer failed. Marks that message `interrupted` (in
 * place) so the UI can say so; returns whether it did.
 */
export function markInterrupted(messages: ChatMessage[]): boolean {
  const last = messages.at(-1);
  if (last?.role !== 'user' || last.interrupted) return false;
  last.interrupted = true;
  return true;
}

/**
 * What the model is given: the conversation without the questions it never answered, so a
 * pile of cut-off turns is not sent again in front of the new one. Retrying a question
 * (regenerate, edit) clears its mark first.
 */
export function answeredTurns<T extends Pick<ChatMessage, 'interrupted'>>(messages: readonly T[]): T[] {
  return messages.filter((m) => !m.interrupted);
}
