import { eventMethodName, type Unsubscribe } from './define';
import { contract, type HearthApi } from './index';

/** How a client reaches an engine: one generic call and one event subscription. */
export interface ApiTransport {
  /** Runs `ns.name` with `input`; rejects with an error carrying the engine's error `name`. */
  call(method: string, input: unknown): Promise<unknown>;
  /** Listens to the event `ns.event`; the transport asks its door for it on first use. */
  subscribe(event: string, listener: (payload: unknown) => void): Unsubscribe;
}

/**
 * The typed API object from the contract's own keys, exactly as the preload builds it: every
 * declared call and `onX` subscription, nothing else, each routed through `transport`.
 */
export function buildApi(transport: ApiTransport): HearthApi {
  const api = Object.fromEntries(
    Object.entries(contract).map(([ns, spec]) => [
      ns,
      Object.freeze({
        ...Object.fromEntries(
          Object.keys(spec.calls).map((name) => [
            name,
            (input?: unknown) => transport.call(`${ns}.${name}`, input ?? {}),
          ]),
        ),
        ...Object.fromEntries(
          Object.keys(spec.events).map((event) => [
            eventMethodName(event),
            (listener: (payload: unknown) => void) => transport.subscribe(`${ns}.${event}`, listener),
          ]),
        ),
      }),
    ]),
  );
  // The object is built from the same keys the type is derived from; the cast only names it.
  return Object.freeze(api) as unknown as HearthApi;
}
