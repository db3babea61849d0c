/**
 * Hosts the app may open in the user's browser: Hearth's own pages and the model hubs the
 * catalog links to. Everything else is refused, so a link in a document or an answer can
 * never start an arbitrary program or URL scheme.
 */
export const EXTERNAL_LINK_HOSTS: readonly string[] = ['github.com', 'huggingface.co', 'hearth.app', 'docs.hearth.app'];

export function isAllowedExternalLink(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password) return false;
  return EXTERNAL_LINK_HOSTS.some((host) => url.hostname === host || url.hostname.endsWith(`.${host}`));
}
