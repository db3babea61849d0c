import type { Settings } from '../../../shared/settings';

/** How much of the GPU a contribution worker may use; null runs jobs on the CPU only. */
export type GpuShare = {
  /** Most model layers offloaded to the GPU; 'auto' fits as many as the VRAM allowed holds. */
  layers: number | 'auto';
  /** Most VRAM the worker may take, in bytes; null: whatever is free. */
  maxVramBytes: number | null;
} | null;

/** The Contribute settings' GPU caps, in the worker's terms. */
export function gpuShareFrom(network: Settings['network']): GpuShare {
  if (!network.useGpu) return null;
  return {
    layers: network.maxGpuLayers ?? 'auto',
    maxVramBytes: network.maxVramGB === null ? null : Math.round(network.maxVramGB * 1024 ** 3),
  };
}

/**
 * node-llama-cpp options for a share: the VRAM cap becomes padding (VRAM node-llama-cpp treats as
 * taken), so its own fitting of layers and context never goes past the cap.
 */
export function llamaGpuOptions(share: GpuShare): {
  gpu: 'auto' | false;
  vramPadding?: (totalVram: number) => number;
  gpuLayers: number | 'auto' | { max: number };
} {
  if (!share) return { gpu: false, gpuLayers: 0 };
  const cap = share.maxVramBytes;
  return {
    gpu: 'auto',
    ...(cap === null ? {} : { vramPadding: (totalVram: number) => Math.max(0, totalVram - cap) }),
    gpuLayers: share.layers === 'auto' ? 'auto' : { max: share.layers },
  };
}
