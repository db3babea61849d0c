import * as v from 'valibot';
import { isDeclaredEvent } from '../shared/contract/event-names';

/**
 * JSON-RPC methods a socket client sends to choose which events it receives (JSON-RPC reserves
 * `rpc.` names for such extensions). A client receives no event it did not ask for: the
 * browser UI follows what its pages listen to, a CLI command only its own answer's tokens.
 */
export const SUBSCRIBE_METHOD = 'rpc.on';
export const UNSUBSCRIBE_METHOD = 'rpc.off';

const ParamsSchema = v.strictObject({ event: v.pipe(v.string(), v.maxLength(200)) });

/**
 * Applies `rpc.on` / `rpc.off` to one client's set; answers the error text to send back, or
 * null when done. Undeclared events are refused, so a typo fails loudly instead of silently.
 */
export function applySubscription(subscribed: Set<string>, method: string, params: unknown): string | null {
  const parsed = v.safeParse(ParamsSchema, params);
  if (!parsed.success) return `${method} takes {"event": "<namespace>.<event>"}.`;
  const { event } = parsed.output;
  if (!isDeclaredEvent(event)) return `Hearth has no event named "${event}".`;
  if (method === SUBSCRIBE_METHOD) subscribed.add(event);
  else subscribed.delete(event);
  return null;
}
