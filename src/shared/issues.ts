import * as v from 'valibot';

/** "chat.temperature: Invalid value: Expected <=2 but received 5" for every issue, joined by "; ". */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .map((issue) => {
      const path = v.getDotPath(issue);
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
