import { describe, expect, it } from 'vitest';
import { createAppService, DesktopOnlyError, NoticeBoard } from '../../src/core/app';

const base = { version: '1.0.0', dataDir: '/tmp/hearth', notices: new NoticeBoard() };

describe('the folder dialog', () => {
  it('asks the desktop shell when the call comes from the app window', async () => {
    const titles: string[] = [];
    const service = createAppService({
      ...base,
      host: 'desktop',
      desktop: {
        pickFolder: async ({ title }) => (titles.push(title), '/home/me/Papers'),
        openFile: async () => undefined,
      },
    });
    await expect(service.pickFolder({ title: 'Add a folder' }, { door: 'ipc' })).resolves.toEqual({
      path: '/home/me/Papers',
    });
    expect(titles).toEqual(['Add a folder']);
  });

  it('never raises a dialog for a browser tab, and says what to do headless', async () => {
    let asked = 0;
    const desktop = { pickFolder: async () => (asked++, '/x'), openFile: async () => undefined };
    const app = createAppService({ ...base, host: 'desktop', desktop });
    await expect(app.pickFolder({ title: 't' }, { door: 'socket' })).rejects.toBeInstanceOf(DesktopOnlyError);
    const headless = createAppService({ ...base, host: 'headless' });
    await expect(headless.pickFolder({ title: 't' }, { door: 'ipc' })).rejects.toThrow(/type the path instead/);
    expect(asked).toBe(0);
  });
});
