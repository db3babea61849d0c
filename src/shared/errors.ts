import * as v from 'valibot';

/**
 * An error as it crosses a process boundary: plain data, matched by `name` (never by
 * `instanceof`, which does not survive serialisation).
 */
export const WireErrorSchema = v.object({
  name: v.string(),
  message: v.string(),
});
export type WireError = v.InferOutput<typeof WireErrorSchema>;

/** The names the doors themselves produce; services add their own. */
export const DoorErrorName = {
  InvalidInput: 'InvalidInputError',
  InvalidOutput: 'InvalidOutputError',
  UnknownCall: 'UnknownCallError',
  NotImplemented: 'NotImplementedError',
  Unauthorized: 'UnauthorizedError',
  Internal: 'InternalError',
  /** The engine is shutting down (or was) and takes no more calls. */
  Disposed: 'DisposedError',
  /** The connection to a running Hearth dropped, or never came up. */
  Disconnected: 'DisconnectedError',
  /** Another Hearth process owns this data folder and cannot be reached through the contract. */
  DataFolderInUse: 'DataFolderInUseError',
} as const;
export type DoorErrorNameValue = (typeof DoorErrorName)[keyof typeof DoorErrorName];

/** Result of a call across IPC: errors travel as values so Electron does not rewrite them. */
export type WireResult<T = unknown> = { ok: true; value: T } | { ok: false; error: WireError };

/** An error rebuilt from the wire: the engine's error `name` and message, no stack. */
export class RemoteError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}
