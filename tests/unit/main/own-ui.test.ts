import { describe, expect, it } from 'vitest';
import { isAllowedFileUrl, isAllowedRequest, ownUiMatcher } from '../../../src/main/own-ui';

describe('isAllowedFileUrl', () => {
  const posixDir = '/opt/Hearth/resources/app.asar/out/renderer';
  const windowsDir = 'C:\\Program Files\\Hearth\\resources\\app.asar\\out\\renderer';

  it.each([
    'file:///opt/Hearth/resources/app.asar/out/renderer/index.html',
    'file:///opt/Hearth/resources/app.asar/out/renderer/assets/index-abc.js',
    'file:///opt/Hearth/resources/app.asar/out/renderer/assets/../index.html',
    'file:///opt/Hearth/resources/app.asar/out/renderer/..chunk.js',
  ])('allows the renderer’s own file %s', (url) => expect(isAllowedFileUrl(url, posixDir, 'linux')).toBe(true));

  it.each([
    'file:///etc/passwd',
    'file:///opt/Hearth/resources/app.asar/out/renderer',
    'file:///opt/Hearth/resources/app.asar/out/renderer/../main/index.js',
    'file:///opt/Hearth/resources/app.asar/out/renderer/%2e%2e/%2E%2E/secrets/wallet.key',
    'file:///opt/Hearth/resources/app.asar/out/renderer/assets%2f..%2f..%2fmain/index.js',
    'file:///opt/Hearth/resources/app.asar/out/renderer-evil/index.html',
    'file://evil.example/opt/Hearth/resources/app.asar/out/renderer/index.html',
    'http://127.0.0.1/opt/Hearth/resources/app.asar/out/renderer/index.html',
    'not a url',
  ])('refuses %s on POSIX', (url) => expect(isAllowedFileUrl(url, posixDir, 'linux')).toBe(false));

  it('allows the renderer folder on Windows whatever the drive letter’s case', () => {
    expect(
      isAllowedFileUrl(
        'file:///c:/Program%20Files/Hearth/resources/app.asar/out/renderer/index.html',
        windowsDir,
        'win32',
      ),
    ).toBe(true);
  });

  it.each([
    'file:///D:/Program%20Files/Hearth/resources/app.asar/out/renderer/index.html',
    'file:///C:/Users/me/AppData/Roaming/Hearth/secrets/wallet.key',
    'file:///C:/Program%20Files/Hearth/resources/app.asar/out/renderer/%2e%2e/main/index.js',
    'file:///C:/Program%20Files/Hearth/resources/app.asar/out/renderer/assets%5c..%5c..%5cmain/index.js',
    'file://server/share/Hearth/resources/app.asar/out/renderer/index.html',
  ])('refuses %s on Windows', (url) => expect(isAllowedFileUrl(url, windowsDir, 'win32')).toBe(false));
});

describe('isAllowedRequest', () => {
  const built = { rendererDir: '/app/out/renderer', platform: 'linux' as const };
  const dev = { ...built, devServerUrl: 'http://localhost:5173' };

  it('lets a build load only its hearth://app UI, its renderer files and DevTools', () => {
    expect(isAllowedRequest('hearth://app/index.html', built)).toBe(true);
    expect(isAllowedRequest('hearth://app/assets/index-abc.js', built)).toBe(true);
    expect(isAllowedRequest('hearth://evil/index.html', built)).toBe(false);
    expect(isAllowedRequest('file:///app/out/renderer/index.html', built)).toBe(true);
    expect(isAllowedRequest('devtools://devtools/bundled/inspector.html', built)).toBe(true);
    expect(isAllowedRequest('file:///home/me/.ssh/id_ed25519', built)).toBe(false);
    expect(isAllowedRequest('https://evil.example/x.js', built)).toBe(false);
    expect(isAllowedRequest('ws://127.0.0.1:7777/rpc', built)).toBe(false);
  });

  it('lets development load the dev server and its hot-reload socket, on its port only', () => {
    expect(isAllowedRequest('http://localhost:5173/src/main.ts', dev)).toBe(true);
    expect(isAllowedRequest('ws://localhost:5173/', dev)).toBe(true);
    expect(isAllowedRequest('http://localhost:51730/', dev)).toBe(false);
    expect(isAllowedRequest('ws://localhost:7777/rpc', dev)).toBe(false);
    expect(isAllowedRequest('file:///app/out/renderer/index.html', dev)).toBe(false);
  });

  it('matches the UI by origin in development, not by prefix', () => {
    const isOwnUi = ownUiMatcher(dev);
    expect(isOwnUi('http://localhost:5173/')).toBe(true);
    expect(isOwnUi('http://localhost:5173.evil.example/')).toBe(false);
  });

  it('matches the built UI by its scheme and host only: no file: page may call the engine', () => {
    const isOwnUi = ownUiMatcher(built);
    expect(isOwnUi('hearth://app/index.html')).toBe(true);
    expect(isOwnUi('hearth://app.evil/index.html')).toBe(false);
    expect(isOwnUi('file:///app/out/renderer/index.html')).toBe(false);
    expect(isOwnUi('http://app/index.html')).toBe(false);
  });
});
