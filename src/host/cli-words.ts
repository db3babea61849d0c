import { isHearthError, type HearthErrorName } from '../shared/contract/error-names';

const INSTALL_A_MODEL =
  'Install one with `hearth models pull <id>` (ids: `hearth models list --catalog`) or `hearth models import <file.gguf>`, then choose it with `hearth models use <file>`.';

/** What a CLI user does about an error, by its declared name; the engine's own words name the app's pages. */
const CLI_ADVICE: Partial<Record<HearthErrorName, (kept: string) => string>> = {
  NoModelChosenError: () => INSTALL_A_MODEL,
  ModelNotInstalledError: () => `See \`hearth models list\`. ${INSTALL_A_MODEL}`,
  ModelRoleChangeError: () => 'To change it, run the same `hearth models import` again with `--change-role`.',
  UnknownCatalogModelError: () => 'See `hearth models list --catalog` for the ids.',
  AskUnavailableError: (kept) =>
    /library/i.test(kept) ? 'Index a folder first: `hearth index <folder>`.' : INSTALL_A_MODEL,
  ChainSettingsError: () =>
    'Set all four with `hearth settings set chain.rpcUrl <url>`, `chain.chainId <id>`, `chain.escrowAddress <address>` and `chain.tokenAddress <address>`, or clear them (`hearth settings set chain.rpcUrl ""`, and so on) to turn the chain off.',
  NetworkNotRunningError: () =>
    'Start a node with `hearth network node` (or `hearth serve --network`), or continue in a new chat with a local model.',
};

/** A sentence that points to a place in the app's window, which a CLI user does not have. */
const APP_PLACE = /\b(page|click)\b|Settings →/;

/**
 * An error in a CLI user's words: the engine's sentences that point to the app's pages are
 * replaced by the `hearth` commands that do the same. Matched by error name, never by text.
 */
export function inCliWords(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const name = (Object.keys(CLI_ADVICE) as HearthErrorName[]).find((n) => isHearthError(error, n));
  const advice = name && CLI_ADVICE[name];
  if (!advice) return message;
  const kept = message
    .split(/(?<=\.)\s+/)
    .map((sentence) => (APP_PLACE.test(sentence) ? keepClaim(sentence) : sentence))
    .filter((sentence) => sentence.length > 0)
    .join(' ');
  return `${kept} ${advice(kept)}`.trim();
}

/** "Asking needs a library: add a folder on the Library page." -> "Asking needs a library." */
function keepClaim(sentence: string): string {
  const colon = sentence.indexOf(': ');
  return colon > 0 ? `${sentence.slice(0, colon)}.` : '';
}
