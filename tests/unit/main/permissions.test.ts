import { describe, expect, it } from 'vitest';
import { GRANTED_PERMISSIONS, isPermissionGranted } from '../../../src/main/permissions';

const isOwnUi = (url: string) => url.startsWith('file:///app/out/renderer/');
const UI = 'file:///app/out/renderer/index.html';

describe('isPermissionGranted', () => {
  it('grants only clipboard writes, and only to the app’s own UI', () => {
    expect([...GRANTED_PERMISSIONS]).toEqual(['clipboard-sanitized-write']);
    expect(isPermissionGranted('clipboard-sanitized-write', UI, isOwnUi)).toBe(true);
    expect(isPermissionGranted('clipboard-sanitized-write', 'https://evil.example/', isOwnUi)).toBe(false);
    expect(isPermissionGranted('clipboard-sanitized-write', undefined, isOwnUi)).toBe(false);
  });

  it.each([
    'media',
    'geolocation',
    'notifications',
    'midi',
    'midiSysex',
    'pointerLock',
    'fullscreen',
    'openExternal',
    'clipboard-read',
    'hid',
    'serial',
    'usb',
    'display-capture',
    'window-management',
    'storage-access',
    'a-permission-electron-adds-next-year',
  ])('refuses %s even to the UI', (permission) => expect(isPermissionGranted(permission, UI, isOwnUi)).toBe(false));
});
