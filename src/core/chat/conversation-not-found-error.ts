export class ConversationNotFoundError extends Error {
  override readonly name = 'ConversationNotFoundError';
  constructor(readonly id: string) {
    super(`There is no conversation "${id}"; it may have been deleted. Pick another one from the list.`);
  }
}
