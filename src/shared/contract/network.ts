import * as v from 'valibot';
import { call, event, namespace } from './define';

const Sha256 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'must be a model hash: 64 lowercase hex digits'));
const Count = v.pipe(v.number(), v.minValue(0));
const Addr = v.pipe(v.string(), v.maxLength(500));

export const OfferedModelSchema = v.object({ name: v.string(), sha256: Sha256 });

export const ContributionSchema = v.object({
  /**
   * off: the user has not turned contribution on; paused: on, but not now (reason says why);
   * starting: about to serve, the user is warned first (see startsAt); ready: serving.
   */
  state: v.picklist(['off', 'paused', 'starting', 'ready']),
  reason: v.string(),
  /** When a `starting` node begins to serve (ms since the epoch). */
  startsAt: v.optional(v.number()),
});
export type Contribution = v.InferOutput<typeof ContributionSchema>;

export const NetworkStatusSchema = v.object({
  running: v.boolean(),
  peerId: v.nullable(v.string()),
  addresses: v.array(v.string()),
  peers: Count,
  /** public: reachable directly; private: LAN or behind NAT; relayed: only through a relay. */
  reachability: v.picklist(['offline', 'private', 'public', 'relayed']),
  /** Peer ids of the relays this node holds a reservation with. */
  relays: v.array(v.string()),
  contribution: ContributionSchema,
  offeredModels: v.array(OfferedModelSchema),
  providersKnown: Count,
  jobsRunning: Count,
  jobsServed: Count,
  jobsRefused: Count,
  tokensGenerated: Count,
  secondsContributed: Count,
  /** Set when the ports of the last start were taken, so this node's address changed. */
  portsNote: v.optional(v.string()),
});
export type NetworkStatus = v.InferOutput<typeof NetworkStatusSchema>;

export const NetworkProviderSchema = v.object({
  peerId: v.string(),
  models: v.array(OfferedModelSchema),
  freeSlots: Count,
  /** Credits per 1000 tokens it asks. */
  price: Count,
  /** Fastest round trip of its last ping probe, ms; null until measured or when it did not answer. */
  latencyMs: v.nullable(Count),
  /** It did not answer its last ping probe; requesters try it last. */
  pingFailed: v.boolean(),
  /** Milliseconds since the epoch of its last announcement. */
  seenAt: Count,
});
export type NetworkProvider = v.InferOutput<typeof NetworkProviderSchema>;

export const NetworkStartSchema = v.strictObject({
  /** Multiaddrs to listen on; default: settings, else free TCP/WebSocket ports plus relays. */
  listen: v.optional(v.array(Addr)),
  /** Extra bootstrap multiaddrs on top of the settings. */
  bootstrap: v.optional(v.array(Addr)),
  /** Relay other nodes' connections (a headless node on a public address). */
  relay: v.optional(v.boolean()),
  /** Serve the DHT even without a public address (bootstrap nodes, LANs). */
  dhtServer: v.optional(v.boolean()),
  /** Models to offer for this run instead of settings.network.offeredModels (file names or paths). */
  models: v.optional(v.array(Addr)),
  /** Contribute for this run even if settings say off (an explicit headless provider). */
  contribute: v.optional(v.boolean()),
});

export const NetworkGenerateSchema = v.strictObject({
  /** Chosen by the caller so it can cancel and match `token` events. */
  jobId: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, _ or -')),
  model: Sha256,
  prompt: v.pipe(v.string(), v.maxLength(65_536)),
  maxTokens: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(4096)),
  temperature: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(2))),
  seed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 32 - 1))),
});

export const NetworkResultSchema = v.object({
  jobId: v.string(),
  text: v.string(),
  peerId: v.string(),
  attempts: Count,
  promptTokens: Count,
  completionTokens: Count,
  totalMs: Count,
  stopReason: v.picklist(['max-tokens', 'eos', 'cancelled']),
  /**
   * passed: re-scored and paid; failed: re-scored, the provider did not run the declared model
   * faithfully, nothing paid; not-sampled: paid unaudited; unavailable: sampled, but this node has
   * no copy of the model to audit with, so paid unaudited.
   */
  audit: v.picklist(['passed', 'failed', 'not-sampled', 'unavailable']),
});
export type NetworkResult = v.InferOutput<typeof NetworkResultSchema>;

export const networkContract = namespace(
  {
    status: call(v.strictObject({}), NetworkStatusSchema, 'State of this node and of its contribution.'),
    start: call(NetworkStartSchema, NetworkStatusSchema, 'Starts the node (contribution still obeys the settings).'),
    stop: call(v.strictObject({}), NetworkStatusSchema, 'Stops the node and any job it serves.'),
    reportPowerState: call(
      v.strictObject({ idleSeconds: Count, onBattery: v.boolean() }),
      ContributionSchema,
      'The desktop reports how long the user has been away and whether the machine is on battery.',
    ),
    snooze: call(
      v.strictObject({ minutes: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(24 * 60)) }),
      NetworkStatusSchema,
      '"Not now": contribution waits this many minutes before it may start again.',
    ),
    providers: call(
      v.strictObject({ model: v.optional(Sha256) }),
      v.array(NetworkProviderSchema),
      'Providers this node has heard of, optionally only those serving one model.',
    ),
    generate: call(
      NetworkGenerateSchema,
      NetworkResultSchema,
      'Runs a generation on a provider; the provider sees the prompt. Tokens arrive as `token` events.',
    ),
    cancel: call(
      v.strictObject({ jobId: v.string() }),
      v.object({ cancelled: v.boolean() }),
      'Stops a running generate.',
    ),
  },
  {
    status: event(NetworkStatusSchema, 'The node or its contribution changed.'),
    token: event(
      v.object({ jobId: v.string(), text: v.string(), attempt: Count }),
      'A piece of a network answer; a higher attempt means an earlier provider failed and text restarts.',
    ),
  },
  /** What these calls fail with, by name (beside the doors' own errors). */
  ['NetworkNotRunningError', 'DamagedSecretError', 'SealedSecretError', 'ModelHashError', 'NoProviderError'],
);
