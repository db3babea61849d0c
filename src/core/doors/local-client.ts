import { buildApi } from '../../shared/contract/build-api';
import type { CallContext, HearthApi } from '../../shared/contract';
import type { EventBus, EventName } from '../events';
import { validateEvent, type Dispatch } from './dispatch';

/**
 * The typed `HearthApi` over an engine in this process: every call goes through
 * `engine.dispatch` (input and output checked against the contract, as at the other doors) and
 * every event arrives checked, so code written against it runs unchanged over the socket.
 */
export function createLocalClient(
  // What it needs of an Engine, named here so doors do not import the composition root above them.
  engine: { dispatch: Dispatch; events: Pick<EventBus, 'onAny'> },
  door: CallContext['door'] = 'cli',
): HearthApi {
  return buildApi({
    call: (method, input) => engine.dispatch(method, input, { door }),
    subscribe: (event, listener) =>
      engine.events.onAny((name: EventName, payload) => {
        if (name === event) listener(validateEvent(name, payload));
      }),
  });
}
