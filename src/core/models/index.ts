/**
 * Local models: the one shared node-llama-cpp runtime, the models folder, the catalog with
 * fit verdicts, downloads, and one loaded model per role. Other capabilities use
 * `LlamaRuntime` (getLlama, chooseThreads) and `ModelSlots` (load a model for a role).
 */
export { LLAMA_OPTIONS } from './llama-options';
export { LlamaRuntime, type HardwareState, type LlamaRuntimeOptions, type ThreadMeasurement } from './llama-runtime';
export { ModelSlots, type LoadedModel, type LoadModelOptions, type ModelSlotsOptions } from './model-slots';
export { ModelStore, sha256File } from './model-store';
export { ModelsService, type ModelsServiceOptions } from './models-service';
export { checkGgufFile, type GgufFacts } from './gguf-check';
export { downloadFile, type DownloadFileOptions, type DownloadProgressInfo, type DownloadResult } from './downloader';
export { loadCatalog } from './catalog';
export { fitFromCatalog, fitFromGguf } from './fit';
export { bestFitting, pickReason } from './first-pick';
export { estimateSpeed, COMFORTABLE_TOKENS_PER_SECOND } from './speed-estimate';
export * from './errors';
