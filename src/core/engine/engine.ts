import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppInfo } from '../../shared/contract';
import { createAppService, NoticeBoard, type DesktopShell } from '../app';
import { createEngineAsk } from '../ask';
import { createNetworkGenerator } from '../chat';
import { openDataDirectory } from '../data-version';
import { DisposedError } from '../disposable';
import { DisposeStack, StackOwner } from '../dispose-stack';
import { createDispatch, type Dispatch, type EngineServices } from '../doors/dispatch';
import { EventBus } from '../events';
import { UserActivity } from '../activity/user-activity';
import { openEngineLibrary, type EngineLibrary } from '../library';
import { createLogger, type Logger } from '../log';
import { NetworkService } from '../network';
import { createRewardsService } from '../network/rewards/rewards-service';
import { createWalletService } from '../chain/wallet-service';
import { createSecretStore, type SecretCipher, type SecretStore } from '../secrets';
import { createSettingsService, SettingsStore } from '../settings';
import { damageMessage, makeDataDirPrivate, type StateDamage } from '../state';
import { UpdateService, type UpdateFeed } from '../updates';
import { HEARTH_VERSION } from '../version';
import type { WorkerLauncher } from '../workers/worker-launcher';
import { LocalAi } from './local-ai';

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

/** What the engine built, handed to its constructor in one piece. */
interface EngineParts {
  dataDir: string;
  log: Logger;
  events: EventBus;
  settings: SettingsStore;
  notices: NoticeBoard;
  secrets: SecretStore;
  ai: LocalAi;
  library: EngineLibrary;
  services: EngineServices;
}

/**
 * The engine: owns every service and their resources. Created once per process by a door
 * (the Electron main process or the headless host), which calls `dispatch` for each request
 * and forwards `events` to its clients. Everything it creates is registered on one stack as it
 * is created, so disposal runs in exact reverse order and a failed start closes what it opened.
 */
export class Engine extends StackOwner {
  readonly dataDir: string;
  readonly log: Logger;
  readonly events: EventBus;
  readonly settings: SettingsStore;
  readonly notices: NoticeBoard;
  readonly secrets: SecretStore;
  /** Local models, chat and the local API: the runtime, model slots and `ai.chat.generate()`. */
  readonly ai: LocalAi;
  /** The library behind the `library` service (the CLI configures it before first use). */
  readonly library: EngineLibrary;
  readonly services: EngineServices;
  private readonly _dispatch: Dispatch;

  private constructor(parts: EngineParts, stack: DisposeStack) {
    super(stack);
    this.dataDir = parts.dataDir;
    this.log = parts.log;
    this.events = parts.events;
    this.settings = parts.settings;
    this.notices = parts.notices;
    this.secrets = parts.secrets;
    this.ai = parts.ai;
    this.library = parts.library;
    this.services = parts.services;
    this._dispatch = createDispatch(parts.services);
  }

  /** Runs one contract call; see createDispatch for what is checked. */
  readonly dispatch: Dispatch = (method, input, context) => {
    if (this.disposed) return Promise.reject(new DisposedError('The Hearth engine'));
    return this._dispatch(method, input, context);
  };

  static async create(options: EngineOptions): Promise<Engine> {
    const stack = new DisposeStack('The Hearth engine');
    try {
      return new Engine(await build(options, stack), stack);
    } catch (error) {
      // A start that fails half-way closes what it opened, so the process can still exit;
      // the start's own failure, thrown below, is the one to report.
      await stack.dispose().catch(() => undefined);
      throw error;
    }
  }

  /** Aborts running work (answers, index runs, downloads, jobs) and closes every service, newest first. */
  override dispose(): Promise<void> {
    return super.dispose();
  }
}

/** Creates every service in dependency order, registering each on `stack` as it is made. */
async function build(options: EngineOptions, stack: DisposeStack): Promise<EngineParts> {
  const { dataDir, desktop } = options;
  const host = options.host ?? 'headless';
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // Chats, logs and the index (full document text) are the user's alone: 0600 files in 0700
  // folders from now on (umask), and whatever an older Hearth left readable is tightened.
  const privacy = await makeDataDirPrivate(dataDir);
  // Damage found before the log and the notice board exist is reported once they do.
  const early: StateDamage[] = [];
  // Before anything else opens a file: an older Hearth refuses a newer folder untouched.
  await openDataDirectory({ dataDir, appVersion: HEARTH_VERSION, onDamage: (d) => early.push(d) });
  const { log, close } = createLogger({ dir: join(dataDir, 'logs') });
  stack.defer(async () => {
    log.info({ event: 'engine-stop' });
    await close();
  });
  const events = new EventBus();
  const notices = new NoticeBoard((notice) => events.emit('app.notice', notice));
  const onDamage = (damage: StateDamage) => {
    const message = damageMessage(damage);
    log.warn({ event: 'state-damaged', file: damage.file, aside: damage.aside }, message);
    notices.post('warning', message);
  };
  for (const damage of early) onDamage(damage);
  if (privacy.fixed.length > 0) log.info({ event: 'data-dir-private', fixed: privacy.fixed.length });
  const settings = stack.use(
    await SettingsStore.open({
      file: join(dataDir, 'settings.json'),
      onChange: (next) => events.emit('settings.changed', next),
      onRecovered: (message) => {
        log.warn({ event: 'settings-set-aside' }, message);
        notices.post('warning', message);
      },
    }),
  );
  const secrets = createSecretStore({ dir: join(dataDir, 'secrets'), cipher: options.secretCipher });
  const workerLauncher = options.workerLauncher;
  // One view of what the user is doing, for the services that step aside for them.
  const activity = stack.use(new UserActivity(events));
  const library = stack.use(
    openEngineLibrary({ dataDir, settings, events, log, notices, onDamage, workerLauncher, activity }),
  );
  const network = stack.use(
    new NetworkService({
      dataDir,
      settings,
      secrets,
      events,
      log,
      followSettings: host === 'desktop',
      activity,
      workerLauncher,
      notices,
      onDamage,
    }),
  );
  // Chats the user opted into a network model answer through the network service's requester.
  const chatNetwork = createNetworkGenerator({ network: network.api(), events });
  const ai = stack.use(new LocalAi({ dataDir, settings, events, log, secrets, network: chatNetwork, onDamage }));
  const updates = stack.use(
    new UpdateService({ settings, events, log, currentVersion: HEARTH_VERSION, feed: options.updateFeed }),
  );
  // Answers use the library and the chat model, so they stop first: running answers are
  // aborted and the reranker closed before chat, models and the library go.
  const ask = stack.use(
    createEngineAsk({
      events,
      log,
      library: () => library.get(),
      chat: ai.chat,
      models: ai,
      openFile: desktop && ((path) => desktop.openFile(path)),
      dataDir,
      onDamage,
    }),
  );
  const services: EngineServices = {
    app: createAppService({ version: HEARTH_VERSION, dataDir, host, notices, desktop }),
    settings: createSettingsService(settings),
    models: ai.models.api(),
    chat: ai.chat.api(),
    network: network.api(),
    rewards: createRewardsService({ dataDir, secrets, liveLedger: () => network.rewards?.ledger ?? null }),
    wallet: createWalletService({ dataDir, settings, secrets, log }),
    library: library.service,
    updates: updates.api(),
    ask,
  };
  log.info({ event: 'engine-start', version: HEARTH_VERSION, host });
  return { dataDir, log, events, settings, notices, secrets, ai, library, services };
}

/** Starts an engine; see EngineOptions. */
export function createEngine(options: EngineOptions): Promise<Engine> {
  return Engine.create(options);
}
