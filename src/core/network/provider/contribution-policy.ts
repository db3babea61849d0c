import type { Settings } from '../../../shared/settings';

/** What the desktop reports about the machine; null on a headless node ("always"). */
export interface PowerState {
  idleSeconds: number;
  onBattery: boolean;
}

export type ContributionState = 'off' | 'paused' | 'ready';

export interface ContributionVerdict {
  state: ContributionState;
  /** Why the node is not ready, in words for the Contribute page; empty when ready. */
  reason: string;
}

export interface ContributionInput {
  settings: Settings['network'];
  /** null: no desktop session reports idleness (headless), which counts as always idle. */
  power: PowerState | null;
  /** True while the user chats, asks or indexes, and for a short while after. */
  localBusy: boolean;
  now: Date;
}

/**
 * Decides whether this machine contributes right now, from the Contribute settings, the
 * machine's idleness and the user's own use. Pure, so every rule is unit-tested.
 */
export function contributionVerdict({ settings, power, localBusy, now }: ContributionInput): ContributionVerdict {
  if (!settings.contribute) return { state: 'off', reason: 'Contribution is turned off.' };
  if (localBusy) return { state: 'paused', reason: 'You are using Hearth; your own work comes first.' };
  if (settings.activeHours.length > 0 && !settings.activeHours.includes(now.getHours())) {
    return { state: 'paused', reason: 'Outside the hours you chose.' };
  }
  if (power) {
    if (settings.pauseOnBattery && power.onBattery) return { state: 'paused', reason: 'Running on battery.' };
    if (settings.idleOnly && power.idleSeconds < settings.idleMinutes * 60) {
      return { state: 'paused', reason: `Waiting until the computer has been idle for ${settings.idleMinutes} min.` };
    }
  }
  return { state: 'ready', reason: '' };
}
