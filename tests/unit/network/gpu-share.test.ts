import { describe, expect, it } from 'vitest';
import { gpuShareFrom, llamaGpuOptions } from '../../../src/core/network/worker/gpu-share';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';

const network = DEFAULT_SETTINGS.network;

describe('the GPU caps of contributed jobs', () => {
  it('keeps jobs on the CPU unless the user lends the GPU', () => {
    expect(gpuShareFrom(network)).toBeNull();
    expect(llamaGpuOptions(null)).toEqual({ gpu: false, gpuLayers: 0 });
  });

  it('lets node-llama-cpp fit layers when no cap is set', () => {
    const share = gpuShareFrom({ ...network, useGpu: true });
    expect(share).toEqual({ layers: 'auto', maxVramBytes: null });
    expect(llamaGpuOptions(share)).toEqual({ gpu: 'auto', gpuLayers: 'auto' });
  });

  it('turns a VRAM cap into padding, so fitting never goes past it, and caps layers', () => {
    const share = gpuShareFrom({ ...network, useGpu: true, maxGpuLayers: 20, maxVramGB: 4 });
    expect(share).toEqual({ layers: 20, maxVramBytes: 4 * 1024 ** 3 });
    const options = llamaGpuOptions(share);
    expect(options.gpuLayers).toEqual({ max: 20 });
    // On a 12 GB card, 8 GB count as taken; on a 3 GB card, nothing does.
    expect(options.vramPadding!(12 * 1024 ** 3)).toBe(8 * 1024 ** 3);
    expect(options.vramPadding!(3 * 1024 ** 3)).toBe(0);
  });
});
