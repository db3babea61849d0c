import * as v from 'valibot';

/**
 * What broke when the engine's own result failed its contract, for the developer who fixes it:
 * where and what the schema expected, never the value (it may hold a user's data or a path).
 */
export function contractBreachInWords(method: string, issues: readonly v.BaseIssue<unknown>[]): string {
  const where = issues
    .map((issue) => {
      const path = v.getDotPath(issue) ?? 'the result';
      if (issue.received === 'undefined' && issue.kind === 'schema') return `${path} (missing)`;
      if (issue.expected === 'never') return `${path} (not in the contract)`;
      return `${path} (${issue.expected ?? issue.type} expected)`;
    })
    .join(', ');
  return `Hearth answered ${method} with a result its contract does not allow, at ${where}. This is a bug in Hearth; please report it with this message.`;
}
