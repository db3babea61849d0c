/**
 * The path of a request target, or null when the target is not a URL at all. Node hands the
 * request line over as typed by the client (`GET http://[/rpc` included), and `new URL` throws
 * on such input: every handler must ask here instead, so one stray request is a 400, not a
 * crash.
 */
export function requestPath(target: string | undefined): string | null {
  try {
    return new URL(target ?? '/', 'http://localhost').pathname;
  } catch {
    return null;
  }
}

/** `decodeURIComponent` that answers null for a malformed escape such as `%E0%A4%A`. */
export function decodePath(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}
