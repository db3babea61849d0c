/** What this provider has done since it started, for the Contribute page. */
export interface ProviderStats {
  jobsRunning: number;
  jobsServed: number;
  jobsRefused: number;
  tokensGenerated: number;
  msContributed: number;
}
