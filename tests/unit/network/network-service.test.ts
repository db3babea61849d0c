import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../../src/core/events';
import { NetworkService } from '../../../src/core/network';
import type { SecretStore } from '../../../src/core/secrets';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/shared/settings';

// A seam test: the service's policy inputs, without starting a node.
const secrets: SecretStore = {
  encrypted: false,
  get: async () => null,
  set: async () => undefined,
  delete: async () => undefined,
  locate: (name) => name,
  keepDamagedCopy: async (name) => name,
};

describe('NetworkService contribution inputs', () => {
  let service: NetworkService | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await service?.dispose();
  });

  const create = (network: Partial<Settings['network']>) => {
    const events = new EventBus();
    const settings = { ...DEFAULT_SETTINGS, network: { ...DEFAULT_SETTINGS.network, ...network } };
    service = new NetworkService({
      dataDir: '/nonexistent',
      settings: { get: () => settings },
      secrets,
      events,
      log: pino({ level: 'silent' }),
    });
    return { service, events };
  };

  it('pauses the moment the user chats or indexes', () => {
    const { service, events } = create({ contribute: true });
    expect(service.verdict().state).toBe('ready');
    events.emit('chat.token' as never, { text: 'hi' } as never);
    expect(service.verdict()).toEqual({ state: 'paused', reason: 'You are using Hearth; your own work comes first.' });
  });

  it('follows the idle time and battery the desktop reports, warning 5 s before it starts', () => {
    vi.useFakeTimers();
    const { service, events } = create({ contribute: true, idleMinutes: 5 });
    const states: string[] = [];
    events.on('network.status', (status) => states.push(status.contribution.state));
    expect(service.reportPowerState({ idleSeconds: 10, onBattery: false }).state).toBe('paused');
    const warned = service.reportPowerState({ idleSeconds: 301, onBattery: false });
    expect(warned).toMatchObject({ state: 'starting', reason: 'Hearth starts sharing this computer in 5 s.' });
    expect(warned.startsAt).toBe(Date.now() + 5_000);
    vi.advanceTimersByTime(4_900);
    expect(service.verdict().state).toBe('starting');
    vi.advanceTimersByTime(400);
    expect(service.verdict().state).toBe('ready');
    // Status events are coalesced over 250 ms: the pause and the warning arrive as one.
    expect(states).toEqual(['starting', 'ready']);
    expect(service.reportPowerState({ idleSeconds: 301, onBattery: true }).reason).toBe('Running on battery.');
  });

  it('waits when the user says not now, then warns again', () => {
    vi.useFakeTimers();
    const { service } = create({ contribute: true, idleMinutes: 5 });
    service.reportPowerState({ idleSeconds: 400, onBattery: false });
    expect(service.snooze(60)).toEqual({ state: 'paused', reason: 'You said not now; waiting 60 more min.' });
    vi.advanceTimersByTime(59 * 60_000);
    expect(service.verdict().reason).toBe('You said not now; waiting 1 more min.');
    vi.advanceTimersByTime(60_000);
    expect(service.verdict().state).toBe('starting');
  });

  it('reports an offline node without starting one', async () => {
    const { service } = create({});
    const status = await service.api().status({}, { door: 'cli' });
    expect(status).toMatchObject({ running: false, reachability: 'offline', contribution: { state: 'off' } });
  });
});
