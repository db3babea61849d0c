/**
 * A call that was refused or failed, with a name the UI can match and a readable message.
 * Beside the engine's other shared pieces (not in doors/), so a capability can refuse a call
 * without importing the doors that route calls to it.
 */
export class CallError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}
