import type { WireIssue } from '../../../../shared/errors';

/**
 * An error from the engine, carrying the engine's error name (`InvalidInputError`, ...) and, for
 * a refused input, its worded issues with the path of each field.
 */
export class RemoteError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly issues: readonly WireIssue[] = [],
  ) {
    super(message);
  }
}

/** The issues a reply carried, kept only when each has the shape WireIssueSchema gives it (this side cannot import the schema). */
export function wireIssues(value: unknown): WireIssue[] {
  if (!Array.isArray(value)) return [];
  const wellFormed = value.every(
    (item: unknown) =>
      typeof item === 'object' &&
      item !== null &&
      typeof (item as WireIssue).path === 'string' &&
      typeof (item as WireIssue).message === 'string',
  );
  return wellFormed ? (value as WireIssue[]).map(({ path, message }) => ({ path, message })) : [];
}
