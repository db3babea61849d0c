import { powerMonitor } from 'electron';
import type { Engine } from '../core';

/** Salad's app polls every second; every few seconds is enough to stop the moment the user returns. */
const POLL_MS = 2_000;

/**
 * Tells the engine how long the user has been away and whether the machine runs on battery,
 * which only Electron knows; the engine decides what contribution may do with it.
 */
export function reportPowerState(engine: Engine): () => void {
  const report = () => {
    const input = { idleSeconds: powerMonitor.getSystemIdleTime(), onBattery: powerMonitor.isOnBatteryPower() };
    engine.dispatch('network.reportPowerState', input, { door: 'ipc' }).catch((error: unknown) => {
      engine.log.warn({ event: 'power-state-failed', name: error instanceof Error ? error.name : 'Error' });
    });
  };
  report();
  const timer = setInterval(report, POLL_MS);
  // The user coming back must pause contribution at once, not at the next poll.
  const events = ['resume', 'unlock-screen', 'user-did-become-active', 'on-ac', 'on-battery'] as const;
  for (const name of events) powerMonitor.on(name as 'resume', report);
  return () => {
    clearInterval(timer);
    for (const name of events) powerMonitor.off(name as 'resume', report);
  };
}
