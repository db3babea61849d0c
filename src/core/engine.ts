import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppInfo } from '../shared/contract';
import { createAppService, NoticeBoard, type DesktopShell } from './app';
import { createEngineAsk } from './ask';
import { openDataDirectory } from './data-version';
import { createNetworkGenerator, LocalAi } from './chat';
import { DisposedError, type Disposable } from './disposable';
import { createDispatch, type Dispatch, type Services } from './doors/dispatch';
import { EventBus } from './events';
import { openEngineLibrary } from './library';
import { createLogger, type Logger } from './log';
import { NetworkService } from './network';
import type { WorkerLauncher } from './workers/worker-launcher';
import { createRewardsService } from './network/ledger';
import { createWalletService } from './chain/wallet-service';
import { createSecretStore, type SecretCipher, type SecretStore } from './secrets';
import { createSettingsService, SettingsStore } from './settings';
import { damageMessage, makeDataDirPrivate, type StateDamage } from './state';
import { UpdateService, type UpdateFeed } from './updates';
import { HEARTH_VERSION } from './version';

export interface EngineOptions {
  /** The folder for settings, logs, models, the library index and chats. Created if missing. */
  dataDir: string;
  /** Which door hosts this engine; shown in `app.info`. Default `headless`. */
  host?: AppInfo['host'];
  /** Encrypts secrets at rest (Electron's safeStorage in the app). Default: 0600 files only. */
  secretCipher?: SecretCipher;
  /** Where updates come from (electron-updater in the packaged app). Default: none; updates are unavailable. */
  updateFeed?: UpdateFeed;
  /** The desktop app's dialogs and shell. Default: none (headless). */
  desktop?: DesktopShell;
  /** Starts worker processes (document readers, network jobs). Default: Node child processes; the app passes Electron's utility processes. */
  workerLauncher?: WorkerLauncher;
}

/**
 * The engine: owns every service and their resources. Created once per process by a door
 * (the Electron main process or the headless host), which calls `dispatch` for each request
 * and forwards `events` to its clients.
 */
export class Engine implements Disposable {
  private _disposed = false;
  private _ai!: LocalAi;

  private constructor(
    readonly dataDir: string,
    readonly log: Logger,
    readonly events: EventBus,
    readonly settings: SettingsStore,
    readonly notices: NoticeBoard,
    readonly secrets: SecretStore,
    readonly services: Services,
    private readonly _dispatch: Dispatch,
    private readonly _close: () => Promise<void>,
  ) {}

  /** Runs one contract call; see createDispatch for what is checked. */
  readonly dispatch: Dispatch = (method, input, context) => {
    if (this._disposed) return Promise.reject(new DisposedError('The Hearth engine'));
    return this._dispatch(method, input, context);
  };

  static async create(options: EngineOptions): Promise<Engine> {
    const { dataDir, desktop } = options;
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    // Chats, logs and the index (full document text) are the user's alone: 0600 files in 0700
    // folders from now on (umask), and whatever an older Hearth left readable is tightened.
    const privacy = await makeDataDirPrivate(dataDir);
    // Damage found before the log and the notice board exist is reported once they do.
    const early: StateDamage[] = [];
    // Before anything else opens a file: an older Hearth refuses a newer folder untouched.
    await openDataDirectory({ dataDir, appVersion: HEARTH_VERSION, onDamage: (d) => early.push(d) });
    const { log, close } = createLogger({ dir: join(dataDir, 'logs') });
    const events = new EventBus();
    const notices = new NoticeBoard((notice) => events.emit('app.notice', notice));
    const onDamage = (damage: StateDamage) => {
      const message = damageMessage(damage);
      log.warn({ event: 'state-damaged', file: damage.file, aside: damage.aside }, message);
      notices.post('warning', message);
    };
    for (const damage of early) onDamage(damage);
    if (privacy.fixed.length > 0) log.info({ event: 'data-dir-private', fixed: privacy.fixed.length });
    const settings = await SettingsStore.open({
      file: join(dataDir, 'settings.json'),
      onChange: (next) => events.emit('settings.changed', next),
      onRecovered: (message) => {
        log.warn({ event: 'settings-set-aside' }, message);
        notices.post('warning', message);
      },
    });
    const secrets = createSecretStore({ dir: join(dataDir, 'secrets'), cipher: options.secretCipher });
    const followSettings = options.host === 'desktop';
    const network = new NetworkService({
      dataDir,
      settings,
      secrets,
      events,
      log,
      followSettings,
      workerLauncher: options.workerLauncher,
      notices,
      onDamage,
    });
    const library = openEngineLibrary({
      dataDir,
      settings,
      events,
      log,
      notices,
      onDamage,
      workerLauncher: options.workerLauncher,
    });
    // Chats the user opted into a network model answer through the network service's requester.
    const chatNetwork = createNetworkGenerator({ network: network.api(), events });
    const ai = new LocalAi({ dataDir, settings, events, log, secrets, network: chatNetwork, onDamage });
    const updates = new UpdateService({
      settings,
      events,
      log,
      currentVersion: HEARTH_VERSION,
      feed: options.updateFeed,
    });
    const services: Services = {
      app: createAppService({
        version: HEARTH_VERSION,
        dataDir,
        host: options.host ?? 'headless',
        notices,
        desktop,
      }),
      settings: createSettingsService(settings),
      models: ai.models.api(),
      chat: ai.chat.api(),
      network: network.api(),
      rewards: createRewardsService({ dataDir, secrets, liveLedger: () => network.rewards?.ledger ?? null }),
      wallet: createWalletService({ dataDir, settings, secrets, log }),
      library: library.service,
      updates: updates.api(),
      ask: createEngineAsk({
        events,
        log,
        library: () => library.get(),
        chat: ai.chat,
        models: ai,
        openFile: desktop && ((path) => desktop.openFile(path)),
        dataDir,
        onDamage,
      }),
    };
    log.info({ event: 'engine-start', version: HEARTH_VERSION, host: options.host ?? 'headless' });
    const engine = new Engine(
      dataDir,
      log,
      events,
      settings,
      notices,
      secrets,
      services,
      createDispatch(services),
      async () => {
        // Services close before the settings and the log they read and write while closing.
        await updates.dispose();
        await ai.dispose();
        await network.dispose();
        await library.dispose();
        await settings.dispose();
        log.info({ event: 'engine-stop' });
        await close();
      },
    );
    engine._ai = ai;
    return engine;
  }

  /** Local models, chat and the local API: the runtime, model slots and `ai.chat.generate()`. */
  get ai(): LocalAi {
    return this._ai;
  }

  get disposed(): boolean {
    return this._disposed;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    await this._close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

/** Starts an engine; see EngineOptions. */
export function createEngine(options: EngineOptions): Promise<Engine> {
  return Engine.create(options);
}
