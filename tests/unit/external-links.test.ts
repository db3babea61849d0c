import { describe, expect, it } from 'vitest';
import { isAllowedExternalLink } from '../../src/main/external-links';

describe('isAllowedExternalLink', () => {
  it.each(['https://huggingface.co/Qwen', 'https://github.com/hearth/hearth/releases', 'https://docs.hearth.app/x'])(
    'allows %s',
    (url) => expect(isAllowedExternalLink(url)).toBe(true),
  );

  it.each([
    'http://huggingface.co/insecure',
    'https://evil.example/huggingface.co',
    'https://huggingface.co.evil.example/',
    'https://user:pw@github.com/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://server/share',
    'not a url',
  ])('refuses %s', (url) => expect(isAllowedExternalLink(url)).toBe(false));
});
