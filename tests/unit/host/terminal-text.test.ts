import { afterEach, describe, expect, it, vi } from 'vitest';
import { print, printable, printableJson } from '../../../src/host/terminal-text';

// eslint-disable-next-line no-control-regex -- what must never reach the terminal
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

describe('printable: text from files and models, safe for a terminal', () => {
  it('neutralises escape sequences so none can run, and shows that something was there', () => {
    const hostile = 'report\x1b]0;pwned\x07\x1b[2J\x1b[31m.pdf';
    const shown = printable(hostile);
    expect(shown).not.toMatch(CONTROL);
    expect(shown).toBe('report\uFFFD]0;pwned\uFFFD\uFFFD[2J\uFFFD[31m.pdf');
  });

  it('neutralises C1 controls (a lone CSI is an escape sequence on some terminals), DEL and NUL', () => {
    expect(printable('a\x9b2Jb\x7fc\x00d\x85e')).toBe('a\uFFFD2Jb\uFFFDc\uFFFDd\uFFFDe');
  });

  it('keeps newlines, tabs, CRLF line ends and ordinary Unicode', () => {
    expect(printable('line one\r\n\tline two\nété 東京 😀')).toBe('line one\n\tline two\nété 東京 😀');
    expect(printable('overwrite\rme')).toBe('overwrite\uFFFDme');
  });
});

describe('printableJson', () => {
  it('escapes DEL and C1, which JSON.stringify leaves raw, and stays the same JSON value', () => {
    const value = { path: 'a\x9b2J\x7f.txt', text: '\x1b[31m' };
    const text = printableJson(value, 2);
    expect(text).not.toMatch(CONTROL);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('print', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is what the CLI prints with: the line reaches stdout sanitised', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    print('name\x1b[2J');
    expect(log).toHaveBeenCalledWith('name\uFFFD[2J');
  });
});
