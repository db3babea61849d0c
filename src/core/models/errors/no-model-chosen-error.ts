/** No model is chosen for a role that a call needs. */
export class NoModelChosenError extends Error {
  override readonly name = 'NoModelChosenError';
  constructor(readonly role: string) {
    super(`No ${role} model is chosen yet. Download or import one on the Models page, then choose it.`);
  }
}
