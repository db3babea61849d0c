import { describe, expect, it } from 'vitest';
import { contributionVerdict, withStartWarning } from '../../../src/core/network/provider/contribution-policy';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';

const on = { ...DEFAULT_SETTINGS.network, contribute: true };
const noon = new Date(2026, 0, 1, 12, 0, 0);

describe('contributionVerdict', () => {
  it('is off by default', () => {
    expect(
      contributionVerdict({ settings: DEFAULT_SETTINGS.network, power: null, localBusy: false, now: noon }).state,
    ).toBe('off');
  });

  it('runs "always" on a headless node that reports no idleness', () => {
    expect(contributionVerdict({ settings: on, power: null, localBusy: false, now: noon })).toEqual({
      state: 'ready',
      reason: '',
    });
  });

  it('waits for the idle threshold when idle-only', () => {
    const verdict = contributionVerdict({
      settings: on,
      power: { idleSeconds: 599, onBattery: false },
      localBusy: false,
      now: noon,
    });
    expect(verdict.state).toBe('paused');
    expect(verdict.reason).toMatch(/idle for 10 min/);
    expect(
      contributionVerdict({ settings: on, power: { idleSeconds: 600, onBattery: false }, localBusy: false, now: noon })
        .state,
    ).toBe('ready');
    expect(
      contributionVerdict({
        settings: { ...on, idleOnly: false },
        power: { idleSeconds: 0, onBattery: false },
        localBusy: false,
        now: noon,
      }).state,
    ).toBe('ready');
  });

  it('pauses on battery unless told not to', () => {
    const power = { idleSeconds: 3600, onBattery: true };
    expect(contributionVerdict({ settings: on, power, localBusy: false, now: noon }).reason).toBe(
      'Running on battery.',
    );
    expect(
      contributionVerdict({ settings: { ...on, pauseOnBattery: false }, power, localBusy: false, now: noon }).state,
    ).toBe('ready');
  });

  it('obeys the schedule of hours', () => {
    const settings = { ...on, activeHours: [22, 23, 0, 1] };
    expect(contributionVerdict({ settings, power: null, localBusy: false, now: noon }).state).toBe('paused');
    expect(
      contributionVerdict({ settings, power: null, localBusy: false, now: new Date(2026, 0, 1, 23, 30) }).state,
    ).toBe('ready');
  });

  it('puts the user first: local use pauses even a ready node', () => {
    expect(contributionVerdict({ settings: on, power: null, localBusy: true, now: noon }).state).toBe('paused');
  });

  it('warns a desktop for 5 s before it serves; a headless node starts at once', () => {
    const ready = { state: 'ready' as const, reason: '' };
    const power = { idleSeconds: 900, onBattery: false };
    const t = noon.getTime();
    expect(withStartWarning(ready, { power, readySince: t, now: t + 1_000 })).toEqual({
      state: 'starting',
      reason: 'Hearth starts sharing this computer in 4 s.',
      startsAt: t + 5_000,
    });
    expect(withStartWarning(ready, { power, readySince: t, now: t + 5_000 })).toEqual(ready);
    expect(withStartWarning(ready, { power: null, readySince: t, now: t })).toEqual(ready);
  });

  it('obeys "not now" until it runs out', () => {
    const power = { idleSeconds: 900, onBattery: false };
    const snoozedUntil = noon.getTime() + 30 * 60_000;
    expect(contributionVerdict({ settings: on, power, localBusy: false, now: noon, snoozedUntil }).reason).toBe(
      'You said not now; waiting 30 more min.',
    );
    const later = new Date(snoozedUntil);
    expect(contributionVerdict({ settings: on, power, localBusy: false, now: later, snoozedUntil }).state).toBe(
      'ready',
    );
  });
});
