import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../../src/core/events';
import { NetworkService } from '../../../src/core/network';
import { createSecretStore } from '../../../src/core/secrets';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/shared/settings';
import { tempDir } from '../../helpers/temp-dir';

/** Real nodes on 127.0.0.1: the privacy option for a fresh peer id, and node settings applied live. */
describe('node settings', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let service: NetworkService;
  let settings: Settings;
  let events: EventBus;
  beforeEach(async () => {
    dir = await tempDir();
    settings = structuredClone(DEFAULT_SETTINGS);
    settings.network.mdns = false;
    events = new EventBus();
    service = new NetworkService({
      dataDir: dir.path,
      settings: { get: () => settings },
      secrets: createSecretStore({ dir: join(dir.path, 'secrets') }),
      events,
      log: pino({ level: 'silent' }),
    });
  });
  afterEach(async () => {
    await service.dispose();
    await dir.cleanup();
  });

  const LISTEN = { listen: ['/ip4/127.0.0.1/tcp/0'] };
  const peerId = () => service.status().peerId;
  const restart = async () => {
    await service.stop();
    await service.start(LISTEN);
    return peerId();
  };

  it(
    'keeps one peer id by default, and with the privacy option takes a new one each session, live',
    { timeout: 60_000 },
    async () => {
      await service.start(LISTEN);
      const stable = peerId();
      expect(stable).not.toBeNull();
      expect(await restart()).toBe(stable);

      settings = { ...settings, network: { ...settings.network, freshPeerId: true } };
      events.emit('settings.changed' as never, {} as never);
      // The running node restarts on its own with a throwaway id.
      await vi.waitFor(
        () => {
          expect(service.status().running).toBe(true);
          expect(peerId()).not.toBe(stable);
        },
        { timeout: 20_000, interval: 100 },
      );
      const first = peerId();
      const second = await restart();
      expect(second).not.toBe(first);
      expect(second).not.toBe(stable);

      settings = { ...settings, network: { ...settings.network, freshPeerId: false } };
      events.emit('settings.changed' as never, {} as never);
      await vi.waitFor(() => expect(peerId()).toBe(stable), { timeout: 20_000, interval: 100 });
    },
  );
});
