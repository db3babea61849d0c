import type { Fit, SpeedEstimate } from '../../shared/contract/models';

/**
 * Bytes of weights one CPU math core can stream per second while llama.cpp generates. Measured
 * on the 2-core machine Hearth is developed on (docs/ARCHITECTURE.md, Local models): Gemma 3 270M Q4_K_M (253 MB)
 * generated 33.4 tokens/s on 1 thread, about 8.4 GB/s; larger models fall out of the caches, so
 * the estimate takes 6 GB/s per core.
 */
export const CPU_BYTES_PER_CORE = 6e9;
/** What dual-channel desktop memory sustains: more cores stop helping past this. */
export const CPU_BYTES_CAP = 40e9;
/** A modest discrete GPU or an Apple M-series chip with the whole model in VRAM; bigger GPUs are faster. */
export const GPU_BYTES_PER_SECOND = 100e9;
/** Faster than people read (about 6 tokens/s): the pick is the largest chat model at or above this. */
export const COMFORTABLE_TOKENS_PER_SECOND = 10;

export interface SpeedMachine {
  cpuCores: number;
  gpu: string | false;
}

/**
 * How fast a model generates here. Generating a token reads every weight once, so decoding is
 * bound by memory bandwidth: tokens/s is about the bytes per second the machine streams divided
 * by the model's size. A documented estimate, not a benchmark: it is known before the download.
 */
export function estimateSpeed(modelBytes: number, fit: Fit, machine: SpeedMachine): SpeedEstimate {
  const onGpu = fit.verdict === 'gpu' && machine.gpu !== false;
  const bytesPerSecond = onGpu
    ? GPU_BYTES_PER_SECOND
    : Math.min(CPU_BYTES_CAP, Math.max(1, machine.cpuCores) * CPU_BYTES_PER_CORE);
  const tokensPerSecond = Math.max(0.1, Math.round((bytesPerSecond / Math.max(1, modelBytes)) * 10) / 10);
  return { tokensPerSecond, on: onGpu ? 'gpu' : 'cpu', bytesPerSecond };
}
