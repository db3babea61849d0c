/**
 * The engine's composition root: `createEngine` builds every service in order and disposes
 * them in reverse; `LocalAi` assembles the runtime, models, chat and the local API door.
 */
export { createEngine, Engine, type EngineOptions } from './engine';
export { LocalAi, type LocalAiOptions } from './local-ai';
