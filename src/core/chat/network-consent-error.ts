/** A conversation was to be bound to a network model without the user's explicit yes. */
export class NetworkConsentError extends Error {
  override readonly name = 'NetworkConsentError';
  constructor() {
    super(
      'A network model sees every message of the chat. Hearth uses one only after you confirm that in the chat, for that chat.',
    );
  }
}
