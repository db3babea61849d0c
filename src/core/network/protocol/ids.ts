/** Every protocol id and topic the Hearth network speaks, in one place. */

/** The job protocol: a requester asks a provider to run one generation. */
export const INFER_PROTOCOL = '/hearth/infer/1.0.0';

/** Third-party audits: a provider re-scores a job it did not run for a requester without the model. */
export const AUDIT_PROTOCOL = '/hearth/audit/1.0.0';
/** Settles a batch of held receipts outside any job (the requester stops, or the batch grew old). */
export const SETTLE_PROTOCOL = '/hearth/settle/1.0.0';

/** Kademlia under Hearth's own prefix so Hearth's DHT never mixes with the public IPFS one. */
export const KAD_PROTOCOL = '/hearth/kad/1.0.0';

/** Gossipsub topic on which providers announce which models they serve and their capacity. */
export const CAPACITY_TOPIC = 'hearth/capacity/1';

/** The largest single job-protocol message either side accepts. */
export const MAX_MESSAGE_BYTES = 128 * 1024;

/** The longest prompt a provider accepts, in characters. */
export const MAX_PROMPT_CHARS = 64 * 1024;
