import * as v from 'valibot';
import type { WireIssue } from '../errors';
import { numberLimit, type NumberLimit } from '../setting-limits';
import { schemaAt, unwrapped, type SchemaNode } from './schema-at';
import { placeOf, shownValue } from './shown-value';

type Issue = v.BaseIssue<unknown>;

/** A bound this large is a sanity cap (prices stop at 1e9), said only to someone who broke it. */
const NO_PRACTICAL_MAX = 1e6;

const OBJECT_TYPES = new Set(['object', 'strict_object', 'loose_object']);

/** What a schema type expects, in words ("a number"); the type itself when it has none. */
const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  strict_object: 'an object',
  loose_object: 'an object',
  record: 'an object',
  null: 'null',
};

/**
 * Every issue valibot found, worded once for the person who sent the value: the field's path,
 * what it must be, and what it was ("chat.temperature must be between 0 and 2; 5 is not.").
 * `schema` is the one that found them, read for what an issue alone does not carry (both bounds,
 * a picklist's options). Issues that say the same thing of the same field are given once.
 */
export function wordIssues(schema: v.GenericSchema, issues: readonly Issue[], root = 'The input'): WireIssue[] {
  const worded: WireIssue[] = [];
  for (const issue of issues) {
    const path = v.getDotPath(issue) ?? '';
    const message = issueInWords(schema, issue, placeOf(issue.path, root));
    if (!worded.some((w) => w.path === path && w.message === message)) worded.push({ path, message });
  }
  return worded;
}

/** The worded issues as one message: their sentences, in order. */
export function issuesInWords(issues: readonly WireIssue[]): string {
  return issues.map((issue) => issue.message).join(' ');
}

/**
 * The issues of a stored file as a clause for another sentence ("settings.json has invalid values
 * (chat.topP must be between 0 and 1; 7 is not)"): the file as a whole is "the file", no final stop.
 */
export function issuesAsClause(schema: v.GenericSchema, issues: readonly Issue[]): string {
  return issuesInWords(wordIssues(schema, issues, 'the file')).replace(/\.$/, '');
}

function issueInWords(root: v.GenericSchema, issue: Issue, place: string): string {
  const at = schemaAt(root, issue.path);
  switch (issue.type) {
    case 'min_value':
    case 'max_value':
    case 'integer':
      return numberInWords(place, issue, at && numberLimit(at));
    case 'min_length':
    case 'max_length':
      return lengthInWords(place, issue);
  }
  if (issue.kind === 'validation' && !issue.message.startsWith('Invalid ')) {
    // The schema gave its own words ("must be a .gguf file name without folders").
    return `${place} ${issue.message}; ${shownValue(issue.input)} is not.`;
  }
  if (issue.type === 'url')
    return `${place} must be a URL such as https://example.org; ${shownValue(issue.input)} is not.`;
  if (issue.type === 'regex')
    return `${place} is not in the form Hearth expects; ${shownValue(issue.input)} is not accepted.`;
  if (OBJECT_TYPES.has(issue.type) && issue.path?.length) {
    if (issue.received === 'undefined') return `${place} is missing.`;
    if (issue.expected === 'never') return `${place} is not a field Hearth knows here; check its spelling.`;
  }
  if (issue.type === 'picklist') {
    const options = at ? unwrapped(at).options : undefined;
    const listed = options ? options.map(String).join(', ') : String(issue.expected);
    return `${place} is one of ${listed}; ${shownValue(issue.input)} is not.`;
  }
  if (issue.kind === 'schema') {
    return `${place} must be ${expectedInWords(issue, at)}; ${shownValue(issue.input)} is not.`;
  }
  return `${place} is not accepted (${issue.expected ?? issue.type} expected).`;
}

/** "a number", "text or false", "a number or null": what the schema that refused a value's type wanted. */
function expectedInWords(issue: Issue, at: SchemaNode | null): string {
  const own =
    issue.type === 'union' && issue.issues?.length
      ? issue.issues.map((inner) => expectedInWords(inner, null)).join(' or ')
      : (EXPECTED[issue.type] ?? String(issue.expected));
  return at && allowsNull(at) ? `${own} or null` : own;
}

function allowsNull(schema: SchemaNode): boolean {
  for (let here: SchemaNode | undefined = schema; here; here = here.wrapped) {
    if (here.type === 'nullable' || here.type === 'nullish') return true;
  }
  return false;
}

function numberInWords(place: string, issue: Issue, limit: NumberLimit | null): string {
  const value = issue.input;
  if (!limit || typeof value !== 'number') {
    // Outside anything the walk can read (a union): only the broken rule is known.
    if (issue.type === 'integer') return `${place} must be a whole number.`;
    const bound = String(issue.requirement);
    return `${place} must be ${issue.type === 'min_value' ? 'at least' : 'at most'} ${bound}; ${shownValue(value)} is not.`;
  }
  const min = limit.min;
  const max = limit.max !== null && (limit.max < NO_PRACTICAL_MAX || value > limit.max) ? limit.max : null;
  const outside = (min !== null && value < min) || (max !== null && value > max);
  if (!outside) return `${place} must be a whole number.`;
  const whole = limit.integer ? 'a whole number ' : '';
  const range =
    min !== null && max !== null
      ? `between ${min} and ${max}`
      : min !== null
        ? min === 0
          ? '0 or more'
          : `at least ${min}`
        : `at most ${String(max)}`;
  return `${place} must be ${whole}${range}; ${shownValue(value)} is not.`;
}

function lengthInWords(place: string, issue: Issue): string {
  const bound = Number(issue.requirement);
  const unit = Array.isArray(issue.input) ? 'items' : 'characters';
  const verb = Array.isArray(issue.input) ? 'must have' : 'must be';
  if (issue.type === 'max_length') return `${place} ${verb} at most ${bound} ${unit}.`;
  if (bound === 1) return `${place} must not be empty.`;
  return `${place} ${verb} at least ${bound} ${unit}.`;
}
