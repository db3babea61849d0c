/**
 * Text from files, models and peers, made safe to print to a terminal. A file named
 * `report\x1b]0;pwned\x07.pdf` or a model answer holding `\x1b[2J` would otherwise retitle or
 * clear the user's terminal (or worse, on terminals that answer queries). Every control
 * character except newline and tab (C0, DEL, C1; ESC starts every escape sequence, and C1 CSI
 * starts them alone) becomes U+FFFD, so the sequence cannot run and the user still sees that
 * something odd was there. A CRLF line end stays a line end.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/\r\n/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '\uFFFD');
}

/**
 * JSON for stdout. JSON.stringify escapes C0 but leaves DEL and C1 raw; escaping them too
 * keeps the same JSON value and a terminal that shows it safe.
 */
export function printableJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(
    /[\x7f-\x9f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `console.log` for every line the CLI prints: it may hold names or words from files, models or peers. */
export function print(text = ''): void {
  console.log(printable(text));
}

/** `console.error`, made safe the same way. */
export function printError(text: string): void {
  console.error(printable(text));
}
