import { wireIssues } from './api/remote-error';
import { errorMessage } from './error-message';

/** Where a failed save's words go: under the field that sent it, and (rarely) on the page. */
export interface PlacedRefusal {
  field: string;
  page: string | null;
}

/**
 * Splits a refusal by the path of each worded issue: those about `path` (or inside it, for a
 * section such as "chain") go under the field, the rest to the page. Any other failure, or a
 * refusal none of whose issues is the field's, goes whole under the field.
 */
export function refusalForField(error: unknown, path: string): PlacedRefusal {
  const issues = wireIssues((error as { issues?: unknown } | null)?.issues);
  const mine = issues.filter((issue) => issue.path === path || issue.path.startsWith(`${path}.`));
  if (mine.length === 0) return { field: errorMessage(error), page: null };
  const others = issues.filter((issue) => !mine.includes(issue));
  const words = (list: typeof issues) => list.map((issue) => issue.message).join(' ');
  return { field: words(mine), page: others.length > 0 ? words(others) : null };
}
