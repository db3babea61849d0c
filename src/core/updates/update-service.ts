import type { Contract, UpdateStatus } from '../../shared/contract';
import type { ServiceOf } from '../../shared/contract/define';
import { StackOwner } from '../dispose-stack';
import type { EventBus } from '../events';
import type { Logger } from '../log';
import type { SettingsStore } from '../settings';
import { NoUpdateReadyError } from './no-update-ready-error';
import type { UpdateFeed } from './update-feed';
import { mayCheckForUpdates } from './update-policy';
import { UpdatesOffError } from './updates-off-error';
import { UpdatesUnavailableError } from './updates-unavailable-error';

export interface UpdateServiceOptions {
  settings: SettingsStore;
  events: EventBus;
  log: Logger;
  currentVersion: string;
  /** The release feed; absent in development builds and the headless host. */
  feed?: UpdateFeed;
  /** Between automatic checks while allowed. Default 6 hours. */
  intervalMs?: number;
  /** From start (or from the user's yes) to the first automatic check. Default 30 seconds. */
  firstCheckDelayMs?: number;
}

/**
 * Checks for updates only while the user allows it, downloads what it finds, and waits for the
 * user to choose the restart. The policy is consulted before every request, so turning checks
 * off stops them at once.
 */
export class UpdateService extends StackOwner {
  private _status: UpdateStatus;
  private _timer: NodeJS.Timeout | undefined;
  private _running: Promise<UpdateStatus> | undefined;

  constructor(private readonly _options: UpdateServiceOptions) {
    super('Updates');
    this._status = {
      state: 'off',
      currentVersion: _options.currentVersion,
      version: null,
      notes: null,
      progress: null,
      message: null,
      checkedAt: null,
    };
    // A check in flight finishes (or fails) before the service is gone; no timer or listener outlives it.
    // A failed check was logged and put in the status by check() itself.
    this._stack.defer(() => this._running?.catch(() => undefined));
    this._stack.defer(() => clearTimeout(this._timer));
    this._stack.defer(_options.events.on('settings.changed', () => this._reconsider()));
    this._reconsider();
  }

  get status(): UpdateStatus {
    return { ...this._status };
  }

  /** Checks now; refused with UpdatesOffError unless the user allowed update checks. */
  check(): Promise<UpdateStatus> {
    if (!this._allowed()) return Promise.reject(new UpdatesOffError());
    const feed = this._options.feed;
    if (!feed) return Promise.reject(new UpdatesUnavailableError());
    if (this._status.state === 'ready') return Promise.resolve(this.status);
    this._running ??= this._run(feed).finally(() => (this._running = undefined));
    return this._running;
  }

  restart(): void {
    if (this._status.state !== 'ready' || !this._options.feed) throw new NoUpdateReadyError();
    this._options.log.info({ event: 'update-restart', version: this._status.version });
    this._options.feed.install();
  }

  api(): ServiceOf<Contract['updates']> {
    return {
      status: async () => this.status,
      check: () => this.check(),
      restart: async () => {
        this.restart();
        return null;
      },
    };
  }

  private _allowed(): boolean {
    return !this.disposed && mayCheckForUpdates(this._options.settings.get().privacy);
  }

  private async _run(feed: UpdateFeed): Promise<UpdateStatus> {
    this._set({ state: 'checking', message: null });
    try {
      const offer = await feed.check();
      this._set({ checkedAt: Date.now() });
      if (!offer) {
        this._set({ state: 'idle', version: null, notes: null });
        return this.status;
      }
      this._options.log.info({ event: 'update-found', version: offer.version });
      this._set({ state: 'downloading', version: offer.version, notes: offer.notes, progress: 0 });
      await feed.download((fraction) => this._set({ progress: Math.min(1, Math.max(0, fraction)) }));
      this._set({ state: 'ready', progress: 1 });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this._options.log.warn({ event: 'update-check-failed', message });
      this._set({ state: 'error', progress: null, message: `Hearth could not check for updates: ${message}` });
    }
    return this.status;
  }

  /** Follows the user's choice: stop at once when checks are turned off, schedule when on. */
  private _reconsider(): void {
    if (this.disposed) return;
    if (!this._allowed()) {
      clearTimeout(this._timer);
      this._timer = undefined;
      // A downloaded update stays on offer; it needs no further request.
      if (this._status.state !== 'ready') this._set({ state: 'off', progress: null });
      return;
    }
    if (!this._options.feed) {
      this._set({ state: 'unavailable' });
      return;
    }
    if (this._status.state === 'off' || this._status.state === 'unavailable') this._set({ state: 'idle' });
    // Other settings changes leave a running schedule alone.
    if (this._timer === undefined) this._schedule(this._options.firstCheckDelayMs ?? 30_000);
  }

  private _schedule(delay: number): void {
    this._timer = setTimeout(() => {
      this._timer = undefined;
      void this.check()
        // check() logs a failure and puts it in the status; the schedule goes on either way.
        .catch(() => undefined)
        .finally(() => {
          if (this._allowed() && this._timer === undefined)
            this._schedule(this._options.intervalMs ?? 6 * 60 * 60 * 1000);
        });
    }, delay);
    this._timer.unref();
  }

  private _set(change: Partial<UpdateStatus>): void {
    const next = { ...this._status, ...change };
    if (JSON.stringify(next) === JSON.stringify(this._status)) return;
    this._status = next;
    this._options.events.emit('updates.status', this.status);
  }
}
