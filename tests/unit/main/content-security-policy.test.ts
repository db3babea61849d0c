import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../src/host/static-files';

const ROOT = join(import.meta.dirname, '../../..');

function directives(policy: string): Map<string, string> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!, values.join(' ')]),
  );
}

describe('the renderer’s Content-Security-Policy', () => {
  const html = readFileSync(join(ROOT, 'src/renderer/index.html'), 'utf8');
  const meta = directives(/http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '');

  it('connects only to its own origin: the app talks over IPC, the browser to the host that served it', () => {
    // 'self' covers ws:// to the page's own host and port; no other local port is reachable.
    expect(meta.get('connect-src')).toBe("'self'");
    expect(meta.get('default-src')).toBe("'self'");
    expect(meta.get('script-src')).toBe("'self'");
  });

  it('is the policy `hearth serve` sends, less what only a header can say', () => {
    const served = directives(CONTENT_SECURITY_POLICY);
    served.delete('frame-ancestors');
    expect(meta).toEqual(served);
  });
});
