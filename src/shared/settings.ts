import * as v from 'valibot';

/** The settings schema version this build writes. Bump it and add a migration together. */
export const SETTINGS_VERSION = 1;

const Threads = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(256));

export const AppearanceSettingsSchema = v.object({
  theme: v.picklist(['system', 'light', 'dark']),
});

export const PrivacySettingsSchema = v.object({
  /** null until the user has been asked once; false means no update request is ever made. */
  allowUpdateChecks: v.nullable(v.boolean()),
});

export const ModelSettingsSchema = v.object({
  /** File name of the installed chat model to load, or null for none yet. */
  chatModel: v.nullable(v.string()),
  /** File name of the installed embedding model used by the library. */
  embeddingModel: v.nullable(v.string()),
  /** CPU threads for inference; 0 chooses for the machine. */
  threads: Threads,
});

export const ChatSettingsSchema = v.object({
  systemPrompt: v.pipe(v.string(), v.maxLength(20_000)),
  temperature: v.pipe(v.number(), v.minValue(0), v.maxValue(2)),
  topP: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  maxTokens: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(32_768)),
});

export const LibrarySettingsSchema = v.object({
  /** Target chunk size in tokens of the embedding model. */
  chunkTokens: v.pipe(v.number(), v.integer(), v.minValue(64), v.maxValue(4096)),
  chunkOverlap: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1024)),
  /** Files larger than this are recorded as "too large" instead of being read. */
  maxFileMB: v.pipe(v.number(), v.minValue(1), v.maxValue(10_000)),
  /** Extra ignore globs, on top of hidden files, node_modules and .git. */
  ignore: v.array(v.pipe(v.string(), v.maxLength(500))),
  watch: v.boolean(),
});

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
/** A refusal's words for an address (the door words its own refusals from the schema's messages). */
const ADDRESS_WORDS = 'must be an address: 0x and 40 hex digits';

const Price = v.pipe(v.number(), v.minValue(0), v.maxValue(1e9));

export const NetworkSettingsSchema = v.object({
  /** Contribution is off until the user turns it on. */
  contribute: v.boolean(),
  idleOnly: v.boolean(),
  idleMinutes: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(240)),
  pauseOnBattery: v.boolean(),
  maxThreads: Threads,
  maxConcurrentJobs: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(16)),
  bootstrap: v.array(v.pipe(v.string(), v.maxLength(500))),
  /** Hours of the day (0-23, local time) when contribution may run; empty means any hour. */
  activeHours: v.array(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(23))),
  /** Installed model file names (in the models folder) this machine offers to the network. */
  offeredModels: v.array(v.pipe(v.string(), v.maxLength(500))),
  /** Multiaddrs to listen on; empty picks free TCP and WebSocket ports on every interface. */
  listen: v.array(v.pipe(v.string(), v.maxLength(500))),
  /** Find other Hearth nodes on the local network by multicast DNS. */
  mdns: v.boolean(),
  /**
   * Use a new, throwaway peer id each time the node starts, so providers cannot link this
   * computer's jobs across sessions by peer id (the wallet that signs receipts stays the same).
   */
  freshPeerId: v.boolean(),
  /** Share of the jobs this node sends that it re-scores before paying (0-1). */
  auditShare: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  /** Credits this node asks per 1000 generated tokens when it serves a job; announced to requesters. */
  pricePer1kTokens: Price,
  /** Most credits per 1000 tokens this node pays when it sends a job; null: the default cap (DEFAULT_MAX_PRICE, 10). */
  maxPricePer1kTokens: v.nullable(Price),
  /** Lend the GPU too; off runs other people's jobs on the CPU only. */
  useGpu: v.boolean(),
  /** Most model layers on the GPU for contributed jobs; null fits as many as the VRAM cap allows. */
  maxGpuLayers: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000))),
  /** Most VRAM contributed jobs may use, in GB; null: whatever is free. */
  maxVramGB: v.nullable(v.pipe(v.number(), v.minValue(0.25), v.maxValue(1024))),
});

export const ApiSettingsSchema = v.object({
  /** The OpenAI-compatible local API is off until the user turns it on. */
  enabled: v.boolean(),
  port: v.pipe(v.number(), v.integer(), v.minValue(1024), v.maxValue(65_535)),
});

/**
 * The EVM chain that settles network payments (docs/NETWORK.md, "Paid in tokens"). All empty by
 * default: with no chain configured Hearth makes no chain request at all.
 */
export const ChainSettingsSchema = v.object({
  /** JSON-RPC endpoint of the chain, e.g. http://127.0.0.1:8545; empty: no chain. */
  rpcUrl: v.union([
    v.literal(''),
    v.pipe(v.string(), v.url('must be a URL such as http://127.0.0.1:8545'), v.maxLength(500)),
  ]),
  chainId: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1))),
  /** HearthEscrow contract address (0x…, 40 hex digits). */
  escrowAddress: v.union([v.literal(''), v.pipe(v.string(), v.regex(ADDRESS, ADDRESS_WORDS))]),
  /** The ERC-20 token the escrow pays in. */
  tokenAddress: v.union([v.literal(''), v.pipe(v.string(), v.regex(ADDRESS, ADDRESS_WORDS))]),
  /** A provider redeems its cheques by itself (by the two rules below); off by default. */
  autoRedeem: v.boolean(),
  /** Redeem once the unredeemed value is worth this many times the gas it costs. */
  autoRedeemGasMultiple: v.pipe(v.number(), v.minValue(1), v.maxValue(1e6)),
  /** Tokens one unit of the chain's native coin is worth, for the rule above; null turns it off. */
  tokensPerNativeCoin: v.nullable(v.pipe(v.number(), v.minValue(0))),
  /** Redeem whatever is held at least this often (hours); null: no timer. */
  autoRedeemEveryHours: v.nullable(v.pipe(v.number(), v.minValue(0.1), v.maxValue(24 * 365))),
});

export const SettingsSchema = v.object({
  version: v.literal(SETTINGS_VERSION),
  appearance: AppearanceSettingsSchema,
  privacy: PrivacySettingsSchema,
  models: ModelSettingsSchema,
  chat: ChatSettingsSchema,
  library: LibrarySettingsSchema,
  network: NetworkSettingsSchema,
  api: ApiSettingsSchema,
  chain: ChainSettingsSchema,
});
export type Settings = v.InferOutput<typeof SettingsSchema>;

/** A change to settings: any subset of any section. */
export const SettingsPatchSchema = v.strictObject({
  appearance: v.optional(v.partial(v.strictObject(AppearanceSettingsSchema.entries))),
  privacy: v.optional(v.partial(v.strictObject(PrivacySettingsSchema.entries))),
  models: v.optional(v.partial(v.strictObject(ModelSettingsSchema.entries))),
  chat: v.optional(v.partial(v.strictObject(ChatSettingsSchema.entries))),
  library: v.optional(v.partial(v.strictObject(LibrarySettingsSchema.entries))),
  network: v.optional(v.partial(v.strictObject(NetworkSettingsSchema.entries))),
  api: v.optional(v.partial(v.strictObject(ApiSettingsSchema.entries))),
  chain: v.optional(v.partial(v.strictObject(ChainSettingsSchema.entries))),
});
export type SettingsPatch = v.InferOutput<typeof SettingsPatchSchema>;

export const DEFAULT_SETTINGS: Settings = {
  version: SETTINGS_VERSION,
  appearance: { theme: 'system' },
  privacy: { allowUpdateChecks: null },
  models: { chatModel: null, embeddingModel: null, threads: 0 },
  chat: {
    systemPrompt: 'You are Hearth, a helpful assistant running privately on this computer.',
    temperature: 0.7,
    topP: 0.95,
    maxTokens: 1024,
  },
  library: { chunkTokens: 512, chunkOverlap: 64, maxFileMB: 200, ignore: [], watch: true },
  network: {
    contribute: false,
    idleOnly: true,
    idleMinutes: 10,
    pauseOnBattery: true,
    maxThreads: 0,
    maxConcurrentJobs: 1,
    bootstrap: [],
    activeHours: [],
    offeredModels: [],
    listen: [],
    mdns: true,
    freshPeerId: false,
    auditShare: 0.1,
    pricePer1kTokens: 0,
    maxPricePer1kTokens: null,
    useGpu: false,
    maxGpuLayers: null,
    maxVramGB: null,
  },
  api: { enabled: false, port: 11_435 },
  chain: {
    rpcUrl: '',
    chainId: null,
    escrowAddress: '',
    tokenAddress: '',
    autoRedeem: false,
    autoRedeemGasMultiple: 20,
    tokensPerNativeCoin: null,
    autoRedeemEveryHours: null,
  },
};
