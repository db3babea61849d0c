import type { WireIssue } from '../shared/errors';

/**
 * A call that was refused or failed, with a name the UI can match and a readable message;
 * a refused input also carries its worded issues, each with the path of its field.
 * Beside the engine's other shared pieces (not in doors/), so a capability can refuse a call
 * without importing the doors that route calls to it.
 */
export class CallError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly issues?: readonly WireIssue[],
  ) {
    super(message);
  }
}
