export { createEngine, Engine, type EngineOptions } from './engine';
export { defaultDataDir, modelsDir } from './paths';
export { DataVersionError } from './settings';
export { CallError, toWireError, validateEvent, type Dispatch } from './doors/dispatch';
export type { EventName } from './events';
export { HEARTH_VERSION } from './version';
export type { SecretStore, SecretCipher } from './secrets';
export type { DesktopShell } from './app';
export { createLocalClient } from './doors/local-client';
