import type { Settings } from '../../shared/settings';
import {
  contributionVerdict,
  START_WARNING_MS,
  withStartWarning,
  type ContributionVerdict,
  type PowerState,
} from './provider/contribution-policy';

/** How long after the last local activity contribution stays paused. */
export const LOCAL_QUIET_MS = 60_000;

export interface ContributionGateInit {
  settings: () => Settings['network'];
  /** Contribute for this run whatever the settings say (an explicit headless provider). */
  contributeOverride: () => boolean;
  /** A reason that pauses serving beyond the policy (a damaged ledger), or null. */
  pausedBecause: () => string | null;
  /** The verdict changed (state or reason): pause running jobs, re-announce, tell the UI. */
  onChange: (verdict: ContributionVerdict) => void;
  now?: () => number;
}

/**
 * Whether this computer may serve network jobs right now: the Contribute settings, the power
 * state the app reports, local use of Hearth, a "not now" snooze, and the start warning that
 * every page shows before a desktop starts serving. It owns only these inputs and the verdict;
 * the node's lifetime is the network service's.
 */
export class ContributionGate {
  private _power: PowerState | null = null;
  private _localBusyUntil = 0;
  private _snoozedUntil = 0;
  /** When the policy last turned ready; the start warning counts from here. */
  private _readySince: number | null = null;
  private _warningTimer: NodeJS.Timeout | undefined;
  private _last: ContributionVerdict | null = null;
  private readonly _now: () => number;

  constructor(private readonly _init: ContributionGateInit) {
    this._now = _init.now ?? Date.now;
  }

  verdict(): ContributionVerdict {
    const now = this._now();
    return this._warned(this._policy(now), now);
  }

  /** The user chats, asks or indexes: pause contribution now and for LOCAL_QUIET_MS after. */
  markLocalUse(): void {
    this._localBusyUntil = this._now() + LOCAL_QUIET_MS;
    this.reassess();
  }

  /** "Not now": contribution waits this long, whatever the idle time says. */
  snooze(minutes: number): ContributionVerdict {
    this._snoozedUntil = this._now() + minutes * 60_000;
    this.reassess();
    return this.verdict();
  }

  reportPowerState(power: PowerState): ContributionVerdict {
    this._power = power;
    this.reassess();
    return this.verdict();
  }

  /** Re-evaluates the verdict (time alone changes idleness, schedules and quiet periods). */
  reassess(): void {
    const now = this._now();
    const policy = this._policy(now);
    if (policy.state !== 'ready') this._readySince = null;
    else if (this._readySince === null) {
      this._readySince = now;
      // Wake up when the warning ends instead of waiting for the next tick.
      clearTimeout(this._warningTimer);
      this._warningTimer = setTimeout(() => this.reassess(), START_WARNING_MS + 10);
      this._warningTimer.unref();
    }
    const verdict = this._warned(policy, now);
    const previous = this._last;
    this._last = verdict;
    if (previous && previous.state === verdict.state && previous.reason === verdict.reason) return;
    // The warning's countdown changes its reason every second; only its start is news.
    if (previous?.state === 'starting' && verdict.state === 'starting') return;
    this._init.onChange(verdict);
  }

  dispose(): void {
    clearTimeout(this._warningTimer);
  }

  private _warned(policy: ContributionVerdict, now: number): ContributionVerdict {
    return withStartWarning(policy, { power: this._power, readySince: this._readySince ?? now, now });
  }

  private _policy(now: number): ContributionVerdict {
    const settings = this._init.settings();
    const policy = contributionVerdict({
      settings: { ...settings, contribute: settings.contribute || this._init.contributeOverride() },
      power: this._power,
      localBusy: now < this._localBusyUntil,
      now: new Date(now),
      snoozedUntil: this._snoozedUntil,
    });
    const paused = policy.state === 'off' ? null : this._init.pausedBecause();
    return paused ? { state: 'paused', reason: paused } : policy;
  }
}
