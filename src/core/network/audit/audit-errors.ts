/**
 * The auditor could not judge a job for a reason of its own (not enough context, its model
 * failed to evaluate input that passed every check on the provider's data). Neutral: the job
 * is paid unaudited and the provider's record does not change.
 */
export class AuditorLimitError extends Error {
  override readonly name = 'AuditorLimitError';
}
