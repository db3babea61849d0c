import type { Contract } from '../shared/contract';
import type { EventPayload } from '../shared/contract/define';

/** `settings.changed`, `chat.token`, ...: every event the contract declares, by full name. */
export type EventName = {
  [N in keyof Contract & string]: `${N}.${keyof Contract[N]['events'] & string}`;
}[keyof Contract & string];

export type PayloadOf<E extends EventName> = E extends `${infer N extends keyof Contract & string}.${infer Ev}`
  ? Ev extends keyof Contract[N]['events']
    ? EventPayload<Contract, N, Ev>
    : never
  : never;

export type AnyEventListener = (name: EventName, payload: unknown) => void;

/**
 * The engine's one outlet for events. Services emit; each door listens to everything and
 * forwards it to its clients.
 */
export class EventBus {
  private readonly _listeners = new Set<AnyEventListener>();

  emit<E extends EventName>(name: E, payload: PayloadOf<E>): void {
    for (const listener of this._listeners) listener(name, payload);
  }

  /** Listens to every event; returns the function that stops listening. */
  onAny(listener: AnyEventListener): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  on<E extends EventName>(name: E, listener: (payload: PayloadOf<E>) => void): () => void {
    return this.onAny((n, payload) => {
      if (n === name) listener(payload as PayloadOf<E>);
    });
  }
}
