import * as v from 'valibot';
import { call, event, namespace } from './define';

export const NetworkStatusSchema = v.object({
  running: v.boolean(),
  peers: v.number(),
  jobsServed: v.number(),
});

/** Declared for the contribute issue; the engine answers NotImplementedError until it lands. */
export const networkContract = namespace(
  {
    status: call(v.strictObject({}), NetworkStatusSchema, 'State of the contribution node.'),
  },
  {
    status: event(NetworkStatusSchema, 'The node state changed.'),
  },
);
