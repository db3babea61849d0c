import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/events';
import { NetworkService } from '../../../src/core/network';
import type { SecretStore } from '../../../src/core/secrets';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/shared/settings';

// A seam test: the service's policy inputs, without starting a node.
const secrets: SecretStore = { encrypted: false, get: async () => null, set: async () => undefined, delete: async () => undefined };

describe('NetworkService contribution inputs', () => {
  let service: NetworkService | undefined;
  afterEach(async () => {
    await service?.dispose();
  });

  const create = (network: Partial<Settings['network']>) => {
    const events = new EventBus();
    const settings = { ...DEFAULT_SETTINGS, network: { ...DEFAULT_SETTINGS.network, ...network } };
    service = new NetworkService({ dataDir: '/nonexistent', settings: { get: () => settings }, secrets, events, log: pino({ level: 'silent' }) });
    return { service, events };
  };

  it('pauses the moment the user chats or indexes', () => {
    const { service, events } = create({ contribute: true });
    expect(service.verdict().state).toBe('ready');
    events.emit('chat.token' as never, { text: 'hi' } as never);
    expect(service.verdict()).toEqual({ state: 'paused', reason: 'You are using Hearth; your own work comes first.' });
  });

  it('follows the idle time and battery the desktop reports', () => {
    const { service } = create({ contribute: true, idleMinutes: 5 });
    expect(service.reportPowerState({ idleSeconds: 10, onBattery: false }).state).toBe('paused');
    expect(service.reportPowerState({ idleSeconds: 301, onBattery: false }).state).toBe('ready');
    expect(service.reportPowerState({ idleSeconds: 301, onBattery: true }).reason).toBe('Running on battery.');
  });

  it('reports an offline node without starting one', async () => {
    const { service } = create({});
    const status = await service.api().status({}, { door: 'cli' });
    expect(status).toMatchObject({ running: false, reachability: 'offline', contribution: { state: 'off' } });
  });
});
