/**
 * What to show the user for a failed call: the error's own message (the engine writes them for
 * people), except the doors' schema refusals, which are put in words ("Temperature must be at
 * most 2.") instead of "settings.update was given invalid input: chat.temperature: ...".
 */
export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name === 'InvalidInputError' ? invalidInputInWords(error.message) : error.message;
}

/** "chat.maxTokens" -> "Max tokens": the last step of the path, as words. */
function fieldName(path: string): string {
  const last =
    path
      .split('.')
      .filter((part) => !/^\d+$/.test(part))
      .at(-1) ?? 'A value';
  const words = last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** One valibot issue ("chat.temperature: Invalid value: Expected <=2 but received 5") in words. */
function issueInWords(issue: string): string {
  const match = /^(?:([\w.]+): )?([^:]+): (.*)$/.exec(issue.trim());
  if (!match) return issue;
  const [, path = '', kind, detail = ''] = match;
  const name = fieldName(path);
  const bound = /Expected ([<>])=(\S+)/.exec(detail);
  if (kind === 'Invalid value' && bound)
    return `${name} must be ${bound[1] === '<' ? 'at most' : 'at least'} ${bound[2]}.`;
  if (kind === 'Invalid length' && bound) {
    return bound[1] === '<' ? `${name} is too long (at most ${bound[2]} characters).` : `${name} is too short.`;
  }
  if (kind === 'Invalid integer') return `${name} must be a whole number.`;
  if (kind === 'Invalid type') return `${name} has the wrong kind of value.`;
  if (kind === 'Invalid key') return `${name} is not something Hearth accepts here.`;
  return `${name} is not valid.`;
}

function invalidInputInWords(message: string): string {
  const issues = message.replace(/^[\w.]+ was given invalid input: /, '');
  return issues.split('; ').map(issueInWords).join(' ');
}
