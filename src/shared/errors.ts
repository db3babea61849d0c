import * as v from 'valibot';

/**
 * One reason a door refused a call's input, already in words ("chat.temperature must be between
 * 0 and 2; 5 is not."), with the dotted path of the field it is about ("chat.temperature"; empty
 * for the input as a whole), so a form can show it beside that field without reading the text.
 */
export const WireIssueSchema = v.object({
  path: v.pipe(v.string(), v.maxLength(2000)),
  message: v.pipe(v.string(), v.maxLength(2000)),
});
export type WireIssue = v.InferOutput<typeof WireIssueSchema>;

/**
 * An error as it crosses a process boundary: plain data, matched by `name` (never by
 * `instanceof`, which does not survive serialisation). `issues` comes with InvalidInputError
 * from the doors' schema check; its messages, joined, are the error's message.
 */
export const WireErrorSchema = v.object({
  name: v.string(),
  message: v.string(),
  issues: v.optional(v.array(WireIssueSchema)),
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

/** An error rebuilt from the wire: the engine's error `name`, message and worded issues, no stack. */
export class RemoteError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly issues: readonly WireIssue[] = [],
  ) {
    super(message);
  }
}
