import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type Chain,
  type LocalAccount,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import type { ChainConfig } from './chain-config';

/** One request this node sent to the chain's RPC endpoint, as the connection log records it. */
export interface ChainRequestRecord {
  url: string;
  /** The JSON-RPC body exactly as sent. */
  body: string;
}

export interface ChainClientOptions {
  /** Called with every request before it is sent (the connection log). */
  record?: (request: ChainRequestRecord) => void;
}

/**
 * The only way Hearth talks to a chain: every read and every transaction goes through the one
 * transport made here, so each request passes `record` (the connection log) first. Nothing
 * creates one unless a chain is configured.
 */
export class ChainClient {
  readonly chain: Chain;
  readonly public: PublicClient<Transport, Chain>;
  private readonly _transport: Transport;

  constructor(
    readonly config: ChainConfig,
    options: ChainClientOptions = {},
  ) {
    this.chain = defineChain({
      id: config.chainId,
      name: `Chain ${config.chainId}`,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [config.rpcUrl] } },
    });
    this._transport = http(config.rpcUrl, {
      retryCount: 1,
      timeout: 30_000,
      onFetchRequest: async (request) => {
        options.record?.({ url: request.url, body: await request.clone().text() });
      },
    });
    this.public = createPublicClient({ chain: this.chain, transport: this._transport });
  }

  /** A client that signs transactions with `account` locally and sends them through the same transport. */
  wallet(account: LocalAccount): WalletClient<Transport, Chain, LocalAccount> {
    return createWalletClient({ account, chain: this.chain, transport: this._transport });
  }
}
