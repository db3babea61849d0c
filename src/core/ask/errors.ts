/** Ask cannot run: a part it needs (library, chat model) is missing, with what to do about it. */
export class AskUnavailableError extends Error {
  override readonly name = 'AskUnavailableError';
  constructor(
    readonly missing: 'library' | 'chat-model' | 'answer',
    message: string,
  ) {
    super(message);
  }
}
