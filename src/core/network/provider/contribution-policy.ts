import type { Settings } from '../../../shared/settings';

/** What the desktop reports about the machine; null on a headless node ("always"). */
export interface PowerState {
  idleSeconds: number;
  onBattery: boolean;
}

/** `starting`: ready, but the user is warned for a few seconds before any job runs. */
export type ContributionState = 'off' | 'paused' | 'starting' | 'ready';

export interface ContributionVerdict {
  state: ContributionState;
  /** Why the node is not ready, in words for the Contribute page; empty when ready. */
  reason: string;
  /** When a `starting` node begins to serve (ms since the epoch). */
  startsAt?: number;
}

/** How long a desktop shows its warning before it starts serving. */
export const START_WARNING_MS = 5_000;

export interface ContributionInput {
  settings: Settings['network'];
  /** null: no desktop session reports idleness (headless), which counts as always idle. */
  power: PowerState | null;
  /** True while the user chats, asks or indexes, and for a short while after. */
  localBusy: boolean;
  now: Date;
  /** The user said "not now" until this time (ms since the epoch). */
  snoozedUntil?: number;
}

/**
 * Decides whether this machine contributes right now, from the Contribute settings, the
 * machine's idleness and the user's own use. Pure, so every rule is unit-tested.
 */
export function contributionVerdict({
  settings,
  power,
  localBusy,
  now,
  snoozedUntil,
}: ContributionInput): ContributionVerdict {
  if (!settings.contribute) return { state: 'off', reason: 'Contribution is turned off.' };
  if (localBusy) return { state: 'paused', reason: 'You are using Hearth; your own work comes first.' };
  if (snoozedUntil !== undefined && snoozedUntil > now.getTime()) {
    const minutes = Math.ceil((snoozedUntil - now.getTime()) / 60_000);
    return { state: 'paused', reason: `You said not now; waiting ${minutes} more min.` };
  }
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

/**
 * A desktop that becomes ready does not start at once: for START_WARNING_MS it says it is about
 * to, so a user who is still there can say "not now". A headless node (no power reports) starts
 * straight away. `readySince` is when the verdict last turned ready.
 */
export function withStartWarning(
  verdict: ContributionVerdict,
  { power, readySince, now }: { power: PowerState | null; readySince: number; now: number },
): ContributionVerdict {
  if (verdict.state !== 'ready' || power === null) return verdict;
  const startsAt = readySince + START_WARNING_MS;
  if (now >= startsAt) return verdict;
  const seconds = Math.ceil((startsAt - now) / 1000);
  return { state: 'starting', reason: `Hearth starts sharing this computer in ${seconds} s.`, startsAt };
}
