const LONGEST_SHOWN = 60;

/** A value as a refusal quotes it back: `"blue"`, `5`, `null`; long text is cut, objects are only named. */
export function shownValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > LONGEST_SHOWN ? `${value.slice(0, LONGEST_SHOWN - 1)}…` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** `network.activeHours[0]` from an issue's path; `root` when the issue is about the whole input. */
export function placeOf(path: readonly { key: unknown }[] | undefined, root: string): string {
  if (!path || path.length === 0) return root;
  return path
    .map(({ key }, index) => {
      if (typeof key === 'number') return `[${key}]`;
      const name = typeof key === 'string' ? key : '?';
      return index === 0 ? name : `.${name}`;
    })
    .join('');
}
