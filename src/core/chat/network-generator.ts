/**
 * The chat service's one door to the compute network, so it never depends on libp2p: the
 * engine wires it to the network service (see `createNetworkGenerator`), unit tests to a fake.
 */
export interface NetworkGenerateRequest {
  /** sha256 of the model a provider must run. */
  model: string;
  /** The whole prompt the provider sees (see `networkPrompt`). */
  prompt: string;
  maxTokens: number;
  temperature?: number;
  /** Aborting cancels the job on the network at once; the result holds the text so far. */
  signal: AbortSignal;
  /**
   * Called with each piece of text. A higher `attempt` means an earlier provider failed and
   * the text starts over from nothing.
   */
  onToken: (text: string, attempt: number) => void;
}

export interface NetworkGenerateResult {
  text: string;
  stopReason: 'end' | 'maxTokens' | 'abort';
  /** The provider that wrote the answer; null when it was stopped before one answered. */
  peerId: string | null;
  /** The requester's audit of the answer (see NETWORK.md); absent when it was stopped. */
  audit?: 'passed' | 'failed' | 'not-sampled' | 'unavailable';
}

export type NetworkGenerator = (request: NetworkGenerateRequest) => Promise<NetworkGenerateResult>;
