import type { GenericSchema, InferInput, InferOutput } from 'valibot';

/**
 * One request/response call across the UI/engine boundary. `input` is validated before the
 * engine sees it and `output` before the UI does.
 */
export interface CallSpec<I extends GenericSchema = GenericSchema, O extends GenericSchema = GenericSchema> {
  readonly input: I;
  readonly output: O;
  /** What the call does, in one sentence; shown in `hearth --help`-style listings. */
  readonly summary: string;
}

/** One stream of events from the engine to the UI (progress, tokens, changes). */
export interface EventSpec<P extends GenericSchema = GenericSchema> {
  readonly payload: P;
  readonly summary: string;
}

export interface NamespaceSpec {
  readonly calls: Readonly<Record<string, CallSpec>>;
  readonly events: Readonly<Record<string, EventSpec>>;
  /**
   * The error names this namespace's calls fail with (beside the doors' own), so a client can
   * react to a kind of error by name instead of matching message text.
   */
  readonly errors: readonly string[];
}

export type ContractSpec = Readonly<Record<string, NamespaceSpec>>;

export function call<I extends GenericSchema, O extends GenericSchema>(
  input: I,
  output: O,
  summary: string,
): CallSpec<I, O> {
  return { input, output, summary };
}

export function event<P extends GenericSchema>(payload: P, summary: string): EventSpec<P> {
  return { payload, summary };
}

export function namespace<
  C extends Record<string, CallSpec>,
  E extends Record<string, EventSpec> = Record<never, EventSpec>,
  const R extends readonly string[] = readonly [],
>(calls: C, events?: E, errors?: R): { calls: C; events: E; errors: R } {
  return { calls, events: (events ?? {}) as E, errors: (errors ?? []) as unknown as R };
}

/** `changed` -> `onChanged`: the name an event subscription has on the API object. */
export type EventMethodName<E extends string> = `on${Capitalize<E>}`;

export function eventMethodName<E extends string>(event: E): EventMethodName<E> {
  return `on${event.charAt(0).toUpperCase()}${event.slice(1)}` as EventMethodName<E>;
}

type IsEmptyObject<T> = keyof T extends never ? true : false;

/** A call as the UI sees it: calls whose input is an empty object may be called with none. */
export type ClientCall<S extends CallSpec> =
  IsEmptyObject<InferInput<S['input']>> extends true
    ? (input?: InferInput<S['input']>) => Promise<InferOutput<S['output']>>
    : (input: InferInput<S['input']>) => Promise<InferOutput<S['output']>>;

export type Unsubscribe = () => void;

/** The API object the UI holds, derived from the contract: calls plus `onX` subscriptions. */
export type ClientApi<C extends ContractSpec> = {
  readonly [N in keyof C]: { readonly [M in keyof C[N]['calls']]: ClientCall<C[N]['calls'][M]> } & {
    readonly [E in keyof C[N]['events'] & string as EventMethodName<E>]: (
      listener: (payload: InferOutput<C[N]['events'][E]['payload']>) => void,
    ) => Unsubscribe;
  };
};

/** What the engine implements for a namespace: each call gets its already-validated input. */
export type ServiceOf<N extends NamespaceSpec> = {
  readonly [M in keyof N['calls']]: (
    input: InferOutput<N['calls'][M]['input']>,
    context: CallContext,
  ) => Promise<InferInput<N['calls'][M]['output']>>;
};

/** Per-call facts the door knows and the engine may use. */
export interface CallContext {
  /** Which door the call came through. */
  readonly door: 'ipc' | 'socket' | 'cli';
}

/** Payload type of event `E` of namespace `N`. */
export type EventPayload<C extends ContractSpec, N extends keyof C, E extends keyof C[N]['events']> = InferOutput<
  C[N]['events'][E]['payload']
>;
