import type { DoorErrorNameValue } from '../errors';
import type { Contract } from './index';

/** The error names a call of namespace `N` may fail with: the namespace's own and the doors'. */
export type ErrorNameOf<N extends keyof Contract> = Contract[N]['errors'][number] | DoorErrorNameValue;

/** Every error name the contract declares. */
export type HearthErrorName =
  { [N in keyof Contract]: Contract[N]['errors'][number] }[keyof Contract] | DoorErrorNameValue;

/**
 * True when `error` is a Hearth error of this kind, whichever door it came through (a local
 * Error subclass or a RemoteError rebuilt from the wire both carry the name). Matching is by
 * name, never `instanceof`, which does not survive a process boundary.
 */
export function isHearthError<N extends HearthErrorName>(error: unknown, name: N): error is Error & { name: N } {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}
