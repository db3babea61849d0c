/** A network-bound conversation was sent a message while this computer's network node is off. */
export class NetworkNotRunningError extends Error {
  override readonly name = 'NetworkNotRunningError';
  constructor() {
    super(
      'This chat uses a network model, but the network node is not running. Start it on the Contribute page, or switch this chat back to a local model.',
    );
  }
}
