export class ChatBusyError extends Error {
  override readonly name = 'ChatBusyError';
  constructor(readonly conversationId: string) {
    super('This conversation is still answering. Wait for it to finish or press Stop first.');
  }
}
