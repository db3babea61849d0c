import { describe, expect, it } from 'vitest';
import { guardWebContents, type GuardedContents } from '../../../src/main/contents-guards';

/** A stand-in web contents that records the guards and lets a test fire their events. */
function fakeContents() {
  const listeners = new Map<string, (event: unknown) => void>();
  let openHandler: ((details: { url: string }) => { action: string }) | undefined;
  const contents = {
    on(name: string, listener: (event: unknown) => void) {
      listeners.set(name, listener);
      return contents;
    },
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      openHandler = handler;
    },
  };
  const fire = (name: string, extra: object = {}) => {
    let prevented = false;
    listeners.get(name)?.({ preventDefault: () => (prevented = true), ...extra });
    return prevented;
  };
  return { contents: contents as unknown as GuardedContents, fire, open: (url: string) => openHandler?.({ url }) };
}

describe('guardWebContents', () => {
  it('stops navigation, subframe navigation and webviews', () => {
    const { contents, fire } = fakeContents();
    guardWebContents(contents, () => undefined);
    expect(fire('will-navigate', { url: 'https://evil.example/' })).toBe(true);
    expect(fire('will-frame-navigate', { isMainFrame: false })).toBe(true);
    expect(fire('will-attach-webview')).toBe(true);
  });

  it('opens no window, and sends only allowed links to the browser', () => {
    const { contents, open } = fakeContents();
    const opened: string[] = [];
    guardWebContents(contents, (url) => opened.push(url));
    expect(open('https://huggingface.co/Qwen')).toEqual({ action: 'deny' });
    expect(open('file:///C:/Windows/System32/calc.exe')).toEqual({ action: 'deny' });
    expect(open('ms-msdt:/id PCWDiagnostic')).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://huggingface.co/Qwen']);
  });
});
